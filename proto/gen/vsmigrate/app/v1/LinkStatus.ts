// Original file: proto/vsmigrate/app/v1/agent_app.proto

import type { ErrorInfo as _vsmigrate_db_v1_ErrorInfo, ErrorInfo__Output as _vsmigrate_db_v1_ErrorInfo__Output } from '../../../vsmigrate/db/v1/ErrorInfo.js';

export interface LinkStatus {
  /**
   * unpaired | connecting | up | down | failed
   */
  'state'?: (string);
  'sshHost'?: (string);
  'sshPort'?: (number);
  'sshUser'?: (string);
  /**
   * of the pinned key, SHA256:...
   */
  'hostKeyFingerprint'?: (string);
  /**
   * RFC 3339, when the state last changed
   */
  'since'?: (string);
  'reconnects'?: (number);
  'lastError'?: (_vsmigrate_db_v1_ErrorInfo | null);
}

export interface LinkStatus__Output {
  /**
   * unpaired | connecting | up | down | failed
   */
  'state': (string);
  'sshHost': (string);
  'sshPort': (number);
  'sshUser': (string);
  /**
   * of the pinned key, SHA256:...
   */
  'hostKeyFingerprint': (string);
  /**
   * RFC 3339, when the state last changed
   */
  'since': (string);
  'reconnects': (number);
  'lastError': (_vsmigrate_db_v1_ErrorInfo__Output | null);
}
