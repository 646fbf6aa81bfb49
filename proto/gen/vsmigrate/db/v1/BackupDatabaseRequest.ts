// Original file: proto/vsmigrate/db/v1/agent_db.proto


export interface BackupDatabaseRequest {
  'database'?: (string);
}

export interface BackupDatabaseRequest__Output {
  'database': (string);
}
