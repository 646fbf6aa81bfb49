// Original file: proto/vsmigrate/db/v1/agent_db.proto


export interface DropScratchDatabaseRequest {
  'database'?: (string);
}

export interface DropScratchDatabaseRequest__Output {
  'database': (string);
}
