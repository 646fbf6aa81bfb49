// Original file: proto/vsmigrate/app/v1/agent_app.proto


export interface PairRequest {
  /**
   * Path of the bundle on the VisionSuit host; agent-app reads it itself so that
   * its mode can be checked and the secrets never pass through vsctl's argv.
   */
  'bundlePath'?: (string);
}

export interface PairRequest__Output {
  /**
   * Path of the bundle on the VisionSuit host; agent-app reads it itself so that
   * its mode can be checked and the secrets never pass through vsctl's argv.
   */
  'bundlePath': (string);
}
