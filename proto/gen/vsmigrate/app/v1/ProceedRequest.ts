// Original file: proto/vsmigrate/app/v1/agent_app.proto


export interface ProceedRequest {
  'operationId'?: (string);
}

export interface ProceedRequest__Output {
  'operationId': (string);
}
