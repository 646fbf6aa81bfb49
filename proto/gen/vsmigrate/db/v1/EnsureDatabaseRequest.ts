// Original file: proto/vsmigrate/db/v1/agent_db.proto


export interface EnsureDatabaseRequest {
  'database'?: (string);
  'ownerRole'?: (string);
  /**
   * When set, the role's password is set to this value if it differs (SCRAM).
   * When empty, an existing password is kept and a missing role gets a random one,
   * returned in `password`.
   */
  'password'?: (string);
}

export interface EnsureDatabaseRequest__Output {
  'database': (string);
  'ownerRole': (string);
  /**
   * When set, the role's password is set to this value if it differs (SCRAM).
   * When empty, an existing password is kept and a missing role gets a random one,
   * returned in `password`.
   */
  'password': (string);
}
