// Original file: proto/vsmigrate/app/v1/agent_app.proto

import type { DbStatus as _vsmigrate_db_v1_DbStatus, DbStatus__Output as _vsmigrate_db_v1_DbStatus__Output } from '../../../vsmigrate/db/v1/DbStatus.js';
import type { ErrorInfo as _vsmigrate_db_v1_ErrorInfo, ErrorInfo__Output as _vsmigrate_db_v1_ErrorInfo__Output } from '../../../vsmigrate/db/v1/ErrorInfo.js';

export interface AgentDbView {
  'reachable'?: (boolean);
  /**
   * grpc.health.v1 status of agent-db, as seen through the link
   */
  'health'?: (string);
  'status'?: (_vsmigrate_db_v1_DbStatus | null);
  'error'?: (_vsmigrate_db_v1_ErrorInfo | null);
}

export interface AgentDbView__Output {
  'reachable': (boolean);
  /**
   * grpc.health.v1 status of agent-db, as seen through the link
   */
  'health': (string);
  'status': (_vsmigrate_db_v1_DbStatus__Output | null);
  'error': (_vsmigrate_db_v1_ErrorInfo__Output | null);
}
