// Original file: proto/vsmigrate/app/v1/agent_app.proto


export interface LogLine {
  'level'?: (string);
  'message'?: (string);
}

export interface LogLine__Output {
  'level': (string);
  'message': (string);
}
