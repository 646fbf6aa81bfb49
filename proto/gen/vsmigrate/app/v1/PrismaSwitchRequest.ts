// Original file: proto/vsmigrate/app/v1/agent_app.proto


export interface PrismaSwitchRequest {
}

export interface PrismaSwitchRequest__Output {
}
