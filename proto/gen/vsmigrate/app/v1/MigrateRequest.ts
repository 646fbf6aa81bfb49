// Original file: proto/vsmigrate/app/v1/agent_app.proto

import type { Policy as _vsmigrate_app_v1_Policy, Policy__Output as _vsmigrate_app_v1_Policy__Output } from '../../../vsmigrate/app/v1/Policy.js';

export interface MigrateRequest {
  /**
   * back up and replace a target that holds data
   */
  'replaceTarget'?: (boolean);
  'policies'?: (_vsmigrate_app_v1_Policy)[];
  'dryRun'?: (boolean);
}

export interface MigrateRequest__Output {
  /**
   * back up and replace a target that holds data
   */
  'replaceTarget': (boolean);
  'policies': (_vsmigrate_app_v1_Policy__Output)[];
  'dryRun': (boolean);
}
