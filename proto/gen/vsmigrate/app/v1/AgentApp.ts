// Original file: proto/vsmigrate/app/v1/agent_app.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AppStatus as _vsmigrate_app_v1_AppStatus, AppStatus__Output as _vsmigrate_app_v1_AppStatus__Output } from '../../../vsmigrate/app/v1/AppStatus.js';
import type { CancelRequest as _vsmigrate_app_v1_CancelRequest, CancelRequest__Output as _vsmigrate_app_v1_CancelRequest__Output } from '../../../vsmigrate/app/v1/CancelRequest.js';
import type { GetReportRequest as _vsmigrate_app_v1_GetReportRequest, GetReportRequest__Output as _vsmigrate_app_v1_GetReportRequest__Output } from '../../../vsmigrate/app/v1/GetReportRequest.js';
import type { GetStatusRequest as _vsmigrate_app_v1_GetStatusRequest, GetStatusRequest__Output as _vsmigrate_app_v1_GetStatusRequest__Output } from '../../../vsmigrate/app/v1/GetStatusRequest.js';
import type { InstallRequest as _vsmigrate_app_v1_InstallRequest, InstallRequest__Output as _vsmigrate_app_v1_InstallRequest__Output } from '../../../vsmigrate/app/v1/InstallRequest.js';
import type { ListRunsRequest as _vsmigrate_app_v1_ListRunsRequest, ListRunsRequest__Output as _vsmigrate_app_v1_ListRunsRequest__Output } from '../../../vsmigrate/app/v1/ListRunsRequest.js';
import type { ListRunsResponse as _vsmigrate_app_v1_ListRunsResponse, ListRunsResponse__Output as _vsmigrate_app_v1_ListRunsResponse__Output } from '../../../vsmigrate/app/v1/ListRunsResponse.js';
import type { MigrateRequest as _vsmigrate_app_v1_MigrateRequest, MigrateRequest__Output as _vsmigrate_app_v1_MigrateRequest__Output } from '../../../vsmigrate/app/v1/MigrateRequest.js';
import type { Operation as _vsmigrate_app_v1_Operation, Operation__Output as _vsmigrate_app_v1_Operation__Output } from '../../../vsmigrate/app/v1/Operation.js';
import type { OperationEvent as _vsmigrate_app_v1_OperationEvent, OperationEvent__Output as _vsmigrate_app_v1_OperationEvent__Output } from '../../../vsmigrate/app/v1/OperationEvent.js';
import type { PairRequest as _vsmigrate_app_v1_PairRequest, PairRequest__Output as _vsmigrate_app_v1_PairRequest__Output } from '../../../vsmigrate/app/v1/PairRequest.js';
import type { PairResponse as _vsmigrate_app_v1_PairResponse, PairResponse__Output as _vsmigrate_app_v1_PairResponse__Output } from '../../../vsmigrate/app/v1/PairResponse.js';
import type { PreflightReport as _vsmigrate_app_v1_PreflightReport, PreflightReport__Output as _vsmigrate_app_v1_PreflightReport__Output } from '../../../vsmigrate/app/v1/PreflightReport.js';
import type { PreflightRequest as _vsmigrate_app_v1_PreflightRequest, PreflightRequest__Output as _vsmigrate_app_v1_PreflightRequest__Output } from '../../../vsmigrate/app/v1/PreflightRequest.js';
import type { PrismaSwitchRequest as _vsmigrate_app_v1_PrismaSwitchRequest, PrismaSwitchRequest__Output as _vsmigrate_app_v1_PrismaSwitchRequest__Output } from '../../../vsmigrate/app/v1/PrismaSwitchRequest.js';
import type { ProceedRequest as _vsmigrate_app_v1_ProceedRequest, ProceedRequest__Output as _vsmigrate_app_v1_ProceedRequest__Output } from '../../../vsmigrate/app/v1/ProceedRequest.js';
import type { RehearseRequest as _vsmigrate_app_v1_RehearseRequest, RehearseRequest__Output as _vsmigrate_app_v1_RehearseRequest__Output } from '../../../vsmigrate/app/v1/RehearseRequest.js';
import type { Report as _vsmigrate_app_v1_Report, Report__Output as _vsmigrate_app_v1_Report__Output } from '../../../vsmigrate/app/v1/Report.js';
import type { RollbackRequest as _vsmigrate_app_v1_RollbackRequest, RollbackRequest__Output as _vsmigrate_app_v1_RollbackRequest__Output } from '../../../vsmigrate/app/v1/RollbackRequest.js';
import type { VerifyRequest as _vsmigrate_app_v1_VerifyRequest, VerifyRequest__Output as _vsmigrate_app_v1_VerifyRequest__Output } from '../../../vsmigrate/app/v1/VerifyRequest.js';
import type { WatchRequest as _vsmigrate_app_v1_WatchRequest, WatchRequest__Output as _vsmigrate_app_v1_WatchRequest__Output } from '../../../vsmigrate/app/v1/WatchRequest.js';

