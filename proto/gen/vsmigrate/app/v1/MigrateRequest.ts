// Original file: proto/vsmigrate/app/v1/agent_app.proto

import type { Policy as _vsmigrate_app_v1_Policy, Policy__Output as _vsmigrate_app_v1_Policy__Output } from '../../../vsmigrate/app/v1/Policy.js';

export interface MigrateRequest {
  /**
   * back up and replace a target that holds data
   */
  'replaceTarget'?: (boolean);
  'policies'?: (_vsmigrate_app_v1_Policy)[];
  'dryRun'?: (boolean);
  /**
   * Drift between the SQLite file and schema.prisma: "keep-file", "follow-schema"
   * (the default), or "OBJECT=keep-file|follow-schema" for one difference.
   */
  'drift'?: (string)[];
  /**
   * Stop the app for the whole copy, as before the online path (which is the default).
   */
  'offline'?: (boolean);
  /**
   * Online: after the catch-up, wait (catching up on) until `vsctl proceed` gives the go-ahead for the freeze.
   */
  'pauseBeforeFreeze'?: (boolean);
}

export interface MigrateRequest__Output {
  /**
   * back up and replace a target that holds data
   */
  'replaceTarget': (boolean);
  'policies': (_vsmigrate_app_v1_Policy__Output)[];
  'dryRun': (boolean);
  /**
   * Drift between the SQLite file and schema.prisma: "keep-file", "follow-schema"
   * (the default), or "OBJECT=keep-file|follow-schema" for one difference.
   */
  'drift': (string)[];
  /**
   * Stop the app for the whole copy, as before the online path (which is the default).
   */
  'offline': (boolean);
  /**
   * Online: after the catch-up, wait (catching up on) until `vsctl proceed` gives the go-ahead for the freeze.
   */
  'pauseBeforeFreeze': (boolean);
}
