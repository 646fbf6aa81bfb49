// `vsctl rollback [<run>]`, inside agent-app.
//
// Rollback undoes a finished migration: it stops the writers (their
// PostgreSQL sessions end and flush their statistics), refuses when PostgreSQL
// may hold writes since the switch unless the operator accepts losing them,
// restores the run's env files, unseals SQLite, restarts the app and proves it
// healthy on SQLite. The loss guard fails closed: write counters count only
// while they provably were not reset, and each table's content is compared
// with its sums recorded at the switch.
import type { RollbackRequest__Output } from '../../proto/gen/vsmigrate/app/v1/RollbackRequest.js';
import { VsError, toVsError } from '../../shared/errors.js';
import type { OpBody, OpOutcome } from './operations.js';
import type { Operations } from './operations.js';
import { allFailures, targetThroughLink, writeStats } from './common.js';
import type { WriteStats } from './common.js';
import { targetContentSums } from '../engine/verify.js';
import type { ContentSums } from '../engine/verify.js';
import type { CutoverDeps } from './common.js';
import { readSchemaFile } from '../engine/prisma-schema.js';
import * as target from '../engine/target.js';
import { freeze, unitsToStart, unseal } from '../host/freeze.js';
import { notOnSqlite, restoreEnvFiles } from '../host/env-switch.js';
import type { EnvEdit } from '../host/env-switch.js';
import { probeHealth } from '../host/health-probe.js';
import { prismaChangedSince, restorePrismaFiles } from '../host/prisma-switch.js';
import type { PrismaSwitch } from '../host/prisma-switch.js';

