// Original file: proto/vsmigrate/app/v1/agent_app.proto

import type { RehearsalReport as _vsmigrate_app_v1_RehearsalReport, RehearsalReport__Output as _vsmigrate_app_v1_RehearsalReport__Output } from '../../../vsmigrate/app/v1/RehearsalReport.js';

export interface Report {
  'runId'?: (string);
  'json'?: (string);
  'markdown'?: (string);
  /**
   * A rehearsal's report as a message (set for rehearsals only): what vsctl and the fleet report read.
   */
  'rehearsal'?: (_vsmigrate_app_v1_RehearsalReport | null);
}

export interface Report__Output {
  'runId': (string);
  'json': (string);
  'markdown': (string);
  /**
   * A rehearsal's report as a message (set for rehearsals only): what vsctl and the fleet report read.
   */
  'rehearsal': (_vsmigrate_app_v1_RehearsalReport__Output | null);
}