export interface AgentAppClient extends grpc.Client {
  /**
   * Stop at the next safe point.
   */
  Cancel(argument: _vsmigrate_app_v1_CancelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  Cancel(argument: _vsmigrate_app_v1_CancelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  Cancel(argument: _vsmigrate_app_v1_CancelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  Cancel(argument: _vsmigrate_app_v1_CancelRequest, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  /**
   * Stop at the next safe point.
   */
  cancel(argument: _vsmigrate_app_v1_CancelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  cancel(argument: _vsmigrate_app_v1_CancelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  cancel(argument: _vsmigrate_app_v1_CancelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  cancel(argument: _vsmigrate_app_v1_CancelRequest, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  
  GetReport(argument: _vsmigrate_app_v1_GetReportRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_Report__Output>): grpc.ClientUnaryCall;
  GetReport(argument: _vsmigrate_app_v1_GetReportRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vsmigrate_app_v1_Report__Output>): grpc.ClientUnaryCall;
  GetReport(argument: _vsmigrate_app_v1_GetReportRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_Report__Output>): grpc.ClientUnaryCall;
  GetReport(argument: _vsmigrate_app_v1_GetReportRequest, callback: grpc.requestCallback<_vsmigrate_app_v1_Report__Output>): grpc.ClientUnaryCall;
  getReport(argument: _vsmigrate_app_v1_GetReportRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_Report__Output>): grpc.ClientUnaryCall;
  getReport(argument: _vsmigrate_app_v1_GetReportRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vsmigrate_app_v1_Report__Output>): grpc.ClientUnaryCall;
  getReport(argument: _vsmigrate_app_v1_GetReportRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_Report__Output>): grpc.ClientUnaryCall;
  getReport(argument: _vsmigrate_app_v1_GetReportRequest, callback: grpc.requestCallback<_vsmigrate_app_v1_Report__Output>): grpc.ClientUnaryCall;
  
  GetStatus(argument: _vsmigrate_app_v1_GetStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_AppStatus__Output>): grpc.ClientUnaryCall;
  GetStatus(argument: _vsmigrate_app_v1_GetStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vsmigrate_app_v1_AppStatus__Output>): grpc.ClientUnaryCall;
  GetStatus(argument: _vsmigrate_app_v1_GetStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_AppStatus__Output>): grpc.ClientUnaryCall;
  GetStatus(argument: _vsmigrate_app_v1_GetStatusRequest, callback: grpc.requestCallback<_vsmigrate_app_v1_AppStatus__Output>): grpc.ClientUnaryCall;
  getStatus(argument: _vsmigrate_app_v1_GetStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_AppStatus__Output>): grpc.ClientUnaryCall;
  getStatus(argument: _vsmigrate_app_v1_GetStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vsmigrate_app_v1_AppStatus__Output>): grpc.ClientUnaryCall;
  getStatus(argument: _vsmigrate_app_v1_GetStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_AppStatus__Output>): grpc.ClientUnaryCall;
  getStatus(argument: _vsmigrate_app_v1_GetStatusRequest, callback: grpc.requestCallback<_vsmigrate_app_v1_AppStatus__Output>): grpc.ClientUnaryCall;
  
  Install(argument: _vsmigrate_app_v1_InstallRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  Install(argument: _vsmigrate_app_v1_InstallRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  Install(argument: _vsmigrate_app_v1_InstallRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  Install(argument: _vsmigrate_app_v1_InstallRequest, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  install(argument: _vsmigrate_app_v1_InstallRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  install(argument: _vsmigrate_app_v1_InstallRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  install(argument: _vsmigrate_app_v1_InstallRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  install(argument: _vsmigrate_app_v1_InstallRequest, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  
  ListRuns(argument: _vsmigrate_app_v1_ListRunsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_ListRunsResponse__Output>): grpc.ClientUnaryCall;
  ListRuns(argument: _vsmigrate_app_v1_ListRunsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vsmigrate_app_v1_ListRunsResponse__Output>): grpc.ClientUnaryCall;
  ListRuns(argument: _vsmigrate_app_v1_ListRunsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_ListRunsResponse__Output>): grpc.ClientUnaryCall;
  ListRuns(argument: _vsmigrate_app_v1_ListRunsRequest, callback: grpc.requestCallback<_vsmigrate_app_v1_ListRunsResponse__Output>): grpc.ClientUnaryCall;
  listRuns(argument: _vsmigrate_app_v1_ListRunsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_ListRunsResponse__Output>): grpc.ClientUnaryCall;
  listRuns(argument: _vsmigrate_app_v1_ListRunsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vsmigrate_app_v1_ListRunsResponse__Output>): grpc.ClientUnaryCall;
  listRuns(argument: _vsmigrate_app_v1_ListRunsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_ListRunsResponse__Output>): grpc.ClientUnaryCall;
  listRuns(argument: _vsmigrate_app_v1_ListRunsRequest, callback: grpc.requestCallback<_vsmigrate_app_v1_ListRunsResponse__Output>): grpc.ClientUnaryCall;
  
  Migrate(argument: _vsmigrate_app_v1_MigrateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  Migrate(argument: _vsmigrate_app_v1_MigrateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  Migrate(argument: _vsmigrate_app_v1_MigrateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  Migrate(argument: _vsmigrate_app_v1_MigrateRequest, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  migrate(argument: _vsmigrate_app_v1_MigrateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  migrate(argument: _vsmigrate_app_v1_MigrateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  migrate(argument: _vsmigrate_app_v1_MigrateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  migrate(argument: _vsmigrate_app_v1_MigrateRequest, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  
  /**
   * Validate a pairing bundle, prove it works, and store it in agent-app's own files.
   */
  Pair(argument: _vsmigrate_app_v1_PairRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_PairResponse__Output>): grpc.ClientUnaryCall;
  Pair(argument: _vsmigrate_app_v1_PairRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vsmigrate_app_v1_PairResponse__Output>): grpc.ClientUnaryCall;
  Pair(argument: _vsmigrate_app_v1_PairRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_PairResponse__Output>): grpc.ClientUnaryCall;
  Pair(argument: _vsmigrate_app_v1_PairRequest, callback: grpc.requestCallback<_vsmigrate_app_v1_PairResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Validate a pairing bundle, prove it works, and store it in agent-app's own files.
   */
  pair(argument: _vsmigrate_app_v1_PairRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_PairResponse__Output>): grpc.ClientUnaryCall;
  pair(argument: _vsmigrate_app_v1_PairRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vsmigrate_app_v1_PairResponse__Output>): grpc.ClientUnaryCall;
  pair(argument: _vsmigrate_app_v1_PairRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_PairResponse__Output>): grpc.ClientUnaryCall;
  pair(argument: _vsmigrate_app_v1_PairRequest, callback: grpc.requestCallback<_vsmigrate_app_v1_PairResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Non-destructive checks before a migration.
   */
  Preflight(argument: _vsmigrate_app_v1_PreflightRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_PreflightReport__Output>): grpc.ClientUnaryCall;
  Preflight(argument: _vsmigrate_app_v1_PreflightRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vsmigrate_app_v1_PreflightReport__Output>): grpc.ClientUnaryCall;
  Preflight(argument: _vsmigrate_app_v1_PreflightRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_PreflightReport__Output>): grpc.ClientUnaryCall;
  Preflight(argument: _vsmigrate_app_v1_PreflightRequest, callback: grpc.requestCallback<_vsmigrate_app_v1_PreflightReport__Output>): grpc.ClientUnaryCall;
  /**
   * Non-destructive checks before a migration.
   */
  preflight(argument: _vsmigrate_app_v1_PreflightRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_PreflightReport__Output>): grpc.ClientUnaryCall;
  preflight(argument: _vsmigrate_app_v1_PreflightRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vsmigrate_app_v1_PreflightReport__Output>): grpc.ClientUnaryCall;
  preflight(argument: _vsmigrate_app_v1_PreflightRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_PreflightReport__Output>): grpc.ClientUnaryCall;
  preflight(argument: _vsmigrate_app_v1_PreflightRequest, callback: grpc.requestCallback<_vsmigrate_app_v1_PreflightReport__Output>): grpc.ClientUnaryCall;
  
  /**
   * The Prisma switch alone, for an app on PostgreSQL whose update brought
   * back its SQLite Prisma files; idempotent.
   */
  PrismaSwitch(argument: _vsmigrate_app_v1_PrismaSwitchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  PrismaSwitch(argument: _vsmigrate_app_v1_PrismaSwitchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  PrismaSwitch(argument: _vsmigrate_app_v1_PrismaSwitchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  PrismaSwitch(argument: _vsmigrate_app_v1_PrismaSwitchRequest, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  /**
   * The Prisma switch alone, for an app on PostgreSQL whose update brought
   * back its SQLite Prisma files; idempotent.
   */
  prismaSwitch(argument: _vsmigrate_app_v1_PrismaSwitchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  prismaSwitch(argument: _vsmigrate_app_v1_PrismaSwitchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  prismaSwitch(argument: _vsmigrate_app_v1_PrismaSwitchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  prismaSwitch(argument: _vsmigrate_app_v1_PrismaSwitchRequest, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  
  /**
   * The go-ahead for the freeze of a migration started with pause_before_freeze.
   */
  Proceed(argument: _vsmigrate_app_v1_ProceedRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  Proceed(argument: _vsmigrate_app_v1_ProceedRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  Proceed(argument: _vsmigrate_app_v1_ProceedRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  Proceed(argument: _vsmigrate_app_v1_ProceedRequest, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  /**
   * The go-ahead for the freeze of a migration started with pause_before_freeze.
   */
  proceed(argument: _vsmigrate_app_v1_ProceedRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  proceed(argument: _vsmigrate_app_v1_ProceedRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  proceed(argument: _vsmigrate_app_v1_ProceedRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  proceed(argument: _vsmigrate_app_v1_ProceedRequest, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  
  Rehearse(argument: _vsmigrate_app_v1_RehearseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  Rehearse(argument: _vsmigrate_app_v1_RehearseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  Rehearse(argument: _vsmigrate_app_v1_RehearseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  Rehearse(argument: _vsmigrate_app_v1_RehearseRequest, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  rehearse(argument: _vsmigrate_app_v1_RehearseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  rehearse(argument: _vsmigrate_app_v1_RehearseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  rehearse(argument: _vsmigrate_app_v1_RehearseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  rehearse(argument: _vsmigrate_app_v1_RehearseRequest, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  
  Rollback(argument: _vsmigrate_app_v1_RollbackRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  Rollback(argument: _vsmigrate_app_v1_RollbackRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  Rollback(argument: _vsmigrate_app_v1_RollbackRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  Rollback(argument: _vsmigrate_app_v1_RollbackRequest, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  rollback(argument: _vsmigrate_app_v1_RollbackRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  rollback(argument: _vsmigrate_app_v1_RollbackRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  rollback(argument: _vsmigrate_app_v1_RollbackRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  rollback(argument: _vsmigrate_app_v1_RollbackRequest, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  
  Verify(argument: _vsmigrate_app_v1_VerifyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  Verify(argument: _vsmigrate_app_v1_VerifyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  Verify(argument: _vsmigrate_app_v1_VerifyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  Verify(argument: _vsmigrate_app_v1_VerifyRequest, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  verify(argument: _vsmigrate_app_v1_VerifyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  verify(argument: _vsmigrate_app_v1_VerifyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  verify(argument: _vsmigrate_app_v1_VerifyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  verify(argument: _vsmigrate_app_v1_VerifyRequest, callback: grpc.requestCallback<_vsmigrate_app_v1_Operation__Output>): grpc.ClientUnaryCall;
  
  /**
   * Every event of an operation after `after_sequence`, then live ones until it ends.
   */
  Watch(argument: _vsmigrate_app_v1_WatchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_vsmigrate_app_v1_OperationEvent__Output>;
  Watch(argument: _vsmigrate_app_v1_WatchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_vsmigrate_app_v1_OperationEvent__Output>;
  /**
   * Every event of an operation after `after_sequence`, then live ones until it ends.
   */
  watch(argument: _vsmigrate_app_v1_WatchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_vsmigrate_app_v1_OperationEvent__Output>;
  watch(argument: _vsmigrate_app_v1_WatchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_vsmigrate_app_v1_OperationEvent__Output>;
  
}

export interface AgentAppHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Stop at the next safe point.
   */
  Cancel: grpc.handleUnaryCall<_vsmigrate_app_v1_CancelRequest__Output, _vsmigrate_app_v1_Operation>;
  
  GetReport: grpc.handleUnaryCall<_vsmigrate_app_v1_GetReportRequest__Output, _vsmigrate_app_v1_Report>;
  
  GetStatus: grpc.handleUnaryCall<_vsmigrate_app_v1_GetStatusRequest__Output, _vsmigrate_app_v1_AppStatus>;
  
  Install: grpc.handleUnaryCall<_vsmigrate_app_v1_InstallRequest__Output, _vsmigrate_app_v1_Operation>;
  
  ListRuns: grpc.handleUnaryCall<_vsmigrate_app_v1_ListRunsRequest__Output, _vsmigrate_app_v1_ListRunsResponse>;
  
  Migrate: grpc.handleUnaryCall<_vsmigrate_app_v1_MigrateRequest__Output, _vsmigrate_app_v1_Operation>;
  
  /**
   * Validate a pairing bundle, prove it works, and store it in agent-app's own files.
   */
  Pair: grpc.handleUnaryCall<_vsmigrate_app_v1_PairRequest__Output, _vsmigrate_app_v1_PairResponse>;
  
  /**
   * Non-destructive checks before a migration.
   */
  Preflight: grpc.handleUnaryCall<_vsmigrate_app_v1_PreflightRequest__Output, _vsmigrate_app_v1_PreflightReport>;
  
  /**
   * The Prisma switch alone, for an app on PostgreSQL whose update brought
   * back its SQLite Prisma files; idempotent.
   */
  PrismaSwitch: grpc.handleUnaryCall<_vsmigrate_app_v1_PrismaSwitchRequest__Output, _vsmigrate_app_v1_Operation>;
  
  /**
   * The go-ahead for the freeze of a migration started with pause_before_freeze.
   */
  Proceed: grpc.handleUnaryCall<_vsmigrate_app_v1_ProceedRequest__Output, _vsmigrate_app_v1_Operation>;
  
  Rehearse: grpc.handleUnaryCall<_vsmigrate_app_v1_RehearseRequest__Output, _vsmigrate_app_v1_Operation>;
  
  Rollback: grpc.handleUnaryCall<_vsmigrate_app_v1_RollbackRequest__Output, _vsmigrate_app_v1_Operation>;
  
  Verify: grpc.handleUnaryCall<_vsmigrate_app_v1_VerifyRequest__Output, _vsmigrate_app_v1_Operation>;
  
  /**
   * Every event of an operation after `after_sequence`, then live ones until it ends.
   */
  Watch: grpc.handleServerStreamingCall<_vsmigrate_app_v1_WatchRequest__Output, _vsmigrate_app_v1_OperationEvent>;
  
}

export interface AgentAppDefinition extends grpc.ServiceDefinition {
  Cancel: MethodDefinition<_vsmigrate_app_v1_CancelRequest, _vsmigrate_app_v1_Operation, _vsmigrate_app_v1_CancelRequest__Output, _vsmigrate_app_v1_Operation__Output>
  GetReport: MethodDefinition<_vsmigrate_app_v1_GetReportRequest, _vsmigrate_app_v1_Report, _vsmigrate_app_v1_GetReportRequest__Output, _vsmigrate_app_v1_Report__Output>
  GetStatus: MethodDefinition<_vsmigrate_app_v1_GetStatusRequest, _vsmigrate_app_v1_AppStatus, _vsmigrate_app_v1_GetStatusRequest__Output, _vsmigrate_app_v1_AppStatus__Output>
  Install: MethodDefinition<_vsmigrate_app_v1_InstallRequest, _vsmigrate_app_v1_Operation, _vsmigrate_app_v1_InstallRequest__Output, _vsmigrate_app_v1_Operation__Output>
  ListRuns: MethodDefinition<_vsmigrate_app_v1_ListRunsRequest, _vsmigrate_app_v1_ListRunsResponse, _vsmigrate_app_v1_ListRunsRequest__Output, _vsmigrate_app_v1_ListRunsResponse__Output>
  Migrate: MethodDefinition<_vsmigrate_app_v1_MigrateRequest, _vsmigrate_app_v1_Operation, _vsmigrate_app_v1_MigrateRequest__Output, _vsmigrate_app_v1_Operation__Output>
  Pair: MethodDefinition<_vsmigrate_app_v1_PairRequest, _vsmigrate_app_v1_PairResponse, _vsmigrate_app_v1_PairRequest__Output, _vsmigrate_app_v1_PairResponse__Output>
  Preflight: MethodDefinition<_vsmigrate_app_v1_PreflightRequest, _vsmigrate_app_v1_PreflightReport, _vsmigrate_app_v1_PreflightRequest__Output, _vsmigrate_app_v1_PreflightReport__Output>
  PrismaSwitch: MethodDefinition<_vsmigrate_app_v1_PrismaSwitchRequest, _vsmigrate_app_v1_Operation, _vsmigrate_app_v1_PrismaSwitchRequest__Output, _vsmigrate_app_v1_Operation__Output>
  Proceed: MethodDefinition<_vsmigrate_app_v1_ProceedRequest, _vsmigrate_app_v1_Operation, _vsmigrate_app_v1_ProceedRequest__Output, _vsmigrate_app_v1_Operation__Output>
  Rehearse: MethodDefinition<_vsmigrate_app_v1_RehearseRequest, _vsmigrate_app_v1_Operation, _vsmigrate_app_v1_RehearseRequest__Output, _vsmigrate_app_v1_Operation__Output>
  Rollback: MethodDefinition<_vsmigrate_app_v1_RollbackRequest, _vsmigrate_app_v1_Operation, _vsmigrate_app_v1_RollbackRequest__Output, _vsmigrate_app_v1_Operation__Output>
  Verify: MethodDefinition<_vsmigrate_app_v1_VerifyRequest, _vsmigrate_app_v1_Operation, _vsmigrate_app_v1_VerifyRequest__Output, _vsmigrate_app_v1_Operation__Output>
  Watch: MethodDefinition<_vsmigrate_app_v1_WatchRequest, _vsmigrate_app_v1_OperationEvent, _vsmigrate_app_v1_WatchRequest__Output, _vsmigrate_app_v1_OperationEvent__Output>
}
