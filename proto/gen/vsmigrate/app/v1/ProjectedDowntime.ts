// Original file: proto/vsmigrate/app/v1/agent_app.proto


export interface ProjectedDowntime {
  'seconds'?: (number | string);
  /**
   * the engine steps a real run does inside the freeze
   */
  'measured'?: ({[key: string]: number | string});
  /**
   * estimated
   */
  'freeze'?: (number | string);
  /**
   * estimated
   */
  'switchAndRestart'?: (number | string);
  'how'?: (string);
}

export interface ProjectedDowntime__Output {
  'seconds': (number);
  /**
   * the engine steps a real run does inside the freeze
   */
  'measured': ({[key: string]: number});
  /**
   * estimated
   */
  'freeze': (number);
  /**
   * estimated
   */
  'switchAndRestart': (number);
  'how': (string);
}
