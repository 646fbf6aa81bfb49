// `vsctl migrate`, inside agent-app: DESIGN.md's steps in order, each one
// journaled, so that a restart continues or rolls back instead of guessing.
//
//   preflight → connector → target check         (nothing changed yet)
//   online (the default), while the app serves:
//     pre-copy: snapshot … verify (the engine)   phase "precopied"
//     catch-up rounds (catch-up.ts)
//   freeze                                        phase "frozen"
//   online: the last changes, verified; the        phase "migrated"
//           sequences; no foreign write
//   --offline: snapshot … verify (the engine)
//   switch: env files, Prisma files, hook,        phase "switching" → "switched"
//           restart, probe
//   seal                                          phase "sealed"
//
// Until the freeze the app keeps running on SQLite, so a failure there leaves
// nothing to undo on its host (the target keeps the copy).
// Any failure after the freeze rolls back by itself: env files and Prisma files
// restored, the app restarted on SQLite and probed. A shutdown during the engine pauses the
// run at a checkpoint; the next start resumes it.
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MigrateRequest__Output } from '../../proto/gen/vsmigrate/app/v1/MigrateRequest.js';
import { VsError, toVsError } from '../../shared/errors.js';
import { httpGet } from '../../shared/http-get.js';
import type { OpBody, OpContext, OpOutcome } from './operations.js';
import { checkError, preflightFor, preflightSummary } from './preflight.js';
import { migrate } from '../engine/migrate.js';
import type { MigrateSummary } from '../engine/migrate.js';
import { contentSumsOf } from '../engine/verify.js';
import { readSchemaSource } from '../engine/prisma-schema.js';
import { parsePolicies, policySpecs } from '../engine/lint.js';
import { writeReports } from '../engine/report.js';
import * as target from '../engine/target.js';
import { WriteLock, assertNoHolders, freeze, seal, unitsToStart } from '../host/freeze.js';
import { notOnSqlite, restoreEnvFiles, runHook, switchEnvFiles } from '../host/env-switch.js';
import type { EnvEdit } from '../host/env-switch.js';
import { probeHealth } from '../host/health-probe.js';
import { restorePrismaFiles, schemaFileSha256, switchPrismaFiles } from '../host/prisma-switch.js';
import type { PrismaSwitch } from '../host/prisma-switch.js';
import { allFailures, connectorUrls, engineEvent, targetThroughLink, writeStats } from './common.js';
import { CatchUp, downtimeReport, loadTimes, precopy, saveTimes } from './online.js';
import type { CutoverDeps } from './common.js';

type Phase = 'new' | 'precopied' | 'frozen' | 'migrated' | 'switching' | 'switched' | 'sealed';

/**
 * The version of what a migration keeps in the run journal. 1: offline only
 * (no `journalVersion` fact); 2: the online phases. A run started by a newer
 * agent is not continued: it rolls back.
 */
export const JOURNAL_VERSION = 2;
/** A catch-up round that applied in this time or less ends the rounds: the freeze's will take about as long. */
const SHORT_ROUND_S = 2;
/** While paused before the freeze, a round this often keeps the target close behind. */
const PAUSED_ROUND_MS = 5_000;

async function connectorReady(url: string): Promise<string> {
  let body: { status?: string; route?: string } = {};
  try {
    const res = await httpGet(url, 3_000);
    body = JSON.parse(res.text) as typeof body;
    if (res.status === 200) return `${body.status} on route ${body.route}`;
  } catch (err) {
    throw new VsError(
      'VS_ERR_CONNECTOR_ROUTE',
      `the external connector does not answer at ${url} (${(err as Error).message}); after the switch the app would reach PostgreSQL through it`,
    );
  }
  throw new VsError(
    'VS_ERR_CONNECTOR_ROUTE',
    `the external connector at ${url} cannot serve new connections (status ${body.status ?? 'unknown'})`,
  );
}

