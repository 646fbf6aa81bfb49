// Original file: proto/vsmigrate/db/v1/agent_db.proto


export interface EnsureDatabaseResponse {
  /**
   * What was changed, one line each ("created role", "restored LOGIN", ...).
   * Empty when nothing had to change.
   */
  'changes'?: (string)[];
  /**
   * only when a password was generated
   */
  'password'?: (string);
}

export interface EnsureDatabaseResponse__Output {
  /**
   * What was changed, one line each ("created role", "restored LOGIN", ...).
   * Empty when nothing had to change.
   */
  'changes': (string)[];
  /**
   * only when a password was generated
   */
  'password': (string);
}
