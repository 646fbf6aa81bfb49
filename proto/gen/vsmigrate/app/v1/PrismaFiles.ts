// Original file: proto/vsmigrate/app/v1/agent_app.proto

import type { ErrorInfo as _vsmigrate_db_v1_ErrorInfo, ErrorInfo__Output as _vsmigrate_db_v1_ErrorInfo__Output } from '../../../vsmigrate/db/v1/ErrorInfo.js';

/**
 * The app's Prisma files against its DATABASE_URL.
 */
export interface PrismaFiles {
  'schemaPath'?: (string);
  /**
   * schema.prisma's datasource provider
   */
  'provider'?: (string);
  /**
   * migration_lock.toml's; empty when there is none
   */
  'migrationsProvider'?: (string);
  /**
   * sqlite | postgresql | split | unset
   */
  'databaseUrl'?: (string);
  /**
   * set when they disagree
   */
  'problem'?: (_vsmigrate_db_v1_ErrorInfo | null);
}

/**
 * The app's Prisma files against its DATABASE_URL.
 */
export interface PrismaFiles__Output {
  'schemaPath': (string);
  /**
   * schema.prisma's datasource provider
   */
  'provider': (string);
  /**
   * migration_lock.toml's; empty when there is none
   */
  'migrationsProvider': (string);
  /**
   * sqlite | postgresql | split | unset
   */
  'databaseUrl': (string);
  /**
   * set when they disagree
   */
  'problem': (_vsmigrate_db_v1_ErrorInfo__Output | null);
}
