// Original file: proto/vsmigrate/db/v1/agent_db.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { Backup as _vsmigrate_db_v1_Backup, Backup__Output as _vsmigrate_db_v1_Backup__Output } from '../../../vsmigrate/db/v1/Backup.js';
import type { BackupDatabaseRequest as _vsmigrate_db_v1_BackupDatabaseRequest, BackupDatabaseRequest__Output as _vsmigrate_db_v1_BackupDatabaseRequest__Output } from '../../../vsmigrate/db/v1/BackupDatabaseRequest.js';
import type { CreateScratchDatabaseRequest as _vsmigrate_db_v1_CreateScratchDatabaseRequest, CreateScratchDatabaseRequest__Output as _vsmigrate_db_v1_CreateScratchDatabaseRequest__Output } from '../../../vsmigrate/db/v1/CreateScratchDatabaseRequest.js';
import type { DbStatus as _vsmigrate_db_v1_DbStatus, DbStatus__Output as _vsmigrate_db_v1_DbStatus__Output } from '../../../vsmigrate/db/v1/DbStatus.js';
import type { DropScratchDatabaseRequest as _vsmigrate_db_v1_DropScratchDatabaseRequest, DropScratchDatabaseRequest__Output as _vsmigrate_db_v1_DropScratchDatabaseRequest__Output } from '../../../vsmigrate/db/v1/DropScratchDatabaseRequest.js';
import type { DropScratchDatabaseResponse as _vsmigrate_db_v1_DropScratchDatabaseResponse, DropScratchDatabaseResponse__Output as _vsmigrate_db_v1_DropScratchDatabaseResponse__Output } from '../../../vsmigrate/db/v1/DropScratchDatabaseResponse.js';
import type { EnsureDatabaseRequest as _vsmigrate_db_v1_EnsureDatabaseRequest, EnsureDatabaseRequest__Output as _vsmigrate_db_v1_EnsureDatabaseRequest__Output } from '../../../vsmigrate/db/v1/EnsureDatabaseRequest.js';
import type { EnsureDatabaseResponse as _vsmigrate_db_v1_EnsureDatabaseResponse, EnsureDatabaseResponse__Output as _vsmigrate_db_v1_EnsureDatabaseResponse__Output } from '../../../vsmigrate/db/v1/EnsureDatabaseResponse.js';
import type { GetStatusRequest as _vsmigrate_db_v1_GetStatusRequest, GetStatusRequest__Output as _vsmigrate_db_v1_GetStatusRequest__Output } from '../../../vsmigrate/db/v1/GetStatusRequest.js';
import type { MaintainRequest as _vsmigrate_db_v1_MaintainRequest, MaintainRequest__Output as _vsmigrate_db_v1_MaintainRequest__Output } from '../../../vsmigrate/db/v1/MaintainRequest.js';
import type { MaintainResponse as _vsmigrate_db_v1_MaintainResponse, MaintainResponse__Output as _vsmigrate_db_v1_MaintainResponse__Output } from '../../../vsmigrate/db/v1/MaintainResponse.js';
import type { RotatePasswordRequest as _vsmigrate_db_v1_RotatePasswordRequest, RotatePasswordRequest__Output as _vsmigrate_db_v1_RotatePasswordRequest__Output } from '../../../vsmigrate/db/v1/RotatePasswordRequest.js';
import type { RotatePasswordResponse as _vsmigrate_db_v1_RotatePasswordResponse, RotatePasswordResponse__Output as _vsmigrate_db_v1_RotatePasswordResponse__Output } from '../../../vsmigrate/db/v1/RotatePasswordResponse.js';
import type { ScratchDatabase as _vsmigrate_db_v1_ScratchDatabase, ScratchDatabase__Output as _vsmigrate_db_v1_ScratchDatabase__Output } from '../../../vsmigrate/db/v1/ScratchDatabase.js';

export interface AgentDbClient extends grpc.Client {
  /**
   * pg_dump (custom format) of a database before it is replaced.
   */
  BackupDatabase(argument: _vsmigrate_db_v1_BackupDatabaseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_db_v1_Backup__Output>): grpc.ClientUnaryCall;
  BackupDatabase(argument: _vsmigrate_db_v1_BackupDatabaseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vsmigrate_db_v1_Backup__Output>): grpc.ClientUnaryCall;
  BackupDatabase(argument: _vsmigrate_db_v1_BackupDatabaseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_db_v1_Backup__Output>): grpc.ClientUnaryCall;
  BackupDatabase(argument: _vsmigrate_db_v1_BackupDatabaseRequest, callback: grpc.requestCallback<_vsmigrate_db_v1_Backup__Output>): grpc.ClientUnaryCall;
  /**
   * pg_dump (custom format) of a database before it is replaced.
   */
  backupDatabase(argument: _vsmigrate_db_v1_BackupDatabaseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_db_v1_Backup__Output>): grpc.ClientUnaryCall;
  backupDatabase(argument: _vsmigrate_db_v1_BackupDatabaseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vsmigrate_db_v1_Backup__Output>): grpc.ClientUnaryCall;
  backupDatabase(argument: _vsmigrate_db_v1_BackupDatabaseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_db_v1_Backup__Output>): grpc.ClientUnaryCall;
  backupDatabase(argument: _vsmigrate_db_v1_BackupDatabaseRequest, callback: grpc.requestCallback<_vsmigrate_db_v1_Backup__Output>): grpc.ClientUnaryCall;
  
