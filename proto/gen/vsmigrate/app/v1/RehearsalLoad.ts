// Original file: proto/vsmigrate/app/v1/agent_app.proto


export interface RehearsalLoad {
  'cpuSeconds'?: (number | string);
  'elapsedSeconds'?: (number | string);
  'averageCores'?: (number | string);
  'bytesCopied'?: (number | string);
  'maxBytesPerSecond'?: (number | string);
  'nice'?: (number);
  'ioPriority'?: (string);
}

export interface RehearsalLoad__Output {
  'cpuSeconds': (number);
  'elapsedSeconds': (number);
  'averageCores': (number);
  'bytesCopied': (number);
  'maxBytesPerSecond': (number);
  'nice': (number);
  'ioPriority': (string);
}
