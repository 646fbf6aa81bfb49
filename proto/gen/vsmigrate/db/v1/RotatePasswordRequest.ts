// Original file: proto/vsmigrate/db/v1/agent_db.proto


export interface RotatePasswordRequest {
  'role'?: (string);
}

export interface RotatePasswordRequest__Output {
  'role': (string);
}