export function migrateBody(deps: CutoverDeps, req: MigrateRequest__Output): OpBody {
  const { config, paired, services } = deps;
  return async (ctx, resumed): Promise<OpOutcome> => {
    let phase = ctx.load<Phase>('phase') ?? 'new';
    const setPhase = (p: Phase) => {
      phase = p;
      ctx.save('phase', p);
    };
    const sqlitePath = ctx.load<string>('sqlitePath') ?? config.sqlitePath;
    const say = (line: string) => ctx.log('info', line);
    let lock: WriteLock | null = null;
    const releaseLock = () => {
      lock?.release();
      lock = null;
    };
    const stopped = () => ctx.load<string[]>('stopped') ?? [];
    if (!resumed) {
      ctx.save('journalVersion', JOURNAL_VERSION);
      ctx.save('online', !req.offline);
    }
    const version = ctx.load<number>('journalVersion') ?? 1;
    const online = ctx.load<boolean>('online') === true;
    const engineOptions = () => ({
      target: targetThroughLink(paired),
      workDir: ctx.runDir,
      drift: req.drift,
      replace: req.replaceTarget,
      onEvent: engineEvent(ctx),
      shouldStop: () => ctx.stopRequested(),
      beforeComplete: (done: MigrateSummary) => writeReports(ctx.runDir, done),
      backupTarget: async () => {
        const b = await paired.agentDb!.backupDatabase(paired.pairing!.postgres.database);
        ctx.log(
          'info',
          `backed up the target on the PostgreSQL host: ${b.path} (${b.sizeBytes} bytes, sha256 ${b.sha256})`,
        );
        return b.path;
      },
    });
    /** The engine's verdict: a stop at a checkpoint, or differences, end the run. */
    const engineDone = async (summary: MigrateSummary, app: string) => {
      if (!summary.ok) await writeReports(ctx.runDir, summary);
      if (!summary.ok && ctx.stopRequested()) throw new VsError('VS_ERR_CANCELLED', 'stopped at a checkpoint');
      if (!summary.ok)
        throw new VsError(
          'VS_ERR_VERIFY_DIFFERENT',
          `verification found differences (report: ${join(ctx.runDir, 'report.md')}); ${app}`,
        );
    };

    // Killed in the pre-copy, the run starts over from the preflight: the app never stopped, and the
    // engine resumes the target's copy (or copies again from a new snapshot when the file moved on).
    const precopyCutOff = online && phase === 'new' && ctx.load<boolean>('precopyStarted') === true;
    if (resumed)
      ctx.log(
        'warn',
        `agent-app restarted during this run (phase ${phase}); ${
          precopyCutOff
            ? 'the app kept running on SQLite: the pre-copy starts again from the preflight'
            : phase === 'new'
              ? 'nothing had been changed'
              : phase === 'switching'
                ? 'the switch was cut off: rolling back'
                : 'continuing'
        }`,
      );
    if (resumed && phase === 'new' && !precopyCutOff)
      return {
        state: 'failed',
        error: new VsError(
          'VS_ERR_INTERRUPTED',
          'agent-app restarted before the freeze; nothing was changed: run vsctl migrate again',
        ),
      };

    try {
      if (version > JOURNAL_VERSION)
        throw new VsError(
          'VS_ERR_INTERRUPTED',
          `this run was started by a newer agent-app (its journal is version ${version}; this agent-app reads up to ${JOURNAL_VERSION}), so it is not continued`,
        );
      // After a restart the link comes up again by itself; give it its connect time.
      if (resumed) await paired.link?.waitUntilUp(config.link.connectTimeoutMs + 10_000).catch(() => {});
      if (phase === 'switching')
        throw new VsError(
          'VS_ERR_INTERRUPTED',
          'agent-app restarted in the middle of the switch; its outcome is unknown',
        );
      if (phase === 'new') {
        ctx.save('sqlitePath', sqlitePath);
        const report = await ctx.step(
          'preflight',
          () => preflightFor(config, paired, sqlitePath, policySpecs(req.policies), req.drift),
          preflightSummary,
        );
        for (const c of report.checks.filter((x) => x.status === 'warn' || x.status === 'fail'))
          ctx.log(c.status === 'fail' ? 'error' : 'warn', `preflight ${c.name}: ${c.detail}`);
        const blocked = report.checks.find((c) => c.status === 'fail');
        if (blocked) throw checkError(blocked);
        await ctx.step(
          'connector',
          () => connectorReady(config.connectorHealthUrl),
          (d) => d,
        );
        await ctx.step(
          'target',
          async () => {
            const c = await target.connect(targetThroughLink(paired));
            try {
              const state = await target.inspectTarget(c);
              const foreign = state.kind === 'foreign' ? state.tables : state.kind === 'resumable' ? state.others : [];
              if (foreign.length > 0 && !req.replaceTarget) {
                throw new VsError(
                  'VS_ERR_TARGET_NOT_EMPTY',
                  `database ${paired.pairing!.postgres.database} already holds ${foreign.length} table(s); refusing before anything stops (--replace-target backs it up and replaces it)`,
                );
              }
              return foreign.length > 0 ? 'foreign' : state.kind;
            } finally {
              await c.end();
            }
          },
          (kind) =>
            kind === 'foreign'
              ? 'holds data: it will be backed up by agent-db and replaced'
              : kind === 'resumable'
                ? 'holds an interrupted run: it will resume'
                : 'empty',
        );
        if (online) {
          ctx.save('precopyStarted', true);
          // The schema.prisma the run reads is the one the Prisma switch may change, and only that one.
          ctx.save('schemaSha256', schemaFileSha256(config.prismaSchema));
          const summary = await precopy(ctx, deps, req, sqlitePath, engineOptions());
          await engineDone(summary, 'the app kept running on SQLite');
          setPhase('precopied');
        }
      }

      let catchUp: CatchUp | null = null;
      if (online && (phase === 'precopied' || phase === 'frozen')) {
        catchUp = new CatchUp(ctx, deps, req, sqlitePath);
        await catchUp.open();
      }
      if (phase === 'precopied') await catchUp!.run(config.catchUpMaxRounds, SHORT_ROUND_S, PAUSED_ROUND_MS);

      if (phase === 'new' || phase === 'precopied' || phase === 'frozen' || phase === 'migrated') {
        await ctx.step(
          'freeze',
          async () => {
            if (!loadTimes(ctx).writersStoppedAt) saveTimes(ctx, { writersStoppedAt: Date.now() });
            const f = await freeze(services, config.writerUnits, say);
            ctx.save('stopped', [...new Set([...stopped(), ...f.stopped])]);
            if (phase === 'new' || phase === 'precopied') setPhase('frozen');
            assertNoHolders(sqlitePath);
            lock = new WriteLock(sqlitePath);
            return stopped();
          },
          (units) =>
            `stopped ${units.join(', ') || 'nothing (no writer was running)'}; no other process has the file open; write lock held`,
        );
      }

      if (phase === 'frozen' && online) {
        // What the target holds at the switch: a rollback compares it with what it holds then.
        ctx.save('switchSums', await catchUp!.finish());
        setPhase('migrated');
      }

      if (phase === 'frozen') {
        // The schema.prisma the run reads is the one the Prisma switch may change, and only that one.
        ctx.save('schemaSha256', schemaFileSha256(config.prismaSchema));
        const { text: schemaText, schema } = await readSchemaSource(config.prismaSchema);
        const engineStarted = Date.now();
        const summary: MigrateSummary = await migrate({
          ...engineOptions(),
          sqlitePath,
          schema,
          schemaText,
          policies: parsePolicies(policySpecs(req.policies), schema),
        });
        await engineDone(summary, 'SQLite was not changed');
        saveTimes(ctx, { dataWorkSeconds: (Date.now() - engineStarted) / 1000 });
        // What the target holds at the switch: a rollback compares it with what it holds then.
        ctx.save('switchSums', contentSumsOf(summary.verification!));
        setPhase('migrated');
      }

      if (phase === 'migrated') {
        if (ctx.stopRequested()) throw new VsError('VS_ERR_CANCELLED', 'stopped before the switch');
        const urls = connectorUrls(config, paired);
        await ctx.step(
          'switch',
          async () => {
            await paired.agentDb!.ensureDatabase(
              `${paired.pairing!.postgres.database}_shadow`,
              paired.pairing!.postgres.user,
            );
            ctx.save('pgWrites', await writeStats(targetThroughLink(paired)));
            const stamp = new Date();
            ctx.save('switchStamp', stamp.toISOString());
            setPhase('switching');
            const edits = await switchEnvFiles(config.envFiles, urls, stamp, (e) => ctx.save('envEdits', e));
            ctx.log('info', `env files switched: ${edits.map((e) => e.path).join(', ')}`);
            const prisma = await switchPrismaFiles(
              config.prismaSchema,
              ctx.load<string>('schemaSha256') ?? '',
              join(ctx.runDir, 'prisma', 'migrations'),
              ctx.id,
              stamp,
              (s) => ctx.save('prismaSwitch', s),
            );
            ctx.log(
              'info',
              `Prisma switched: ${prisma.schemaPath} names provider "postgresql"; the PostgreSQL baseline is in ${prisma.migrationsDir}${prisma.historyAside ? `, the SQLite history kept in ${prisma.historyAside}` : ''}`,
            );
            await runHook(
              config.switchHook,
              config.backendDir,
              { DATABASE_URL: urls.DATABASE_URL },
              config.switchHookTimeoutMs,
            );
            for (const unit of unitsToStart(stopped(), config.backendUnit))
              if ((await services.state(unit)).exists) await services.start(unit);
            return edits;
          },
          (edits) =>
            `DATABASE_URL and SHADOW_DATABASE_URL now point at the connector in ${edits.map((e) => e.path).join(', ')}`,
        );
        await ctx.step(
          'health',
          () => probeHealth(services, config, (at) => saveTimes(ctx, { healthyAt: at })),
          (d) => d,
        );
        setPhase('switched');
        const times = loadTimes(ctx);
        if (times.writersStoppedAt && times.healthyAt)
          ctx.log(
            'info',
            `downtime ${((times.healthyAt - times.writersStoppedAt) / 1000).toFixed(1)} s (first writer asked to stop → first healthy answer on PostgreSQL), of which the ${online ? "freeze's data work" : "engine's run"} ${(times.dataWorkSeconds ?? 0).toFixed(1)} s`,
          );
        await appendFile(
          join(ctx.runDir, 'report.md'),
          downtimeReport(times, catchUp?.rounds ?? [], config.healthSettleMs, online),
        );
      }

      if (phase === 'switched') {
        await ctx.step(
          'seal',
          async () => {
            releaseLock();
            ctx.save('sealedMode', await seal(sqlitePath));
            setPhase('sealed');
            return sqlitePath;
          },
          (path) => `${path} is read-only; the snapshot and report are in ${ctx.runDir}`,
        );
      }
      await appendOutcome(
        ctx,
        'succeeded: the app runs on PostgreSQL through the external connector; SQLite is sealed read-only',
      );
      return { state: 'succeeded' };
    } catch (err) {
      const vs = toVsError(err);
      releaseLock();
      if (vs.code === 'VS_ERR_CANCELLED' && ctx.stopReason() === 'shutdown') throw vs; // paused: the next start resumes
      // Before the freeze the app never stopped: nothing to undo on its host.
      if (phase === 'new' || phase === 'precopied')
        return { state: vs.code === 'VS_ERR_CANCELLED' ? 'cancelled' : 'failed', error: vs };
      ctx.log('error', `${vs.code}: ${vs.message}; rolling back to SQLite`);
      try {
        await rollBackToSqlite(ctx, deps, phase);
      } catch (undo) {
        const u = toVsError(undo);
        ctx.log('error', `the roll back did not bring the app up on SQLite: ${u.message}`);
        await appendOutcome(
          ctx,
          `FAILED: ${vs.code}: ${vs.message}; then the roll back failed: ${u.code}: ${u.message}`,
        );
        return {
          state: 'failed',
          error: new VsError(u.code, `${vs.message}; then the roll back failed: ${u.message}`),
        };
      }
      await appendOutcome(
        ctx,
        `rolled back to SQLite (the app answered healthy on it) because ${vs.code}: ${vs.message}`,
      );
      return { state: vs.code === 'VS_ERR_CANCELLED' ? 'cancelled' : 'rolled_back', error: vs };
    }
  };
}

