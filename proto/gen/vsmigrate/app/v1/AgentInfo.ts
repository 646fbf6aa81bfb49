// Original file: proto/vsmigrate/app/v1/agent_app.proto


export interface AgentInfo {
  'version'?: (string);
  /**
   * starting | running | draining | stopped | failed
   */
  'state'?: (string);
  'uptimeSeconds'?: (number | string);
  'paired'?: (boolean);
  'runDir'?: (string);
}

export interface AgentInfo__Output {
  'version': (string);
  /**
   * starting | running | draining | stopped | failed
   */
  'state': (string);
  'uptimeSeconds': (number);
  'paired': (boolean);
  'runDir': (string);
}
