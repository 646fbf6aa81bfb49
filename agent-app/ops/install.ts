// `vsctl install`, inside agent-app: the path for a new deployment with no
// SQLite. The database and its shadow through agent-db, the schema Prisma would
// create and its baseline, the env files pointed at the connector, the start
// and the health probe; a failed start puts the env files back.
import { randomUUID, createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VsError, fromPgError } from '../../shared/errors.js';
import type { OpBody, OpOutcome } from './operations.js';
import { restoreEnvFiles, switchEnvFiles } from '../host/env-switch.js';
import { probeHealth } from '../host/health-probe.js';
import { connectorUrls, targetThroughLink } from './common.js';
import type { CutoverDeps } from './common.js';
import { readSchemaFile } from '../engine/prisma-schema.js';
import { MIGRATION_LOCK, migrationSql } from '../engine/pg-ddl.js';
import { BASELINE_NAME } from '../engine/migrate.js';
import * as target from '../engine/target.js';

export function installBody(deps: CutoverDeps): OpBody {
  const { config, paired, services } = deps;
  return async (ctx): Promise<OpOutcome> => {
    const p = paired.pairing;
    if (!p) throw new VsError('VS_ERR_NOT_PAIRED', 'pair this host first (vsctl pair --bundle FILE)');
    await ctx.step(
      'provision',
      async () => {
        const main = await paired.agentDb!.ensureDatabase(p.postgres.database, p.postgres.user);
        const shadow = await paired.agentDb!.ensureDatabase(`${p.postgres.database}_shadow`, p.postgres.user);
        return [...main.changes, ...shadow.changes];
      },
      (changes) => changes.join('; ') || 'database and role already as they should be',
    );
    const schema = await readSchemaFile(config.prismaSchema);
    await ctx.step(
      'schema',
      async () => {
        const c = await target.connect(targetThroughLink(paired));
        try {
          const state = await target.inspectTarget(c);
          if (state.kind !== 'empty')
            throw new VsError(
              'VS_ERR_TARGET_NOT_EMPTY',
              `database ${p.postgres.database} is not empty; install is for new deployments (use vsctl migrate to move an existing one)`,
            );
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
      },
      (d) => d,
    );
    const stamp = new Date();
    ctx.save('switchStamp', stamp.toISOString());
    const edits = await ctx.step(
      'switch',
      async () => {
        const e = await switchEnvFiles(config.envFiles, connectorUrls(config, paired), stamp);
        ctx.save('envEdits', e);
        return e;
      },
      (e) =>
        `DATABASE_URL and SHADOW_DATABASE_URL point at the connector in ${e.map((x) => x.path).join(', ') || 'no file (none of envFiles exists)'}`,
    );
    try {
      await ctx.step(
        'start',
        async () => {
          const st = await services.state(config.backendUnit);
          if (st.active) await services.restart(config.backendUnit);
          else await services.start(config.backendUnit);
          return probeHealth(services, config);
        },
        (d) => d,
      );
    } catch (err) {
      await ctx.step(
        'roll back',
        async () => {
          const r = await restoreEnvFiles(config.envFiles, edits, stamp);
          await services.stop(config.backendUnit).catch(() => {});
          const failed = r.failed.map((f) => `; ${f.code}: ${f.message}`).join('');
          return `restored ${r.restored.join(', ') || 'nothing'}; ${config.backendUnit} stopped; the database keeps its empty schema${failed}`;
        },
        (d) => d,
      );
      throw err;
    }
    return { state: 'succeeded' };
  };
}