/** The run's outcome at the end of report.md (the engine's part, when it ran, is above it). */
async function appendOutcome(ctx: OpContext, text: string): Promise<void> {
  await appendFile(join(ctx.runDir, 'report.md'), `\n## Outcome of ${ctx.id}\n\n${text}\n`);
}

/**
 * Undo a cutover that had not finished: env files back, the app restarted on
 * SQLite and probed. Every step runs even when one before it failed; the
 * units start whenever the env files say SQLite. The failures are reported
 * together, each with its own code.
 */
async function rollBackToSqlite(ctx: OpContext, deps: CutoverDeps, phase: Phase): Promise<void> {
  const { config, services } = deps;
  const failures: VsError[] = [];
  const failed = (err: unknown) => {
    const vs = toVsError(err);
    failures.push(vs);
    ctx.log('error', `roll back: ${vs.code}: ${vs.message}`);
  };
  let started = false;
  await ctx.step(
    'roll back',
    async () => {
      const done: string[] = [];
      if (phase === 'switching' || phase === 'switched') {
        const stamp = new Date(ctx.load<string>('switchStamp') ?? Date.now());
        const r = await restoreEnvFiles(config.envFiles, ctx.load<EnvEdit[]>('envEdits') ?? [], stamp);
        r.failed.forEach(failed);
        done.push(`restored ${r.restored.join(', ') || 'no env file (none had changed)'}`);
        const prisma = ctx.load<PrismaSwitch>('prismaSwitch');
        if (prisma) {
          // A run that had not switched yet, or was cut off in the switch: whatever it changed goes back.
          await restorePrismaFiles(prisma, true).then((d) => done.push(...d), failed);
        }
      }
      const split = notOnSqlite(config.envFiles);
      if (split) {
        failed(split);
        return done.join('; ');
      }
      const units = unitsToStart(ctx.load<string[]>('stopped') ?? [], config.backendUnit);
      for (const unit of units) {
        try {
          const st = await services.state(unit);
          if (!st.exists) continue;
          if (st.active) await services.restart(unit);
          else await services.start(unit);
          started = true;
        } catch (err) {
          failed(err);
        }
      }
      done.push(`started ${units.join(', ')} on SQLite`);
      return done.join('; ');
    },
    (d) => d,
  );
  if (started) {
    try {
      await ctx.step(
        'health on SQLite',
        () => probeHealth(services, config),
        (d) => d,
      );
    } catch (err) {
      failed(err);
    }
  }
  if (failures.length > 0) throw allFailures(failures);
}
