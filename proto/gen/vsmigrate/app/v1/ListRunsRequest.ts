// Original file: proto/vsmigrate/app/v1/agent_app.proto


export interface ListRunsRequest {
  'limit'?: (number);
}

export interface ListRunsRequest__Output {
  'limit': (number);
}
