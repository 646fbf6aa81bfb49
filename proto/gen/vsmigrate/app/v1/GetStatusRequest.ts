// Original file: proto/vsmigrate/app/v1/agent_app.proto


export interface GetStatusRequest {
}

export interface GetStatusRequest__Output {
}
