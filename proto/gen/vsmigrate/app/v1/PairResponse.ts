// Original file: proto/vsmigrate/app/v1/agent_app.proto


export interface PairResponse {
  'hostKeyFingerprint'?: (string);
  'sshHost'?: (string);
  'postgresDatabase'?: (string);
  'postgresUser'?: (string);
  'storedAt'?: (string);
  /**
   * The external connector's unit was (re)started on the new pairing; false
   * when the unit does not exist here or could not be restarted (see the log).
   */
  'connectorRestarted'?: (boolean);
  'connectorUnit'?: (string);
}

export interface PairResponse__Output {
  'hostKeyFingerprint': (string);
  'sshHost': (string);
  'postgresDatabase': (string);
  'postgresUser': (string);
  'storedAt': (string);
  /**
   * The external connector's unit was (re)started on the new pairing; false
   * when the unit does not exist here or could not be restarted (see the log).
   */
  'connectorRestarted': (boolean);
  'connectorUnit': (string);
}
