// Original file: proto/vsmigrate/app/v1/agent_app.proto


export interface CancelRequest {
  'operationId'?: (string);
}

export interface CancelRequest__Output {
  'operationId': (string);
}
