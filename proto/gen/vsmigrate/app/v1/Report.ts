// Original file: proto/vsmigrate/app/v1/agent_app.proto


export interface Report {
  'runId'?: (string);
  'json'?: (string);
  'markdown'?: (string);
}

export interface Report__Output {
  'runId': (string);
  'json': (string);
  'markdown': (string);
}
