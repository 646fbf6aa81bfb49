// Original file: proto/vsmigrate/app/v1/agent_app.proto


export interface ProjectedDowntime {
  'seconds'?: (number | string);
  /**
   * what a real run does inside the freeze, measured here
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
   * what a real run does inside the freeze, measured here
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
