// Original file: proto/vsmigrate/db/v1/agent_db.proto


export interface DropScratchDatabaseResponse {
  /**
   * false when it did not exist (dropping is idempotent)
   */
  'dropped'?: (boolean);
}

export interface DropScratchDatabaseResponse__Output {
  /**
   * false when it did not exist (dropping is idempotent)
   */
  'dropped': (boolean);
}