/** The run a rollback undoes: the one named, or the last migration that switched. */
export function runToRollBack(ops: Operations, runId: string): string {
  if (runId) {
    const op = ops.get(runId);
    if (op.kind !== 'migrate' || op.state !== 'succeeded')
      throw new VsError(
        'VS_ERR_NOT_FOUND',
        `${runId} is a ${op.kind} that ${op.state}; only a migration that succeeded can be rolled back`,
      );
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
      const r = await c.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = current_user AND pid <> pg_backend_pid() AND application_name <> 'vsmigrate'",
      );
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
    const stopped = await ctx.step(
      'stop the app',
      async () => (await freeze(services, config.writerUnits, (l) => ctx.log('info', l))).stopped,
      (u) => `stopped ${u.join(', ') || 'nothing'}`,
    );
    const restart = async () => {
      for (const unit of unitsToStart(stopped, config.backendUnit))
        if ((await services.state(unit)).exists) await services.start(unit);
    };
    try {
      await ctx.step(
        'writes since the switch',
        async () => {
          await waitForAppSessions(deps, 10_000);
          const atSwitch = fact<WriteStats>('pgWrites');
          const now = await writeStats(targetThroughLink(deps.paired));
          // Counters prove nothing once reset: a restart or crash of PostgreSQL, or pg_stat_reset().
          const unproven: string[] = [];
          if (!atSwitch?.counts) unproven.push('no write counters were recorded at the switch');
          else {
            if (now.postmasterStart !== atSwitch.postmasterStart)
              unproven.push(`PostgreSQL restarted since the switch (up since ${now.postmasterStart})`);
            if (now.statsReset !== atSwitch.statsReset)
              unproven.push(`its statistics were reset since the switch (${now.statsReset ?? 'discarded'})`);
            const lower = Object.keys(atSwitch.counts).filter((t) => (now.counts[t] ?? 0) < atSwitch.counts[t]!);
            if (lower.length > 0) unproven.push(`write counters went down (${lower.join(', ')})`);
          }
          const grown =
            unproven.length > 0
              ? []
              : Object.entries(now.counts)
                  .map(([table, n]) => [table, n - (atSwitch!.counts[table] ?? 0)] as const)
                  .filter(([, d]) => d > 0)
                  .sort((a, b) => b[1] - a[1]);
          const lost = grown.map(([t, d]) => `${t} (${d} row${d === 1 ? '' : 's'} written)`);
          // The content decides whenever the counters cannot, and catches what they do not count (TRUNCATE).
          const sums = fact<ContentSums>('switchSums');
          let content = '';
          if (sums && lost.length === 0) {
            const current = await targetContentSums(
              targetThroughLink(deps.paired),
              await readSchemaFile(config.prismaSchema),
            );
            const differ = Object.keys(sums).filter(
              (t) => current[t]?.rows !== sums[t]!.rows || current[t]?.sum !== sums[t]!.sum,
            );
            for (const t of differ)
              lost.push(
                `${t} (${sums[t]!.rows} rows at the switch, ${current[t]?.rows ?? 'none'} now, content differs)`,
              );
            content =
              differ.length === 0
                ? `; every table's content equals the switch's (${Object.keys(sums).length} tables compared)`
                : '';
          } else if (!sums && unproven.length > 0) {
            lost.push(
              `cannot prove there were none: ${unproven.join('; ')}, and no content sums were recorded at the switch`,
            );
          }
          if (lost.length > 0 && !req.acceptLoss) {
            throw new VsError(
              'VS_ERR_ROLLBACK_LOSS',
              `PostgreSQL may hold writes since the switch that SQLite does not have: ${lost.join(', ')}; refusing (--accept-loss to roll back anyway)`,
              {
                details: { tables: lost.length },
              },
            );
          }
          if (lost.length > 0) return `accepted loss: ${lost.join(', ')}`;
          return `none${unproven.length > 0 ? ` (counters unusable: ${unproven.join('; ')})` : ''}${content}`;
        },
        (d) => d,
      );
      const prisma = fact<PrismaSwitch>('prismaSwitch');
      if (prisma) {
        await ctx.step(
          'Prisma files',
          async () => {
            const changed = prismaChangedSince(prisma);
            if (changed && !req.forcePrisma) {
              throw new VsError(
                'VS_ERR_SCHEMA_CHANGED',
                `${changed}; restoring it would undo that change: check it, then roll back with --force-prisma`,
                { details: { path: prisma.schemaPath } },
              );
            }
            return changed ? `${changed}; restored anyway (--force-prisma)` : 'as the switch left them';
          },
          (d) => d,
        );
      }
    } catch (err) {
      try {
        await ctx.step(
          'restart on PostgreSQL',
          async () => {
            await restart();
            return probeHealth(services, config);
          },
          (d) => `${d}; nothing was changed`,
        );
      } catch (restartErr) {
        // The refusal comes first: it is why the app is still on PostgreSQL, and what to act on.
        throw allFailures([toVsError(err), toVsError(restartErr)]);
      }
      throw err;
    }
    // Every step runs even when one fails; the app starts whenever the env files say SQLite.
    const failures: VsError[] = [];
    await ctx.step(
      'restore',
      async () => {
        const stamp = new Date(fact<string>('switchStamp') ?? Date.now());
        const r = await restoreEnvFiles(config.envFiles, fact<EnvEdit[]>('envEdits') ?? [], stamp);
        failures.push(...r.failed);
        for (const f of r.failed) ctx.log('error', `restore: ${f.code}: ${f.message}`);
        const prisma = fact<PrismaSwitch>('prismaSwitch');
        // Checked before anything changed (step "Prisma files"): restored as it was now.
        const prismaDone = prisma
          ? await restorePrismaFiles(prisma, true).catch((err: unknown) => (failures.push(toVsError(err)), []))
          : [];
        const mode = fact<number>('sealedMode');
        if (mode !== undefined) await unseal(sqlitePath, mode);
        return [
          `restored ${r.restored.join(', ') || 'no env file (none differed)'}`,
          ...prismaDone,
          `${sqlitePath} writable again`,
        ].join('; ');
      },
      (d) => d,
    );
    const split = notOnSqlite(config.envFiles);
    if (split) failures.push(split);
    else {
      await ctx.step(
        'restart on SQLite',
        async () => {
          await restart();
          return probeHealth(services, config);
        },
        (d) => d,
      );
    }
    if (failures.length > 0) throw allFailures(failures);
    return { state: 'succeeded' };
  };
}
