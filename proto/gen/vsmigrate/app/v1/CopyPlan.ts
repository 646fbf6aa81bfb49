// Original file: proto/vsmigrate/app/v1/agent_app.proto

import type { TableProgress as _vsmigrate_app_v1_TableProgress, TableProgress__Output as _vsmigrate_app_v1_TableProgress__Output } from '../../../vsmigrate/app/v1/TableProgress.js';

/**
 * The tables a copy moves, with their totals, sent once before its first table event.
 */
export interface CopyPlan {
  'tables'?: (_vsmigrate_app_v1_TableProgress)[];
}

/**
 * The tables a copy moves, with their totals, sent once before its first table event.
 */
export interface CopyPlan__Output {
  'tables': (_vsmigrate_app_v1_TableProgress__Output)[];
}
