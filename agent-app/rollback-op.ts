// `vsctl rollback [<run>]` and `vsctl install`, inside agent-app.
//
// Rollback undoes a finished migration: it stops the writers (their
// PostgreSQL sessions end and flush their statistics), refuses when PostgreSQL
// received writes since the switch unless the operator accepts losing them,
// restores the run's env files, unseals SQLite, restarts the app and proves it
// healthy on SQLite.
//
// Install is the path for a new deployment with no SQLite: the database
// through agent-db, Prisma's schema and baseline, the env files, the start.
import { randomUUID, createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RollbackRequest__Output } from '../proto/gen/vsmigrate/app/v1/RollbackRequest.js';
import { VsError, fromPgError } from '../shared/errors.js';
import type { OpBody, OpOutcome } from './operations.js';
import type { Operations } from './operations.js';
import { freeze, probeHealth, restoreEnvFiles, switchEnvFiles, unitsToStart, unseal } from './cutover.js';
import type { EnvEdit } from './cutover.js';
import { connectorUrls, targetThroughLink, writeCounts } from './migrate-op.js';
import type { CutoverDeps } from './migrate-op.js';
import { readSchemaFile } from './engine/prisma-schema.js';
import { MIGRATION_LOCK, migrationSql } from './engine/pg-ddl.js';
import { BASELINE_NAME } from './engine/migrate.js';
import * as target from './engine/target.js';

/** The run a rollback undoes: the one named, or the last migration that switched. */
export function runToRollBack(ops: Operations, runId: string): string {
  if (runId) {
    const op = ops.get(runId);
    if (op.kind !== 'migrate' || op.state !== 'succeeded') throw new VsError('VS_ERR_NOT_FOUND', `${runId} is a ${op.kind} that ${op.state}; only a migration that succeeded can be rolled back`);
    return runId;
  }
  const last = ops.lastSucceededMigration();
  if (!last) throw new VsError('VS_ERR_NOT_FOUND', 'no migration has succeeded here; there is nothing to roll back');
  return last;
}

/** PostgreSQL sessions of the owner role, other than this agent's; the stopped app's end within seconds. */
async function waitForAppSessions(deps: CutoverDeps, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const c = await target.connect(targetThroughLink(deps.paired));
  try {
    while (Date.now() < deadline) {
      const r = await c.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = current_user AND pid <> pg_backend_pid() AND application_name <> 'vsmigrate'");
      if (r.rows[0]!.n === 0) return;
      await new Promise((res) => setTimeout(res, 200));
    }
  } finally {
    await c.end();
  }
}

export function rollbackBody(deps: CutoverDeps, ops: Operations, req: RollbackRequest__Output, runId: string): OpBody {
  const { config, services } = deps;
  return async (ctx): Promise<OpOutcome> => {
    const fact = <T>(key: string) => ops.journal.load<T>(runId, key);
    const sqlitePath = fact<string>('sqlitePath') ?? config.sqlitePath;
    ctx.log('info', `rolling back ${runId}`);
    const stopped = await ctx.step('stop the app', async () => (await freeze(services, config.writerUnits, (l) => ctx.log('info', l))).stopped, (u) => `stopped ${u.join(', ') || 'nothing'}`);
    const restart = async () => {
      for (const unit of unitsToStart(stopped, config.backendUnit)) if ((await services.state(unit)).exists) await services.start(unit);
    };
    try {
      await ctx.step('writes since the switch', async () => {
        await waitForAppSessions(deps, 10_000);
        const before = fact<Record<string, number>>('pgWrites') ?? {};
        const now = await writeCounts(targetThroughLink(deps.paired));
        const grown = Object.entries(now)
          .map(([table, n]) => [table, n - (before[table] ?? 0)] as const)
          .filter(([, d]) => d > 0)
          .sort((a, b) => b[1] - a[1]);
        const list = grown.map(([t, d]) => `${t} (${d} row${d === 1 ? '' : 's'} written)`).join(', ');
        if (grown.length > 0 && !req.acceptLoss) {
          throw new VsError('VS_ERR_ROLLBACK_LOSS', `PostgreSQL received writes since the switch that SQLite does not have: ${list}; refusing (--accept-loss to roll back anyway)`, {
            details: { tables: grown.length },
          });
        }
        return grown.length > 0 ? `accepted loss: ${list}` : 'none';
      }, (d) => d);
    } catch (err) {
      await ctx.step('restart on PostgreSQL', async () => {
        await restart();
        return probeHealth(services, config);
      }, (d) => `${d}; nothing was changed`);
      throw err;
    }
    await ctx.step('restore', async () => {
      const stamp = new Date(fact<string>('switchStamp') ?? Date.now());
      const restored = await restoreEnvFiles(config.envFiles, fact<EnvEdit[]>('envEdits') ?? [], stamp);
      const mode = fact<number>('sealedMode');
      if (mode !== undefined) await unseal(sqlitePath, mode);
      return `restored ${restored.join(', ')}; ${sqlitePath} writable again`;
    }, (d) => d);
    await ctx.step('restart on SQLite', async () => {
      await restart();
      return probeHealth(services, config);
    }, (d) => d);
    return { state: 'succeeded' };
  };
}

