// Original file: proto/vsmigrate/app/v1/agent_app.proto


export interface StepEvent {
  'name'?: (string);
  /**
   * started | finished | failed | skipped
   */
  'state'?: (string);
  'seconds'?: (number | string);
  /**
   * what the step did or why it failed, one line
   */
  'detail'?: (string);
}

export interface StepEvent__Output {
  'name': (string);
  /**
   * started | finished | failed | skipped
   */
  'state': (string);
  'seconds': (number);
  /**
   * what the step did or why it failed, one line
   */
  'detail': (string);
}
