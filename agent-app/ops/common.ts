// What the operations share: their dependencies, the target as the engine
// reaches it through the link, the URLs the app gets after a switch,
// PostgreSQL's write statistics (what a rollback compares), and the engine's
// events as an operation's events.
import type { Logger } from '../../shared/logger.js';
import { databaseUrl } from '../../shared/database-url.js';
import type { AgentAppConfig } from '../config.js';
import type { Paired } from '../link/paired.js';
import type { ServiceManager } from '../host/service-manager.js';
import type { OpContext } from './operations.js';
import type { EngineEvent } from '../engine/migrate.js';
import { operationEventOf } from '../engine/events.js';
import { VsError } from '../../shared/errors.js';
import type { Finding__Output } from '../../proto/gen/vsmigrate/app/v1/Finding.js';
import * as target from '../engine/target.js';
import type { TargetConfig } from '../engine/target.js';

export interface CutoverDeps {
  config: AgentAppConfig;
  paired: Paired;
  services: ServiceManager;
  log: Logger;
}

/** The target as the engine reaches it: the owner role through the link's forward. */
export function targetThroughLink(paired: Paired, database?: string): TargetConfig {
  const p = paired.pairing!;
  return {
    host: '127.0.0.1',
    port: paired.upLink().localPort('postgres'),
    user: p.postgres.user,
    password: p.postgres.password,
    database: database ?? p.postgres.database,
    application_name: 'vsmigrate',
  };
}

/** The URLs the app gets: the external connector, never PostgreSQL directly. */
export function connectorUrls(
  config: AgentAppConfig,
  paired: Paired,
): { DATABASE_URL: string; SHADOW_DATABASE_URL: string } {
  const p = paired.pairing!.postgres;
  const [host, port] = [
    config.connectorListen.slice(0, config.connectorListen.lastIndexOf(':')),
    Number(config.connectorListen.slice(config.connectorListen.lastIndexOf(':') + 1)),
  ];
  const url = (database: string) =>
    databaseUrl({ host, port, user: p.user, password: p.password, database, params: { schema: 'public' } });
  return { DATABASE_URL: url(p.database), SHADOW_DATABASE_URL: url(`${p.database}_shadow`) };
}

/**
 * Rows written per table since statistics began, and what shows the counters
 * were not reset since: the server's start time (a crash or restart discards
 * them) and the database's stats_reset (pg_stat_reset()).
 */
export interface WriteStats {
  counts: Record<string, number>;
  postmasterStart: string;
  statsReset: string | null;
}

export async function writeStats(config: TargetConfig): Promise<WriteStats> {
  const c = await target.connect(config);
  try {
    const r = await c.query<{ relname: string; n: string }>(
      'SELECT relname, (n_tup_ins + n_tup_upd + n_tup_del)::text AS n FROM pg_stat_user_tables',
    );
    const s = await c.query<{ start: string; reset: string | null }>(
      'SELECT pg_postmaster_start_time()::text AS start, (SELECT stats_reset::text FROM pg_stat_database WHERE datname = current_database()) AS reset',
    );
    return {
      counts: Object.fromEntries(r.rows.map((row) => [row.relname, Number(row.n)])),
      postmasterStart: s.rows[0]!.start,
      statsReset: s.rows[0]!.reset,
    };
  } finally {
    await c.end();
  }
}

/** A finding as an operation's event carries it. */
export type EmittedFinding = Finding__Output;

/** The engine's events as the operation's events; `onFinding` sees each finding too. */
export const engineEvent = (ctx: OpContext, onFinding?: (f: EmittedFinding) => void) => (e: EngineEvent) => {
  const event = operationEventOf(e);
  if (event.finding) onFinding?.(event.finding);
  ctx.emit(event);
};

/** The failures of a roll back that went on through every step, as one error with the first one's code. */
export function allFailures(failures: VsError[]): VsError {
  return new VsError(failures[0]!.code, failures.map((f) => `${f.code}: ${f.message}`).join('; '), {
    cause: failures[0],
  });
}
