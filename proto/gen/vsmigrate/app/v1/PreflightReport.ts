// Original file: proto/vsmigrate/app/v1/agent_app.proto

import type { PreflightCheck as _vsmigrate_app_v1_PreflightCheck, PreflightCheck__Output as _vsmigrate_app_v1_PreflightCheck__Output } from '../../../vsmigrate/app/v1/PreflightCheck.js';

export interface PreflightReport {
  'checks'?: (_vsmigrate_app_v1_PreflightCheck)[];
  'ok'?: (boolean);
}

export interface PreflightReport__Output {
  'checks': (_vsmigrate_app_v1_PreflightCheck__Output)[];
  'ok': (boolean);
}
