// The root logger: pino, JSON to stdout (journald keeps it), fixed messages with
// data in fields, and redaction of anything that can hold a secret. Children are
// made per call and per operation.
import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';

export type { Logger } from 'pino';

/** Field names whose values are never written, wherever they appear (two levels deep). */
const SECRET_FIELDS = [
  'password',
  'token',
  'agentDbToken',
  'privateKey',
  'passphrase',
  'secret',
  'authorization',
  'connectionString',
  'databaseUrl',
  'DATABASE_URL',
  'SHADOW_DATABASE_URL',
  'POSTGRES_PASSWORD',
  'AGENT_DB_TOKEN',
  'SSH_PRIVATE_KEY_BASE64',
];

export const REDACT_PATHS = SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]);

export interface LoggerOptions {
  name: string;
  level?: string;
  /** Where the JSON lines go; stdout by default. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      name: options.name,
      level: options.level ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? pino.destination({ fd: 1, sync: true }),
  );
}
