// Original file: proto/vsmigrate/app/v1/agent_app.proto


export interface GetReportRequest {
  'runId'?: (string);
}

export interface GetReportRequest__Output {
  'runId': (string);
}
