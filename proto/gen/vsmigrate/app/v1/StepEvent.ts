// Original file: proto/vsmigrate/app/v1/agent_app.proto


export interface StepEvent {
  'name'?: (string);
  /**
   * started | finished | failed | skipped
   */
  'state'?: (string);
  'seconds'?: (number | string);
}

export interface StepEvent__Output {
  'name': (string);
  /**
   * started | finished | failed | skipped
   */
  'state': (string);
  'seconds': (number);
}
