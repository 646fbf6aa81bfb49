// Original file: proto/vsmigrate/app/v1/agent_app.proto

import type { PreflightCheck as _vsmigrate_app_v1_PreflightCheck, PreflightCheck__Output as _vsmigrate_app_v1_PreflightCheck__Output } from '../../../vsmigrate/app/v1/PreflightCheck.js';
import type { Finding as _vsmigrate_app_v1_Finding, Finding__Output as _vsmigrate_app_v1_Finding__Output } from '../../../vsmigrate/app/v1/Finding.js';
import type { RehearsalTable as _vsmigrate_app_v1_RehearsalTable, RehearsalTable__Output as _vsmigrate_app_v1_RehearsalTable__Output } from '../../../vsmigrate/app/v1/RehearsalTable.js';
import type { RehearsalVerification as _vsmigrate_app_v1_RehearsalVerification, RehearsalVerification__Output as _vsmigrate_app_v1_RehearsalVerification__Output } from '../../../vsmigrate/app/v1/RehearsalVerification.js';
import type { ProjectedDowntime as _vsmigrate_app_v1_ProjectedDowntime, ProjectedDowntime__Output as _vsmigrate_app_v1_ProjectedDowntime__Output } from '../../../vsmigrate/app/v1/ProjectedDowntime.js';
import type { RehearsalLoad as _vsmigrate_app_v1_RehearsalLoad, RehearsalLoad__Output as _vsmigrate_app_v1_RehearsalLoad__Output } from '../../../vsmigrate/app/v1/RehearsalLoad.js';

/**
 * What a rehearsal found and projects: its verdict, the preflight, the lint's
 * findings, each step's and table's time, the verification and the downtime a
 * real run would cause, and the load it put on the host.
 */
export interface RehearsalReport {
  'host'?: (string);
  'operation'?: (string);
  /**
   * "would succeed" | "would fail"
   */
  'verdict'?: (string);
  'reasons'?: (string)[];
  'preflight'?: (_vsmigrate_app_v1_PreflightCheck)[];
  'findings'?: (_vsmigrate_app_v1_Finding)[];
  /**
   * step name -> seconds
   */
  'steps'?: ({[key: string]: number | string});
  'tables'?: (_vsmigrate_app_v1_RehearsalTable)[];
  /**
   * unset when the run did not get that far
   */
  'verification'?: (_vsmigrate_app_v1_RehearsalVerification | null);
  /**
   * online, the default; unset when the run did not get that far
   */
  'projectedDowntime'?: (_vsmigrate_app_v1_ProjectedDowntime | null);
  'load'?: (_vsmigrate_app_v1_RehearsalLoad | null);
  'scratchDatabase'?: (string);
  'kept'?: (boolean);
  /**
   * with --offline
   */
  'projectedOfflineDowntime'?: (_vsmigrate_app_v1_ProjectedDowntime | null);
}

/**
 * What a rehearsal found and projects: its verdict, the preflight, the lint's
 * findings, each step's and table's time, the verification and the downtime a
 * real run would cause, and the load it put on the host.
 */
export interface RehearsalReport__Output {
  'host': (string);
  'operation': (string);
  /**
   * "would succeed" | "would fail"
   */
  'verdict': (string);
  'reasons': (string)[];
  'preflight': (_vsmigrate_app_v1_PreflightCheck__Output)[];
  'findings': (_vsmigrate_app_v1_Finding__Output)[];
  /**
   * step name -> seconds
   */
  'steps': ({[key: string]: number});
  'tables': (_vsmigrate_app_v1_RehearsalTable__Output)[];
  /**
   * unset when the run did not get that far
   */
  'verification': (_vsmigrate_app_v1_RehearsalVerification__Output | null);
  /**
   * online, the default; unset when the run did not get that far
   */
  'projectedDowntime': (_vsmigrate_app_v1_ProjectedDowntime__Output | null);
  'load': (_vsmigrate_app_v1_RehearsalLoad__Output | null);
  'scratchDatabase': (string);
  'kept': (boolean);
  /**
   * with --offline
   */
  'projectedOfflineDowntime': (_vsmigrate_app_v1_ProjectedDowntime__Output | null);
}
