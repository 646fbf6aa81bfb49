// `vsctl install`, inside agent-app: the path for a new deployment with no
// SQLite. The database and its shadow through agent-db, the schema Prisma would
// create and its baseline, the env files pointed at the connector and the
// Prisma switch, the start and the health probe; a failed start puts the env
// and Prisma files back.
import { randomUUID, createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VsError, fromPgError, toVsError } from '../../shared/errors.js';
import type { OpBody, OpOutcome } from './operations.js';
import { restoreEnvFiles, switchEnvFiles } from '../host/env-switch.js';
import { restartAndProbe } from '../host/health-probe.js';
import { restorePrismaFiles, schemaFileSha256, switchPrismaFiles } from '../host/prisma-switch.js';
import type { PrismaSwitch } from '../host/prisma-switch.js';
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
    // The schema.prisma read here is the one the Prisma switch may change, and only that one.
    const schemaSha256 = schemaFileSha256(config.prismaSchema);
    const schema = await readSchemaFile(config.prismaSchema);
    const baseline = join(ctx.runDir, 'prisma', 'migrations');
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
          await mkdir(join(baseline, BASELINE_NAME), { recursive: true });
          await writeFile(join(baseline, BASELINE_NAME, 'migration.sql'), sql);
          await writeFile(join(baseline, 'migration_lock.toml'), MIGRATION_LOCK);
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
        const e = await switchEnvFiles(config.envFiles, connectorUrls(config, paired), stamp, (x) =>
          ctx.save('envEdits', x),
        );
        await switchPrismaFiles(config.prismaSchema, schemaSha256, baseline, ctx.id, stamp, (x) =>
          ctx.save('prismaSwitch', x),
        );
        return e;
      },
      (e) =>
        `DATABASE_URL and SHADOW_DATABASE_URL point at the connector in ${e.map((x) => x.path).join(', ') || 'no file (none of envFiles exists)'}; schema.prisma names postgresql, the baseline is in its migrations directory`,
    );
    try {
      await ctx.step(
        'start',
        () => restartAndProbe(services, config),
        (d) => d,
      );
    } catch (err) {
      await ctx.step(
        'roll back',
        async () => {
          const r = await restoreEnvFiles(config.envFiles, edits, stamp);
          const prisma = ctx.load<PrismaSwitch>('prismaSwitch');
          const prismaDone = prisma
            ? await restorePrismaFiles(prisma, true).catch((e: unknown) => [
                `${toVsError(e).code}: ${toVsError(e).message}`,
              ])
            : [];
          await services.stop(config.backendUnit).catch(() => {});
          const failed = r.failed.map((f) => `; ${f.code}: ${f.message}`).join('');
          return `restored ${[...r.restored, ...prismaDone].join(', ') || 'nothing'}; ${config.backendUnit} stopped; the database keeps its empty schema${failed}`;
        },
        (d) => d,
      );
      throw err;
    }
    return { state: 'succeeded' };
  };
}
