// Original file: proto/vsmigrate/db/v1/agent_db.proto

import type { ErrorInfo as _vsmigrate_db_v1_ErrorInfo, ErrorInfo__Output as _vsmigrate_db_v1_ErrorInfo__Output } from '../../../vsmigrate/db/v1/ErrorInfo.js';
import type { Long } from '@grpc/proto-loader';

export interface DbStatus {
  'agentVersion'?: (string);
  /**
   * False when agent-db cannot reach PostgreSQL; the fields below are then empty
   * and `error` says why.
   */
  'postgresReachable'?: (boolean);
  /**
   * SHOW server_version
   */
  'serverVersion'?: (string);
  /**
   * SHOW server_version_num
   */
  'serverVersionNum'?: (number);
  /**
   * SHOW password_encryption
   */
  'passwordEncryption'?: (string);
  /**
   * SHOW ssl
   */
  'ssl'?: (boolean);
  /**
   * SHOW listen_addresses
   */
  'listenAddresses'?: (string);
  /**
   * SHOW max_connections
   */
  'maxConnections'?: (number);
  /**
   * rows in pg_stat_activity of client backends
   */
  'connections'?: (number);
  'dataDirectory'?: (string);
  /**
   * statfs of the data directory, available to PostgreSQL
   */
  'diskFreeBytes'?: (number | string | Long);
  'diskTotalBytes'?: (number | string | Long);
  /**
   * Set when ssl is on: the server certificate's notAfter (RFC 3339).
   */
  'sslCertNotAfter'?: (string);
  'error'?: (_vsmigrate_db_v1_ErrorInfo | null);
  /**
   * of agent-db
   */
  'uptimeSeconds'?: (number | string);
}

export interface DbStatus__Output {
  'agentVersion': (string);
  /**
   * False when agent-db cannot reach PostgreSQL; the fields below are then empty
   * and `error` says why.
   */
  'postgresReachable': (boolean);
  /**
   * SHOW server_version
   */
  'serverVersion': (string);
  /**
   * SHOW server_version_num
   */
  'serverVersionNum': (number);
  /**
   * SHOW password_encryption
   */
  'passwordEncryption': (string);
  /**
   * SHOW ssl
   */
  'ssl': (boolean);
  /**
   * SHOW listen_addresses
   */
  'listenAddresses': (string);
  /**
   * SHOW max_connections
   */
  'maxConnections': (number);
  /**
   * rows in pg_stat_activity of client backends
   */
  'connections': (number);
  'dataDirectory': (string);
  /**
   * statfs of the data directory, available to PostgreSQL
   */
  'diskFreeBytes': (string);
  'diskTotalBytes': (string);
  /**
   * Set when ssl is on: the server certificate's notAfter (RFC 3339).
   */
  'sslCertNotAfter': (string);
  'error': (_vsmigrate_db_v1_ErrorInfo__Output | null);
  /**
   * of agent-db
   */
  'uptimeSeconds': (number);
}
