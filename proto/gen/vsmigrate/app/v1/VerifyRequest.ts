// Original file: proto/vsmigrate/app/v1/agent_app.proto


export interface VerifyRequest {
  /**
   * default: the last finished run
   */
  'runId'?: (string);
}

export interface VerifyRequest__Output {
  /**
   * default: the last finished run
   */
  'runId': (string);
}
