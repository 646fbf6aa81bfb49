// Original file: proto/vsmigrate/db/v1/agent_db.proto


export interface MaintainResponse {
  'seconds'?: (number | string);
}

export interface MaintainResponse__Output {
  'seconds': (number);
}
