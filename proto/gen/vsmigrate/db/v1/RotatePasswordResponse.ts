// Original file: proto/vsmigrate/db/v1/agent_db.proto


export interface RotatePasswordResponse {
  'password'?: (string);
}

export interface RotatePasswordResponse__Output {
  'password': (string);
}