export function installBody(deps: CutoverDeps): OpBody {
  const { config, paired, services } = deps;
  return async (ctx): Promise<OpOutcome> => {
    const p = paired.pairing;
    if (!p) throw new VsError('VS_ERR_NOT_PAIRED', 'pair this host first (vsctl pair --bundle FILE)');
    await ctx.step('provision', async () => {
      const main = await paired.agentDb!.ensureDatabase(p.postgres.database, p.postgres.user);
      const shadow = await paired.agentDb!.ensureDatabase(`${p.postgres.database}_shadow`, p.postgres.user);
      return [...main.changes, ...shadow.changes];
    }, (changes) => changes.join('; ') || 'database and role already as they should be');
    const schema = await readSchemaFile(config.prismaSchema);
    await ctx.step('schema', async () => {
      const c = await target.connect(targetThroughLink(paired));
      try {
        const state = await target.inspectTarget(c);
        if (state.kind !== 'empty') throw new VsError('VS_ERR_TARGET_NOT_EMPTY', `database ${p.postgres.database} is not empty; install is for new deployments (use vsctl migrate to move an existing one)`);
        const sql = migrationSql(schema);
        try {
          await c.query('BEGIN');
          await c.query(sql);
          await c.query('COMMIT');
        } catch (err) {
          await c.query('ROLLBACK').catch(() => {});
          throw fromPgError(err, 'create the schema');
        }
        await target.writeBaseline(c, BASELINE_NAME, createHash('sha256').update(sql).digest('hex'), randomUUID());
        await writeFile(join(ctx.runDir, 'migration.sql'), sql);
        await writeFile(join(ctx.runDir, 'migration_lock.toml'), MIGRATION_LOCK);
        return `${schema.tables.length} tables, ${schema.enums.length} enums, baseline ${BASELINE_NAME}`;
      } finally {
        await c.end();
      }
    }, (d) => d);
    const stamp = new Date();
    ctx.save('switchStamp', stamp.toISOString());
    const edits = await ctx.step('switch', async () => {
      const e = await switchEnvFiles(config.envFiles, connectorUrls(config, paired), stamp);
      ctx.save('envEdits', e);
      return e;
    }, (e) => `DATABASE_URL and SHADOW_DATABASE_URL point at the connector in ${e.map((x) => x.path).join(', ') || 'no file (none of envFiles exists)'}`);
    try {
      await ctx.step('start', async () => {
        const st = await services.state(config.backendUnit);
        if (st.active) await services.restart(config.backendUnit);
        else await services.start(config.backendUnit);
        return probeHealth(services, config);
      }, (d) => d);
    } catch (err) {
      await ctx.step('roll back', async () => {
        const restored = await restoreEnvFiles(config.envFiles, edits, stamp);
        await services.stop(config.backendUnit).catch(() => {});
        return `restored ${restored.join(', ') || 'nothing'}; ${config.backendUnit} stopped; the database keeps its empty schema`;
      }, (d) => d);
      throw err;
    }
    return { state: 'succeeded' };
  };
}
