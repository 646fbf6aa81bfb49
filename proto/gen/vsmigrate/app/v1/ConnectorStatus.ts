// Original file: proto/vsmigrate/app/v1/agent_app.proto

import type { ErrorInfo as _vsmigrate_db_v1_ErrorInfo, ErrorInfo__Output as _vsmigrate_db_v1_ErrorInfo__Output } from '../../../vsmigrate/db/v1/ErrorInfo.js';
import type { Long } from '@grpc/proto-loader';

export interface ConnectorStatus {
  'configured'?: (boolean);
  /**
   * ok | degraded | down
   */
  'status'?: (string);
  /**
   * ssh | tls | none
   */
  'route'?: (string);
  'listen'?: (string);
  'openConnections'?: (number);
  'bytesToServer'?: (number | string | Long);
  'bytesToClient'?: (number | string | Long);
  'lastRouteChange'?: (string);
  'lastError'?: (_vsmigrate_db_v1_ErrorInfo | null);
}

export interface ConnectorStatus__Output {
  'configured': (boolean);
  /**
   * ok | degraded | down
   */
  'status': (string);
  /**
   * ssh | tls | none
   */
  'route': (string);
  'listen': (string);
  'openConnections': (number);
  'bytesToServer': (string);
  'bytesToClient': (string);
  'lastRouteChange': (string);
  'lastError': (_vsmigrate_db_v1_ErrorInfo__Output | null);
}
