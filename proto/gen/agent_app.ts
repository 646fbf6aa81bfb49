import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AgentAppClient as _vsmigrate_app_v1_AgentAppClient, AgentAppDefinition as _vsmigrate_app_v1_AgentAppDefinition } from './vsmigrate/app/v1/AgentApp.js';
import type { AgentDbView as _vsmigrate_app_v1_AgentDbView, AgentDbView__Output as _vsmigrate_app_v1_AgentDbView__Output } from './vsmigrate/app/v1/AgentDbView.js';
import type { AgentInfo as _vsmigrate_app_v1_AgentInfo, AgentInfo__Output as _vsmigrate_app_v1_AgentInfo__Output } from './vsmigrate/app/v1/AgentInfo.js';
import type { AppStatus as _vsmigrate_app_v1_AppStatus, AppStatus__Output as _vsmigrate_app_v1_AppStatus__Output } from './vsmigrate/app/v1/AppStatus.js';
import type { CancelRequest as _vsmigrate_app_v1_CancelRequest, CancelRequest__Output as _vsmigrate_app_v1_CancelRequest__Output } from './vsmigrate/app/v1/CancelRequest.js';
import type { ConnectorStatus as _vsmigrate_app_v1_ConnectorStatus, ConnectorStatus__Output as _vsmigrate_app_v1_ConnectorStatus__Output } from './vsmigrate/app/v1/ConnectorStatus.js';
import type { CopyPlan as _vsmigrate_app_v1_CopyPlan, CopyPlan__Output as _vsmigrate_app_v1_CopyPlan__Output } from './vsmigrate/app/v1/CopyPlan.js';
import type { Finding as _vsmigrate_app_v1_Finding, Finding__Output as _vsmigrate_app_v1_Finding__Output } from './vsmigrate/app/v1/Finding.js';
import type { GetReportRequest as _vsmigrate_app_v1_GetReportRequest, GetReportRequest__Output as _vsmigrate_app_v1_GetReportRequest__Output } from './vsmigrate/app/v1/GetReportRequest.js';
import type { GetStatusRequest as _vsmigrate_app_v1_GetStatusRequest, GetStatusRequest__Output as _vsmigrate_app_v1_GetStatusRequest__Output } from './vsmigrate/app/v1/GetStatusRequest.js';
import type { InstallRequest as _vsmigrate_app_v1_InstallRequest, InstallRequest__Output as _vsmigrate_app_v1_InstallRequest__Output } from './vsmigrate/app/v1/InstallRequest.js';
import type { LinkStatus as _vsmigrate_app_v1_LinkStatus, LinkStatus__Output as _vsmigrate_app_v1_LinkStatus__Output } from './vsmigrate/app/v1/LinkStatus.js';
import type { ListRunsRequest as _vsmigrate_app_v1_ListRunsRequest, ListRunsRequest__Output as _vsmigrate_app_v1_ListRunsRequest__Output } from './vsmigrate/app/v1/ListRunsRequest.js';
import type { ListRunsResponse as _vsmigrate_app_v1_ListRunsResponse, ListRunsResponse__Output as _vsmigrate_app_v1_ListRunsResponse__Output } from './vsmigrate/app/v1/ListRunsResponse.js';
import type { LogLine as _vsmigrate_app_v1_LogLine, LogLine__Output as _vsmigrate_app_v1_LogLine__Output } from './vsmigrate/app/v1/LogLine.js';
import type { MigrateRequest as _vsmigrate_app_v1_MigrateRequest, MigrateRequest__Output as _vsmigrate_app_v1_MigrateRequest__Output } from './vsmigrate/app/v1/MigrateRequest.js';
import type { Operation as _vsmigrate_app_v1_Operation, Operation__Output as _vsmigrate_app_v1_Operation__Output } from './vsmigrate/app/v1/Operation.js';
import type { OperationEvent as _vsmigrate_app_v1_OperationEvent, OperationEvent__Output as _vsmigrate_app_v1_OperationEvent__Output } from './vsmigrate/app/v1/OperationEvent.js';
import type { PairRequest as _vsmigrate_app_v1_PairRequest, PairRequest__Output as _vsmigrate_app_v1_PairRequest__Output } from './vsmigrate/app/v1/PairRequest.js';
import type { PairResponse as _vsmigrate_app_v1_PairResponse, PairResponse__Output as _vsmigrate_app_v1_PairResponse__Output } from './vsmigrate/app/v1/PairResponse.js';
import type { Policy as _vsmigrate_app_v1_Policy, Policy__Output as _vsmigrate_app_v1_Policy__Output } from './vsmigrate/app/v1/Policy.js';
import type { PreflightCheck as _vsmigrate_app_v1_PreflightCheck, PreflightCheck__Output as _vsmigrate_app_v1_PreflightCheck__Output } from './vsmigrate/app/v1/PreflightCheck.js';
import type { PreflightReport as _vsmigrate_app_v1_PreflightReport, PreflightReport__Output as _vsmigrate_app_v1_PreflightReport__Output } from './vsmigrate/app/v1/PreflightReport.js';
import type { PreflightRequest as _vsmigrate_app_v1_PreflightRequest, PreflightRequest__Output as _vsmigrate_app_v1_PreflightRequest__Output } from './vsmigrate/app/v1/PreflightRequest.js';
import type { PrismaFiles as _vsmigrate_app_v1_PrismaFiles, PrismaFiles__Output as _vsmigrate_app_v1_PrismaFiles__Output } from './vsmigrate/app/v1/PrismaFiles.js';
import type { PrismaSwitchRequest as _vsmigrate_app_v1_PrismaSwitchRequest, PrismaSwitchRequest__Output as _vsmigrate_app_v1_PrismaSwitchRequest__Output } from './vsmigrate/app/v1/PrismaSwitchRequest.js';
import type { ProceedRequest as _vsmigrate_app_v1_ProceedRequest, ProceedRequest__Output as _vsmigrate_app_v1_ProceedRequest__Output } from './vsmigrate/app/v1/ProceedRequest.js';
import type { ProjectedDowntime as _vsmigrate_app_v1_ProjectedDowntime, ProjectedDowntime__Output as _vsmigrate_app_v1_ProjectedDowntime__Output } from './vsmigrate/app/v1/ProjectedDowntime.js';
import type { RehearsalLoad as _vsmigrate_app_v1_RehearsalLoad, RehearsalLoad__Output as _vsmigrate_app_v1_RehearsalLoad__Output } from './vsmigrate/app/v1/RehearsalLoad.js';
import type { RehearsalReport as _vsmigrate_app_v1_RehearsalReport, RehearsalReport__Output as _vsmigrate_app_v1_RehearsalReport__Output } from './vsmigrate/app/v1/RehearsalReport.js';
import type { RehearsalTable as _vsmigrate_app_v1_RehearsalTable, RehearsalTable__Output as _vsmigrate_app_v1_RehearsalTable__Output } from './vsmigrate/app/v1/RehearsalTable.js';
import type { RehearsalVerification as _vsmigrate_app_v1_RehearsalVerification, RehearsalVerification__Output as _vsmigrate_app_v1_RehearsalVerification__Output } from './vsmigrate/app/v1/RehearsalVerification.js';
import type { RehearseRequest as _vsmigrate_app_v1_RehearseRequest, RehearseRequest__Output as _vsmigrate_app_v1_RehearseRequest__Output } from './vsmigrate/app/v1/RehearseRequest.js';
import type { Report as _vsmigrate_app_v1_Report, Report__Output as _vsmigrate_app_v1_Report__Output } from './vsmigrate/app/v1/Report.js';
import type { RollbackRequest as _vsmigrate_app_v1_RollbackRequest, RollbackRequest__Output as _vsmigrate_app_v1_RollbackRequest__Output } from './vsmigrate/app/v1/RollbackRequest.js';
import type { StepEvent as _vsmigrate_app_v1_StepEvent, StepEvent__Output as _vsmigrate_app_v1_StepEvent__Output } from './vsmigrate/app/v1/StepEvent.js';
import type { TableProgress as _vsmigrate_app_v1_TableProgress, TableProgress__Output as _vsmigrate_app_v1_TableProgress__Output } from './vsmigrate/app/v1/TableProgress.js';
import type { VerifyRequest as _vsmigrate_app_v1_VerifyRequest, VerifyRequest__Output as _vsmigrate_app_v1_VerifyRequest__Output } from './vsmigrate/app/v1/VerifyRequest.js';
import type { WatchRequest as _vsmigrate_app_v1_WatchRequest, WatchRequest__Output as _vsmigrate_app_v1_WatchRequest__Output } from './vsmigrate/app/v1/WatchRequest.js';
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
    app: {
      v1: {
        AgentApp: SubtypeConstructor<typeof grpc.Client, _vsmigrate_app_v1_AgentAppClient> & { service: _vsmigrate_app_v1_AgentAppDefinition }
        AgentDbView: MessageTypeDefinition<_vsmigrate_app_v1_AgentDbView, _vsmigrate_app_v1_AgentDbView__Output>
        AgentInfo: MessageTypeDefinition<_vsmigrate_app_v1_AgentInfo, _vsmigrate_app_v1_AgentInfo__Output>
        AppStatus: MessageTypeDefinition<_vsmigrate_app_v1_AppStatus, _vsmigrate_app_v1_AppStatus__Output>
        CancelRequest: MessageTypeDefinition<_vsmigrate_app_v1_CancelRequest, _vsmigrate_app_v1_CancelRequest__Output>
        ConnectorStatus: MessageTypeDefinition<_vsmigrate_app_v1_ConnectorStatus, _vsmigrate_app_v1_ConnectorStatus__Output>
        CopyPlan: MessageTypeDefinition<_vsmigrate_app_v1_CopyPlan, _vsmigrate_app_v1_CopyPlan__Output>
        Finding: MessageTypeDefinition<_vsmigrate_app_v1_Finding, _vsmigrate_app_v1_Finding__Output>
        GetReportRequest: MessageTypeDefinition<_vsmigrate_app_v1_GetReportRequest, _vsmigrate_app_v1_GetReportRequest__Output>
        GetStatusRequest: MessageTypeDefinition<_vsmigrate_app_v1_GetStatusRequest, _vsmigrate_app_v1_GetStatusRequest__Output>
        InstallRequest: MessageTypeDefinition<_vsmigrate_app_v1_InstallRequest, _vsmigrate_app_v1_InstallRequest__Output>
        LinkStatus: MessageTypeDefinition<_vsmigrate_app_v1_LinkStatus, _vsmigrate_app_v1_LinkStatus__Output>
        ListRunsRequest: MessageTypeDefinition<_vsmigrate_app_v1_ListRunsRequest, _vsmigrate_app_v1_ListRunsRequest__Output>
        ListRunsResponse: MessageTypeDefinition<_vsmigrate_app_v1_ListRunsResponse, _vsmigrate_app_v1_ListRunsResponse__Output>
        LogLine: MessageTypeDefinition<_vsmigrate_app_v1_LogLine, _vsmigrate_app_v1_LogLine__Output>
        MigrateRequest: MessageTypeDefinition<_vsmigrate_app_v1_MigrateRequest, _vsmigrate_app_v1_MigrateRequest__Output>
        Operation: MessageTypeDefinition<_vsmigrate_app_v1_Operation, _vsmigrate_app_v1_Operation__Output>
        OperationEvent: MessageTypeDefinition<_vsmigrate_app_v1_OperationEvent, _vsmigrate_app_v1_OperationEvent__Output>
        PairRequest: MessageTypeDefinition<_vsmigrate_app_v1_PairRequest, _vsmigrate_app_v1_PairRequest__Output>
        PairResponse: MessageTypeDefinition<_vsmigrate_app_v1_PairResponse, _vsmigrate_app_v1_PairResponse__Output>
        Policy: MessageTypeDefinition<_vsmigrate_app_v1_Policy, _vsmigrate_app_v1_Policy__Output>
        PreflightCheck: MessageTypeDefinition<_vsmigrate_app_v1_PreflightCheck, _vsmigrate_app_v1_PreflightCheck__Output>
        PreflightReport: MessageTypeDefinition<_vsmigrate_app_v1_PreflightReport, _vsmigrate_app_v1_PreflightReport__Output>
        PreflightRequest: MessageTypeDefinition<_vsmigrate_app_v1_PreflightRequest, _vsmigrate_app_v1_PreflightRequest__Output>
        PrismaFiles: MessageTypeDefinition<_vsmigrate_app_v1_PrismaFiles, _vsmigrate_app_v1_PrismaFiles__Output>
        PrismaSwitchRequest: MessageTypeDefinition<_vsmigrate_app_v1_PrismaSwitchRequest, _vsmigrate_app_v1_PrismaSwitchRequest__Output>
        ProceedRequest: MessageTypeDefinition<_vsmigrate_app_v1_ProceedRequest, _vsmigrate_app_v1_ProceedRequest__Output>
        ProjectedDowntime: MessageTypeDefinition<_vsmigrate_app_v1_ProjectedDowntime, _vsmigrate_app_v1_ProjectedDowntime__Output>
        RehearsalLoad: MessageTypeDefinition<_vsmigrate_app_v1_RehearsalLoad, _vsmigrate_app_v1_RehearsalLoad__Output>
        RehearsalReport: MessageTypeDefinition<_vsmigrate_app_v1_RehearsalReport, _vsmigrate_app_v1_RehearsalReport__Output>
        RehearsalTable: MessageTypeDefinition<_vsmigrate_app_v1_RehearsalTable, _vsmigrate_app_v1_RehearsalTable__Output>
        RehearsalVerification: MessageTypeDefinition<_vsmigrate_app_v1_RehearsalVerification, _vsmigrate_app_v1_RehearsalVerification__Output>
        RehearseRequest: MessageTypeDefinition<_vsmigrate_app_v1_RehearseRequest, _vsmigrate_app_v1_RehearseRequest__Output>
        Report: MessageTypeDefinition<_vsmigrate_app_v1_Report, _vsmigrate_app_v1_Report__Output>
        RollbackRequest: MessageTypeDefinition<_vsmigrate_app_v1_RollbackRequest, _vsmigrate_app_v1_RollbackRequest__Output>
        StepEvent: MessageTypeDefinition<_vsmigrate_app_v1_StepEvent, _vsmigrate_app_v1_StepEvent__Output>
        TableProgress: MessageTypeDefinition<_vsmigrate_app_v1_TableProgress, _vsmigrate_app_v1_TableProgress__Output>
        VerifyRequest: MessageTypeDefinition<_vsmigrate_app_v1_VerifyRequest, _vsmigrate_app_v1_VerifyRequest__Output>
        WatchRequest: MessageTypeDefinition<_vsmigrate_app_v1_WatchRequest, _vsmigrate_app_v1_WatchRequest__Output>
      }
    }
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