  /**
   * Scratch databases for rehearsals. Only names with the rehearsal prefix can be dropped.
   */
  CreateScratchDatabase(argument: _vsmigrate_db_v1_CreateScratchDatabaseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_db_v1_ScratchDatabase__Output>): grpc.ClientUnaryCall;
  CreateScratchDatabase(argument: _vsmigrate_db_v1_CreateScratchDatabaseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vsmigrate_db_v1_ScratchDatabase__Output>): grpc.ClientUnaryCall;
  CreateScratchDatabase(argument: _vsmigrate_db_v1_CreateScratchDatabaseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_db_v1_ScratchDatabase__Output>): grpc.ClientUnaryCall;
  CreateScratchDatabase(argument: _vsmigrate_db_v1_CreateScratchDatabaseRequest, callback: grpc.requestCallback<_vsmigrate_db_v1_ScratchDatabase__Output>): grpc.ClientUnaryCall;
  /**
   * Scratch databases for rehearsals. Only names with the rehearsal prefix can be dropped.
   */
  createScratchDatabase(argument: _vsmigrate_db_v1_CreateScratchDatabaseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_db_v1_ScratchDatabase__Output>): grpc.ClientUnaryCall;
  createScratchDatabase(argument: _vsmigrate_db_v1_CreateScratchDatabaseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vsmigrate_db_v1_ScratchDatabase__Output>): grpc.ClientUnaryCall;
  createScratchDatabase(argument: _vsmigrate_db_v1_CreateScratchDatabaseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_db_v1_ScratchDatabase__Output>): grpc.ClientUnaryCall;
  createScratchDatabase(argument: _vsmigrate_db_v1_CreateScratchDatabaseRequest, callback: grpc.requestCallback<_vsmigrate_db_v1_ScratchDatabase__Output>): grpc.ClientUnaryCall;
  
