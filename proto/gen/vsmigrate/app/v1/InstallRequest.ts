// Original file: proto/vsmigrate/app/v1/agent_app.proto


export interface InstallRequest {
}

export interface InstallRequest__Output {
}
