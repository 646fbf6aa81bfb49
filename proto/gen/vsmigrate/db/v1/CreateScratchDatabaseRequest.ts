// Original file: proto/vsmigrate/db/v1/agent_db.proto


export interface CreateScratchDatabaseRequest {
  /**
   * A label folded into the name (e.g. the run id); the agent adds the rehearsal prefix.
   */
  'label'?: (string);
  'ownerRole'?: (string);
}

export interface CreateScratchDatabaseRequest__Output {
  /**
   * A label folded into the name (e.g. the run id); the agent adds the rehearsal prefix.
   */
  'label': (string);
  'ownerRole': (string);
}
