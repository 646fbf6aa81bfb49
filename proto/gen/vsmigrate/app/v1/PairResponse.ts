// Original file: proto/vsmigrate/app/v1/agent_app.proto


export interface PairResponse {
  'hostKeyFingerprint'?: (string);
  'sshHost'?: (string);
  'postgresDatabase'?: (string);
  'postgresUser'?: (string);
  'storedAt'?: (string);
}

export interface PairResponse__Output {
  'hostKeyFingerprint': (string);
  'sshHost': (string);
  'postgresDatabase': (string);
  'postgresUser': (string);
  'storedAt': (string);
}
