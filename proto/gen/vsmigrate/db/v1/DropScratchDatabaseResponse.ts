// Original file: proto/vsmigrate/db/v1/agent_db.proto


export interface DropScratchDatabaseResponse {
}

export interface DropScratchDatabaseResponse__Output {
}
