// Original file: proto/vsmigrate/app/v1/agent_app.proto


export interface Policy {
  /**
   * a lint rule, or table.column
   */
  'rule'?: (string);
  /**
   * fail | quarantine | repair:<rule>
   */
  'action'?: (string);
}

export interface Policy__Output {
  /**
   * a lint rule, or table.column
   */
  'rule': (string);
  /**
   * fail | quarantine | repair:<rule>
   */
  'action': (string);
}
