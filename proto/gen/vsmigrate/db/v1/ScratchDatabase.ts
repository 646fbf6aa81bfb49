// Original file: proto/vsmigrate/db/v1/agent_db.proto


export interface ScratchDatabase {
  'database'?: (string);
}

export interface ScratchDatabase__Output {
  'database': (string);
}
