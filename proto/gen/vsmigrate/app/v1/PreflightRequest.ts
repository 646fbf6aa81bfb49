// Original file: proto/vsmigrate/app/v1/agent_app.proto


export interface PreflightRequest {
  /**
   * default: the configured VisionSuit database
   */
  'sqlitePath'?: (string);
}

export interface PreflightRequest__Output {
  /**
   * default: the configured VisionSuit database
   */
  'sqlitePath': (string);
}
