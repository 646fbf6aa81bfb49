// Original file: proto/vsmigrate/app/v1/agent_app.proto


export interface RollbackRequest {
  /**
   * default: the last switched run
   */
  'runId'?: (string);
  'acceptLoss'?: (boolean);
  /**
   * Restore schema.prisma even though it changed since the switch (an update of the app).
   */
  'forcePrisma'?: (boolean);
}

export interface RollbackRequest__Output {
  /**
   * default: the last switched run
   */
  'runId': (string);
  'acceptLoss': (boolean);
  /**
   * Restore schema.prisma even though it changed since the switch (an update of the app).
   */
  'forcePrisma': (boolean);
}
