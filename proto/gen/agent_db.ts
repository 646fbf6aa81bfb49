import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AgentDbClient as _vsmigrate_db_v1_AgentDbClient, AgentDbDefinition as _vsmigrate_db_v1_AgentDbDefinition } from './vsmigrate/db/v1/AgentDb.js';
import type { Backup as _vsmigrate_db_v1_Backup, Backup__Output as _vsmigrate_db_v1_Backup__Output } from './vsmigrate/db/v1/Backup.js';
import type { BackupDatabaseRequest as _vsmigrate_db_v1_BackupDatabaseRequest, BackupDatabaseRequest__Output as _vsmigrate_db_v1_BackupDatabaseRequest__Output } from './vsmigrate/db/v1/BackupDatabaseRequest.js';
import type { CreateScratchDatabaseRequest as _vsmigrate_db_v1_CreateScratchDatabaseRequest, CreateScratchDatabaseRequest__Output as _vsmigrate_db_v1_CreateScratchDatabaseRequest__Output } from './vsmigrate/db/v1/CreateScratchDatabaseRequest.js';
import type { DbStatus as _vsmigrate_db_v1_DbStatus, DbStatus__Output as _vsmigrate_db_v1_DbStatus__Output } from './vsmigrate/db/v1/DbStatus.js';
import type { DropScratchDatabaseRequest as _vsmigrate_db_v1_DropScratchDatabaseRequest, DropScratchDatabaseRequest__Output as _vsmigrate_db_v1_DropScratchDatabaseRequest__Output } from './vsmigrate/db/v1/DropScratchDatabaseRequest.js';
import type { DropScratchDatabaseResponse as _vsmigrate_db_v1_DropScratchDatabaseResponse, DropScratchDatabaseResponse__Output as _vsmigrate_db_v1_DropScratchDatabaseResponse__Output } from './vsmigrate/db/v1/DropScratchDatabaseResponse.js';
import type { EnsureDatabaseRequest as _vsmigrate_db_v1_EnsureDatabaseRequest, EnsureDatabaseRequest__Output as _vsmigrate_db_v1_EnsureDatabaseRequest__Output } from './vsmigrate/db/v1/EnsureDatabaseRequest.js';
import type { EnsureDatabaseResponse as _vsmigrate_db_v1_EnsureDatabaseResponse, EnsureDatabaseResponse__Output as _vsmigrate_db_v1_EnsureDatabaseResponse__Output } from './vsmigrate/db/v1/EnsureDatabaseResponse.js';
import type { ErrorInfo as _vsmigrate_db_v1_ErrorInfo, ErrorInfo__Output as _vsmigrate_db_v1_ErrorInfo__Output } from './vsmigrate/db/v1/ErrorInfo.js';
import type { GetStatusRequest as _vsmigrate_db_v1_GetStatusRequest, GetStatusRequest__Output as _vsmigrate_db_v1_GetStatusRequest__Output } from './vsmigrate/db/v1/GetStatusRequest.js';
import type { MaintainRequest as _vsmigrate_db_v1_MaintainRequest, MaintainRequest__Output as _vsmigrate_db_v1_MaintainRequest__Output } from './vsmigrate/db/v1/MaintainRequest.js';
import type { MaintainResponse as _vsmigrate_db_v1_MaintainResponse, MaintainResponse__Output as _vsmigrate_db_v1_MaintainResponse__Output } from './vsmigrate/db/v1/MaintainResponse.js';
import type { RotatePasswordRequest as _vsmigrate_db_v1_RotatePasswordRequest, RotatePasswordRequest__Output as _vsmigrate_db_v1_RotatePasswordRequest__Output } from './vsmigrate/db/v1/RotatePasswordRequest.js';
import type { RotatePasswordResponse as _vsmigrate_db_v1_RotatePasswordResponse, RotatePasswordResponse__Output as _vsmigrate_db_v1_RotatePasswordResponse__Output } from './vsmigrate/db/v1/RotatePasswordResponse.js';
import type { ScratchDatabase as _vsmigrate_db_v1_ScratchDatabase, ScratchDatabase__Output as _vsmigrate_db_v1_ScratchDatabase__Output } from './vsmigrate/db/v1/ScratchDatabase.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  vsmigrate: {
    db: {
      v1: {
        AgentDb: SubtypeConstructor<typeof grpc.Client, _vsmigrate_db_v1_AgentDbClient> & { service: _vsmigrate_db_v1_AgentDbDefinition }
        Backup: MessageTypeDefinition<_vsmigrate_db_v1_Backup, _vsmigrate_db_v1_Backup__Output>
        BackupDatabaseRequest: MessageTypeDefinition<_vsmigrate_db_v1_BackupDatabaseRequest, _vsmigrate_db_v1_BackupDatabaseRequest__Output>
        CreateScratchDatabaseRequest: MessageTypeDefinition<_vsmigrate_db_v1_CreateScratchDatabaseRequest, _vsmigrate_db_v1_CreateScratchDatabaseRequest__Output>
        DbStatus: MessageTypeDefinition<_vsmigrate_db_v1_DbStatus, _vsmigrate_db_v1_DbStatus__Output>
        DropScratchDatabaseRequest: MessageTypeDefinition<_vsmigrate_db_v1_DropScratchDatabaseRequest, _vsmigrate_db_v1_DropScratchDatabaseRequest__Output>
        DropScratchDatabaseResponse: MessageTypeDefinition<_vsmigrate_db_v1_DropScratchDatabaseResponse, _vsmigrate_db_v1_DropScratchDatabaseResponse__Output>
        EnsureDatabaseRequest: MessageTypeDefinition<_vsmigrate_db_v1_EnsureDatabaseRequest, _vsmigrate_db_v1_EnsureDatabaseRequest__Output>
        EnsureDatabaseResponse: MessageTypeDefinition<_vsmigrate_db_v1_EnsureDatabaseResponse, _vsmigrate_db_v1_EnsureDatabaseResponse__Output>
        ErrorInfo: MessageTypeDefinition<_vsmigrate_db_v1_ErrorInfo, _vsmigrate_db_v1_ErrorInfo__Output>
        GetStatusRequest: MessageTypeDefinition<_vsmigrate_db_v1_GetStatusRequest, _vsmigrate_db_v1_GetStatusRequest__Output>
        MaintainRequest: MessageTypeDefinition<_vsmigrate_db_v1_MaintainRequest, _vsmigrate_db_v1_MaintainRequest__Output>
        MaintainResponse: MessageTypeDefinition<_vsmigrate_db_v1_MaintainResponse, _vsmigrate_db_v1_MaintainResponse__Output>
        RotatePasswordRequest: MessageTypeDefinition<_vsmigrate_db_v1_RotatePasswordRequest, _vsmigrate_db_v1_RotatePasswordRequest__Output>
        RotatePasswordResponse: MessageTypeDefinition<_vsmigrate_db_v1_RotatePasswordResponse, _vsmigrate_db_v1_RotatePasswordResponse__Output>
        ScratchDatabase: MessageTypeDefinition<_vsmigrate_db_v1_ScratchDatabase, _vsmigrate_db_v1_ScratchDatabase__Output>
      }
    }
  }
}