  DropScratchDatabase(argument: _vsmigrate_db_v1_DropScratchDatabaseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_db_v1_DropScratchDatabaseResponse__Output>): grpc.ClientUnaryCall;
  DropScratchDatabase(argument: _vsmigrate_db_v1_DropScratchDatabaseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vsmigrate_db_v1_DropScratchDatabaseResponse__Output>): grpc.ClientUnaryCall;
  DropScratchDatabase(argument: _vsmigrate_db_v1_DropScratchDatabaseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_db_v1_DropScratchDatabaseResponse__Output>): grpc.ClientUnaryCall;
  DropScratchDatabase(argument: _vsmigrate_db_v1_DropScratchDatabaseRequest, callback: grpc.requestCallback<_vsmigrate_db_v1_DropScratchDatabaseResponse__Output>): grpc.ClientUnaryCall;
  dropScratchDatabase(argument: _vsmigrate_db_v1_DropScratchDatabaseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_db_v1_DropScratchDatabaseResponse__Output>): grpc.ClientUnaryCall;
  dropScratchDatabase(argument: _vsmigrate_db_v1_DropScratchDatabaseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vsmigrate_db_v1_DropScratchDatabaseResponse__Output>): grpc.ClientUnaryCall;
  dropScratchDatabase(argument: _vsmigrate_db_v1_DropScratchDatabaseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_db_v1_DropScratchDatabaseResponse__Output>): grpc.ClientUnaryCall;
  dropScratchDatabase(argument: _vsmigrate_db_v1_DropScratchDatabaseRequest, callback: grpc.requestCallback<_vsmigrate_db_v1_DropScratchDatabaseResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Reconcile the owner role and its database: create what is missing, repair
   * drift (password, LOGIN, ownership). Idempotent.
   */
  EnsureDatabase(argument: _vsmigrate_db_v1_EnsureDatabaseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_db_v1_EnsureDatabaseResponse__Output>): grpc.ClientUnaryCall;
  EnsureDatabase(argument: _vsmigrate_db_v1_EnsureDatabaseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vsmigrate_db_v1_EnsureDatabaseResponse__Output>): grpc.ClientUnaryCall;
  EnsureDatabase(argument: _vsmigrate_db_v1_EnsureDatabaseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_db_v1_EnsureDatabaseResponse__Output>): grpc.ClientUnaryCall;
  EnsureDatabase(argument: _vsmigrate_db_v1_EnsureDatabaseRequest, callback: grpc.requestCallback<_vsmigrate_db_v1_EnsureDatabaseResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Reconcile the owner role and its database: create what is missing, repair
   * drift (password, LOGIN, ownership). Idempotent.
   */
  ensureDatabase(argument: _vsmigrate_db_v1_EnsureDatabaseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_db_v1_EnsureDatabaseResponse__Output>): grpc.ClientUnaryCall;
  ensureDatabase(argument: _vsmigrate_db_v1_EnsureDatabaseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vsmigrate_db_v1_EnsureDatabaseResponse__Output>): grpc.ClientUnaryCall;
  ensureDatabase(argument: _vsmigrate_db_v1_EnsureDatabaseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_db_v1_EnsureDatabaseResponse__Output>): grpc.ClientUnaryCall;
  ensureDatabase(argument: _vsmigrate_db_v1_EnsureDatabaseRequest, callback: grpc.requestCallback<_vsmigrate_db_v1_EnsureDatabaseResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Facts read from the running PostgreSQL server and the host.
   */
  GetStatus(argument: _vsmigrate_db_v1_GetStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_db_v1_DbStatus__Output>): grpc.ClientUnaryCall;
  GetStatus(argument: _vsmigrate_db_v1_GetStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vsmigrate_db_v1_DbStatus__Output>): grpc.ClientUnaryCall;
  GetStatus(argument: _vsmigrate_db_v1_GetStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_db_v1_DbStatus__Output>): grpc.ClientUnaryCall;
  GetStatus(argument: _vsmigrate_db_v1_GetStatusRequest, callback: grpc.requestCallback<_vsmigrate_db_v1_DbStatus__Output>): grpc.ClientUnaryCall;
  /**
   * Facts read from the running PostgreSQL server and the host.
   */
  getStatus(argument: _vsmigrate_db_v1_GetStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_db_v1_DbStatus__Output>): grpc.ClientUnaryCall;
  getStatus(argument: _vsmigrate_db_v1_GetStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vsmigrate_db_v1_DbStatus__Output>): grpc.ClientUnaryCall;
  getStatus(argument: _vsmigrate_db_v1_GetStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_db_v1_DbStatus__Output>): grpc.ClientUnaryCall;
  getStatus(argument: _vsmigrate_db_v1_GetStatusRequest, callback: grpc.requestCallback<_vsmigrate_db_v1_DbStatus__Output>): grpc.ClientUnaryCall;
  
  /**
   * VACUUM ANALYZE of one database.
   */
  Maintain(argument: _vsmigrate_db_v1_MaintainRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_db_v1_MaintainResponse__Output>): grpc.ClientUnaryCall;
  Maintain(argument: _vsmigrate_db_v1_MaintainRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vsmigrate_db_v1_MaintainResponse__Output>): grpc.ClientUnaryCall;
  Maintain(argument: _vsmigrate_db_v1_MaintainRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_db_v1_MaintainResponse__Output>): grpc.ClientUnaryCall;
  Maintain(argument: _vsmigrate_db_v1_MaintainRequest, callback: grpc.requestCallback<_vsmigrate_db_v1_MaintainResponse__Output>): grpc.ClientUnaryCall;
  /**
   * VACUUM ANALYZE of one database.
   */
  maintain(argument: _vsmigrate_db_v1_MaintainRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_db_v1_MaintainResponse__Output>): grpc.ClientUnaryCall;
  maintain(argument: _vsmigrate_db_v1_MaintainRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vsmigrate_db_v1_MaintainResponse__Output>): grpc.ClientUnaryCall;
  maintain(argument: _vsmigrate_db_v1_MaintainRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_db_v1_MaintainResponse__Output>): grpc.ClientUnaryCall;
  maintain(argument: _vsmigrate_db_v1_MaintainRequest, callback: grpc.requestCallback<_vsmigrate_db_v1_MaintainResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Give a role a new random password; the secret only travels in the reply.
   */
  RotatePassword(argument: _vsmigrate_db_v1_RotatePasswordRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_db_v1_RotatePasswordResponse__Output>): grpc.ClientUnaryCall;
  RotatePassword(argument: _vsmigrate_db_v1_RotatePasswordRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vsmigrate_db_v1_RotatePasswordResponse__Output>): grpc.ClientUnaryCall;
  RotatePassword(argument: _vsmigrate_db_v1_RotatePasswordRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_db_v1_RotatePasswordResponse__Output>): grpc.ClientUnaryCall;
  RotatePassword(argument: _vsmigrate_db_v1_RotatePasswordRequest, callback: grpc.requestCallback<_vsmigrate_db_v1_RotatePasswordResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Give a role a new random password; the secret only travels in the reply.
   */
  rotatePassword(argument: _vsmigrate_db_v1_RotatePasswordRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_db_v1_RotatePasswordResponse__Output>): grpc.ClientUnaryCall;
  rotatePassword(argument: _vsmigrate_db_v1_RotatePasswordRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vsmigrate_db_v1_RotatePasswordResponse__Output>): grpc.ClientUnaryCall;
  rotatePassword(argument: _vsmigrate_db_v1_RotatePasswordRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_db_v1_RotatePasswordResponse__Output>): grpc.ClientUnaryCall;
  rotatePassword(argument: _vsmigrate_db_v1_RotatePasswordRequest, callback: grpc.requestCallback<_vsmigrate_db_v1_RotatePasswordResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface AgentDbHandlers extends grpc.UntypedServiceImplementation {
  /**
   * pg_dump (custom format) of a database before it is replaced.
   */
  BackupDatabase: grpc.handleUnaryCall<_vsmigrate_db_v1_BackupDatabaseRequest__Output, _vsmigrate_db_v1_Backup>;
  
  /**
   * Scratch databases for rehearsals. Only names with the rehearsal prefix can be dropped.
   */
  CreateScratchDatabase: grpc.handleUnaryCall<_vsmigrate_db_v1_CreateScratchDatabaseRequest__Output, _vsmigrate_db_v1_ScratchDatabase>;
  
  DropScratchDatabase: grpc.handleUnaryCall<_vsmigrate_db_v1_DropScratchDatabaseRequest__Output, _vsmigrate_db_v1_DropScratchDatabaseResponse>;
  
  /**
   * Reconcile the owner role and its database: create what is missing, repair
   * drift (password, LOGIN, ownership). Idempotent.
   */
  EnsureDatabase: grpc.handleUnaryCall<_vsmigrate_db_v1_EnsureDatabaseRequest__Output, _vsmigrate_db_v1_EnsureDatabaseResponse>;
  
  /**
   * Facts read from the running PostgreSQL server and the host.
   */
  GetStatus: grpc.handleUnaryCall<_vsmigrate_db_v1_GetStatusRequest__Output, _vsmigrate_db_v1_DbStatus>;
  
  /**
   * VACUUM ANALYZE of one database.
   */
  Maintain: grpc.handleUnaryCall<_vsmigrate_db_v1_MaintainRequest__Output, _vsmigrate_db_v1_MaintainResponse>;
  
  /**
   * Give a role a new random password; the secret only travels in the reply.
   */
  RotatePassword: grpc.handleUnaryCall<_vsmigrate_db_v1_RotatePasswordRequest__Output, _vsmigrate_db_v1_RotatePasswordResponse>;
  
}

export interface AgentDbDefinition extends grpc.ServiceDefinition {
  BackupDatabase: MethodDefinition<_vsmigrate_db_v1_BackupDatabaseRequest, _vsmigrate_db_v1_Backup, _vsmigrate_db_v1_BackupDatabaseRequest__Output, _vsmigrate_db_v1_Backup__Output>
  CreateScratchDatabase: MethodDefinition<_vsmigrate_db_v1_CreateScratchDatabaseRequest, _vsmigrate_db_v1_ScratchDatabase, _vsmigrate_db_v1_CreateScratchDatabaseRequest__Output, _vsmigrate_db_v1_ScratchDatabase__Output>
  DropScratchDatabase: MethodDefinition<_vsmigrate_db_v1_DropScratchDatabaseRequest, _vsmigrate_db_v1_DropScratchDatabaseResponse, _vsmigrate_db_v1_DropScratchDatabaseRequest__Output, _vsmigrate_db_v1_DropScratchDatabaseResponse__Output>
  EnsureDatabase: MethodDefinition<_vsmigrate_db_v1_EnsureDatabaseRequest, _vsmigrate_db_v1_EnsureDatabaseResponse, _vsmigrate_db_v1_EnsureDatabaseRequest__Output, _vsmigrate_db_v1_EnsureDatabaseResponse__Output>
  GetStatus: MethodDefinition<_vsmigrate_db_v1_GetStatusRequest, _vsmigrate_db_v1_DbStatus, _vsmigrate_db_v1_GetStatusRequest__Output, _vsmigrate_db_v1_DbStatus__Output>
  Maintain: MethodDefinition<_vsmigrate_db_v1_MaintainRequest, _vsmigrate_db_v1_MaintainResponse, _vsmigrate_db_v1_MaintainRequest__Output, _vsmigrate_db_v1_MaintainResponse__Output>
  RotatePassword: MethodDefinition<_vsmigrate_db_v1_RotatePasswordRequest, _vsmigrate_db_v1_RotatePasswordResponse, _vsmigrate_db_v1_RotatePasswordRequest__Output, _vsmigrate_db_v1_RotatePasswordResponse__Output>
}
