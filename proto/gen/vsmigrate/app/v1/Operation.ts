// Original file: proto/vsmigrate/app/v1/agent_app.proto

import type { ErrorInfo as _vsmigrate_db_v1_ErrorInfo, ErrorInfo__Output as _vsmigrate_db_v1_ErrorInfo__Output } from '../../../vsmigrate/db/v1/ErrorInfo.js';

export interface Operation {
  /**
   * also the name of its run directory
   */
  'id'?: (string);
  /**
   * migrate | rehearse | verify | rollback | install | prisma-switch
   */
  'kind'?: (string);
  /**
   * running | succeeded | failed | cancelled | rolled_back
   */
  'state'?: (string);
  'startedAt'?: (string);
  'finishedAt'?: (string);
  'step'?: (string);
  'error'?: (_vsmigrate_db_v1_ErrorInfo | null);
}

export interface Operation__Output {
  /**
   * also the name of its run directory
   */
  'id': (string);
  /**
   * migrate | rehearse | verify | rollback | install | prisma-switch
   */
  'kind': (string);
  /**
   * running | succeeded | failed | cancelled | rolled_back
   */
  'state': (string);
  'startedAt': (string);
  'finishedAt': (string);
  'step': (string);
  'error': (_vsmigrate_db_v1_ErrorInfo__Output | null);
}
