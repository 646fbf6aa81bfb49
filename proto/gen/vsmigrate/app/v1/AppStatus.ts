// Original file: proto/vsmigrate/app/v1/agent_app.proto

import type { AgentInfo as _vsmigrate_app_v1_AgentInfo, AgentInfo__Output as _vsmigrate_app_v1_AgentInfo__Output } from '../../../vsmigrate/app/v1/AgentInfo.js';
import type { LinkStatus as _vsmigrate_app_v1_LinkStatus, LinkStatus__Output as _vsmigrate_app_v1_LinkStatus__Output } from '../../../vsmigrate/app/v1/LinkStatus.js';
import type { AgentDbView as _vsmigrate_app_v1_AgentDbView, AgentDbView__Output as _vsmigrate_app_v1_AgentDbView__Output } from '../../../vsmigrate/app/v1/AgentDbView.js';
import type { ConnectorStatus as _vsmigrate_app_v1_ConnectorStatus, ConnectorStatus__Output as _vsmigrate_app_v1_ConnectorStatus__Output } from '../../../vsmigrate/app/v1/ConnectorStatus.js';
import type { Operation as _vsmigrate_app_v1_Operation, Operation__Output as _vsmigrate_app_v1_Operation__Output } from '../../../vsmigrate/app/v1/Operation.js';
import type { PrismaFiles as _vsmigrate_app_v1_PrismaFiles, PrismaFiles__Output as _vsmigrate_app_v1_PrismaFiles__Output } from '../../../vsmigrate/app/v1/PrismaFiles.js';

export interface AppStatus {
  'agent'?: (_vsmigrate_app_v1_AgentInfo | null);
  'link'?: (_vsmigrate_app_v1_LinkStatus | null);
  'agentDb'?: (_vsmigrate_app_v1_AgentDbView | null);
  'connector'?: (_vsmigrate_app_v1_ConnectorStatus | null);
  /**
   * The operation running now, if any.
   */
  'currentOperation'?: (_vsmigrate_app_v1_Operation | null);
  'prisma'?: (_vsmigrate_app_v1_PrismaFiles | null);
}

export interface AppStatus__Output {
  'agent': (_vsmigrate_app_v1_AgentInfo__Output | null);
  'link': (_vsmigrate_app_v1_LinkStatus__Output | null);
  'agentDb': (_vsmigrate_app_v1_AgentDbView__Output | null);
  'connector': (_vsmigrate_app_v1_ConnectorStatus__Output | null);
  /**
   * The operation running now, if any.
   */
  'currentOperation': (_vsmigrate_app_v1_Operation__Output | null);
  'prisma': (_vsmigrate_app_v1_PrismaFiles__Output | null);
}
