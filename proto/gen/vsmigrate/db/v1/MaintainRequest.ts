// Original file: proto/vsmigrate/db/v1/agent_db.proto


export interface MaintainRequest {
  'database'?: (string);
}

export interface MaintainRequest__Output {
  'database': (string);
}
