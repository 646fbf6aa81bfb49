// Original file: proto/vsmigrate/app/v1/agent_app.proto

import type { ErrorInfo as _vsmigrate_db_v1_ErrorInfo, ErrorInfo__Output as _vsmigrate_db_v1_ErrorInfo__Output } from '../../../vsmigrate/db/v1/ErrorInfo.js';

export interface PreflightCheck {
  'name'?: (string);
  /**
   * ok | warn | fail | skip
   */
  'status'?: (string);
  'detail'?: (string);
  'error'?: (_vsmigrate_db_v1_ErrorInfo | null);
}

export interface PreflightCheck__Output {
  'name': (string);
  /**
   * ok | warn | fail | skip
   */
  'status': (string);
  'detail': (string);
  'error': (_vsmigrate_db_v1_ErrorInfo__Output | null);
}
