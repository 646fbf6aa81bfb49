// Original file: proto/vsmigrate/db/v1/agent_db.proto


export interface GetStatusRequest {
}

export interface GetStatusRequest__Output {
}
