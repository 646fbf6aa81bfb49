// Original file: proto/vsmigrate/db/v1/agent_db.proto

import type { Long } from '@grpc/proto-loader';

export interface Backup {
  /**
   * on the PostgreSQL host, in agent-db's state directory
   */
  'path'?: (string);
  'sizeBytes'?: (number | string | Long);
  'sha256'?: (string);
  /**
   * RFC 3339
   */
  'createdAt'?: (string);
}

export interface Backup__Output {
  /**
   * on the PostgreSQL host, in agent-db's state directory
   */
  'path': (string);
  'sizeBytes': (string);
  'sha256': (string);
  /**
   * RFC 3339
   */
  'createdAt': (string);
}
