// `vsctl prisma-switch`, inside agent-app: the Prisma switch alone, for an app
// that runs on PostgreSQL but whose update (git pull, maintenance.sh update)
// brought back provider "sqlite" and the SQLite migrations, so that its Prisma
// Client refuses to start. It switches the files again with the baseline of
// the cutover that moved the app (a migration or an install), records that
// switch in the cutover's journal (so that a rollback restores the files the
// update brought, not older ones), restarts the app and probes its health.
// Idempotent: files that already agree with DATABASE_URL are left alone.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { VsError } from '../../shared/errors.js';
import { restartAndProbe } from '../host/health-probe.js';
import { prismaAgreement, schemaFileSha256, switchPrismaFiles } from '../host/prisma-switch.js';
import type { PrismaSwitch } from '../host/prisma-switch.js';
import type { CutoverDeps } from './common.js';
import type { OpBody, OpOutcome, Operations } from './operations.js';

/** The last migration or install that switched the app, with the baseline it generated. */
function lastCutover(ops: Operations): { id: string; baseline: string } {
  const op = ops
    .list(200)
    .find(
      (o) =>
        (o.kind === 'migrate' || o.kind === 'install') &&
        o.state === 'succeeded' &&
        existsSync(join(ops.runDir(o.id!), 'prisma', 'migrations')),
    );
  if (!op?.id)
    throw new VsError(
      'VS_ERR_NOT_FOUND',
      'no migration or install has moved this app to PostgreSQL here, so there is no baseline to switch to',
    );
  return { id: op.id, baseline: join(ops.runDir(op.id), 'prisma', 'migrations') };
}

export function prismaSwitchBody(deps: CutoverDeps, ops: Operations): OpBody {
  const { config, services } = deps;
  return async (ctx): Promise<OpOutcome> => {
    const before = prismaAgreement(config.prismaSchema, config.envFiles);
    if (before.databaseUrl !== 'postgresql')
      throw new VsError(
        'VS_ERR_NOT_FOUND',
        `DATABASE_URL points at ${before.databaseUrl === 'sqlite' ? 'the SQLite file' : `no one database (${before.databaseUrl})`}; the Prisma switch alone is for an app already on PostgreSQL (vsctl migrate switches them as it moves the app)`,
      );
    if (!before.problem) {
      await ctx.step(
        'prisma switch',
        async () => null,
        () =>
          `nothing to do: ${config.prismaSchema} names "${before.provider}"${before.migrationsProvider ? ` and migration_lock.toml "${before.migrationsProvider}"` : ''}, as DATABASE_URL does`,
      );
      return { state: 'succeeded' };
    }
    const cutover = lastCutover(ops);
    await ctx.step(
      'prisma switch',
      () =>
        switchPrismaFiles(
          config.prismaSchema,
          schemaFileSha256(config.prismaSchema),
          cutover.baseline,
          ctx.id,
          new Date(),
          (x: PrismaSwitch) => {
            ctx.save('prismaSwitch', x);
            // The cutover's rollback restores the files this switch replaced: the update's.
            ops.journal.save(cutover.id, 'prismaSwitch', x);
          },
        ),
      (x) =>
        `${x.schemaPath} names provider "postgresql"; ${cutover.id}'s baseline is in ${x.migrationsDir}` +
        (x.historyAside ? `, the SQLite history the update brought kept in ${x.historyAside}` : ''),
    );
    await ctx.step(
      'restart',
      () => restartAndProbe(services, config),
      (d) => d,
    );
    return { state: 'succeeded' };
  };
}
