// `vsctl rehearse`, inside agent-app: the real migration path minus the freeze
// and the switch, while VisionSuit keeps serving. The live file is snapshotted
// with the online backup API (the app keeps writing), preflighted, linted,
// copied into a scratch database agent-db creates (vsrehearsal_*), verified,
// timed, and the scratch database dropped (unless --keep). Nothing else is
// touched: no unit is stopped, no env file edited, no other database used.
// The copy and the verification run in worker threads at a lower CPU and I/O
// priority and, with --max-rate, the copy at a bounded rate.
//
// The report answers: will it work, what will it find, how long will the app
// be down (the projected downtime, and how it was estimated).
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RehearseRequest__Output } from '../../proto/gen/vsmigrate/app/v1/RehearseRequest.js';
import type { RehearsalReport__Output } from '../../proto/gen/vsmigrate/app/v1/RehearsalReport.js';
import type { RehearsalLoad__Output } from '../../proto/gen/vsmigrate/app/v1/RehearsalLoad.js';
import { VsError, toVsError } from '../../shared/errors.js';
import type { OpBody, OpContext, OpOutcome } from './operations.js';
import type { CutoverDeps } from './common.js';
import { engineEvent, targetThroughLink } from './common.js';
import { checkError, preflightFor, preflightSummary } from './preflight.js';
import { migrate } from '../engine/migrate.js';
import type { MigrateSummary } from '../engine/migrate.js';
import { parsePolicies, policySpecs } from '../engine/lint.js';
import { readSchemaSource } from '../engine/prisma-schema.js';
import { REHEARSAL_IO } from '../engine/thread-priority.js';
import { catchUpRound, createMarker, foreignWrites, stateAfterPrecopy, targetXid } from '../engine/catch-up.js';
import { readSnapshotRecord } from '../engine/snapshot.js';
import type { TargetConfig } from '../engine/target.js';
import type { Schema } from '../engine/prisma-schema.js';

/** What stopping the writer units takes, which a rehearsal does not do (systemd's usual stop of a Node app). */
export const FREEZE_ESTIMATE_S = 5;
/** Beyond the health settle time: the env-file switch and the backend's start until it answers. */
export const RESTART_ESTIMATE_S = 5;
/** The nice value of the rehearsal's copy and verification worker threads; the agent's own thread keeps its priority. */
export const REHEARSAL_NICE = 10;

// The engine's steps that a real migration runs while the app is down.
const DOWNTIME_STEPS = [
  'snapshot',
  'lint',
  'schema',
  'copy',
  'keys and indexes',
  'foreign keys',
  'sequences',
  'baseline',
  'validate, vacuum analyze',
  'verify',
];

/** The rehearsal's report: the contract's message, so vsctl reads what the agent writes. */
export type RehearsalReport = RehearsalReport__Output & { load: RehearsalLoad__Output };

export function renderRehearsalMarkdown(r: RehearsalReport): string {
  const lines = [
    `# Rehearsal ${r.operation} on ${r.host}`,
    '',
    `**Verdict: ${r.verdict}**${r.reasons.length ? `: ${r.reasons.join('; ')}` : ''}`,
    '',
  ];
  for (const [title, d] of [
    ['Projected downtime (online, the default)', r.projectedDowntime],
    ['Projected downtime with --offline', r.projectedOfflineDowntime],
  ] as const) {
    if (!d) continue;
    lines.push(`## ${title}: ${d.seconds.toFixed(1)} s`, '', d.how, '', '| part | seconds |', '| --- | ---: |');
    for (const [k, v] of Object.entries(d.measured)) lines.push(`| ${k} (measured) | ${v.toFixed(1)} |`);
    lines.push(
      `| freeze (estimated) | ${d.freeze.toFixed(1)} |`,
      `| switch and restart (estimated) | ${d.switchAndRestart.toFixed(1)} |`,
      '',
    );
  }
  lines.push('## Preflight', '', '| check | status | detail |', '| --- | --- | --- |');
  for (const c of r.preflight) lines.push(`| ${c.name} | ${c.status} | ${c.detail.replace(/\|/g, '\\|')} |`);
  lines.push('', `## Findings (${r.findings.length})`, '');
  if (r.findings.length === 0) lines.push('none');
  else {
    lines.push('| table | key | column | rule | value | action |', '| --- | --- | --- | --- | --- | --- |');
    for (const f of r.findings)
      lines.push(
        `| ${f.table} | ${f.key} | ${f.column} | ${f.rule} | ${f.excerpt.replace(/\|/g, '\\|')} | ${f.action} |`,
      );
  }
  if (r.tables.length > 0) {
    lines.push('', '## Tables', '', '| table | rows | MB | seconds |', '| --- | ---: | ---: | ---: |');
    for (const t of r.tables)
      lines.push(`| ${t.name} | ${t.rows} | ${(t.bytes / 1048576).toFixed(1)} | ${t.seconds.toFixed(1)} |`);
  }
  const l = r.load;
  lines.push(
    '',
    '## Load caused',
    '',
    `${l.cpuSeconds.toFixed(1)} CPU seconds in ${l.elapsedSeconds.toFixed(1)} s (${l.averageCores.toFixed(2)} cores on average), ${(l.bytesCopied / 1048576).toFixed(1)} MB copied, ` +
      `rate limit ${l.maxBytesPerSecond ? `${(l.maxBytesPerSecond / 1048576).toFixed(1)} MB/s` : 'none'}; worker threads at nice ${l.nice}, I/O ${l.ioPriority}.`,
    '',
    `Scratch database: ${r.scratchDatabase || 'none'}${r.kept ? ' (kept)' : r.scratchDatabase ? ' (dropped)' : ''}.`,
    '',
  );
  return lines.join('\n');
}

/**
 * The freeze's work of an online run, measured: one catch-up round from the
 * rehearsal's snapshot to the live file now, into the scratch database, and the
 * foreign-write check after it. Returns their seconds.
 */
async function rehearseLastRound(
  ctx: OpContext,
  sqlitePath: string,
  scratch: TargetConfig,
  schema: Schema,
  req: RehearseRequest__Output,
  summary: MigrateSummary,
): Promise<Record<string, number>> {
  const snap = await readSnapshotRecord(ctx.runDir);
  await createMarker(scratch);
  const x0 = await targetXid(scratch);
  const t0 = Date.now();
  const { state } = await catchUpRound({
    livePath: sqlitePath,
    workDir: ctx.runDir,
    schema,
    policies: parsePolicies(policySpecs(req.policies), schema),
    widened: new Set(summary.widened),
    target: scratch,
    state: stateAfterPrecopy(snap.path, summary.verification!, x0),
    beforeCommit: () => {},
    final: true,
  });
  const t1 = Date.now();
  const foreign = await foreignWrites(scratch, schema, state);
  if (foreign.length > 0)
    throw new VsError(
      'VS_ERR_TARGET_FOREIGN_WRITE',
      `the scratch database was written by another transaction: ${foreign.join('; ')}`,
    );
  await rm(state.image, { force: true });
  return { 'last changes': (t1 - t0) / 1000, 'foreign writes': (Date.now() - t1) / 1000 };
}

export function rehearseBody(deps: CutoverDeps, req: RehearseRequest__Output, host: string): OpBody {
  const { config, paired } = deps;
  return async (ctx: OpContext): Promise<OpOutcome> => {
    const started = Date.now();
    const cpu0 = process.cpuUsage();
    const findings: RehearsalReport['findings'] = [];
    const reasons: string[] = [];
    let summary: MigrateSummary | null = null;
    let scratch = '';
    let failure: VsError | null = null;
    let checks: RehearsalReport['preflight'] = [];
    let lastRound: Record<string, number> | null = null;

    const onEvent = engineEvent(ctx, (f) => findings.push(f));

    try {
      const report = await ctx.step(
        'preflight',
        () => preflightFor(config, paired, config.sqlitePath, policySpecs(req.policies)),
        preflightSummary,
      );
      checks = report.checks.map((c) => ({ name: c.name, status: c.status, detail: c.detail, error: null }));
      // The lint runs again on the snapshot below, with the policies; its verdict there is the one that counts.
      const blocking = report.checks.filter((c) => c.status === 'fail' && c.name !== 'data lint');
      for (const c of blocking) reasons.push(`preflight ${c.name}: ${c.detail}`);
      const needed = ['pairing', 'ssh link', 'agent-db', 'postgres login', 'sqlite file', 'sqlite integrity'];
      const fatal = blocking.find((c) => needed.includes(c.name));
      if (fatal) throw checkError(fatal);

      scratch = await ctx.step(
        'scratch database',
        async () => (await paired.agentDb!.createScratchDatabase(ctx.id, paired.pairing!.postgres.user)).database,
        (d) => d,
      );
      const { text: schemaText, schema } = await readSchemaSource(config.prismaSchema);
      summary = await migrate({
        sqlitePath: config.sqlitePath,
        schema,
        schemaText,
        target: targetThroughLink(paired, scratch),
        workDir: ctx.runDir,
        policies: parsePolicies(policySpecs(req.policies), schema),
        replace: false,
        onEvent,
        shouldStop: () => ctx.stopRequested(),
        maxBytesPerSecond: Number(req.maxRateBytesPerSecond) || 0,
        workerNice: REHEARSAL_NICE,
      });
      if (!summary.ok && ctx.stopRequested()) throw new VsError('VS_ERR_CANCELLED', 'the rehearsal was cancelled');
      if (!summary.verification?.ok)
        reasons.push('the verification found differences between the copy and the snapshot');
      else
        lastRound = await ctx.step(
          'last changes',
          () => rehearseLastRound(ctx, config.sqlitePath, targetThroughLink(paired, scratch), schema, req, summary!),
          (m) =>
            `as the freeze would: the app's changes since the snapshot applied and verified in ${m['last changes']!.toFixed(1)} s, the foreign-write check ${m['foreign writes']!.toFixed(1)} s`,
        );
    } catch (err) {
      failure = toVsError(err);
      if (failure.code !== 'VS_ERR_CANCELLED') reasons.push(`${failure.code}: ${failure.message}`);
    } finally {
      if (scratch && !req.keep) {
        await ctx
          .step(
            'drop scratch database',
            async () => (await paired.agentDb!.dropScratchDatabase(scratch)).dropped,
            () => scratch,
          )
          .catch((err: unknown) =>
            reasons.push(`the scratch database ${scratch} could not be dropped: ${toVsError(err).message}`),
          );
      }
    }

    const cpu = process.cpuUsage(cpu0);
    const elapsed = (Date.now() - started) / 1000;
    const measured = Object.fromEntries(
      DOWNTIME_STEPS.filter((s) => summary?.steps[s] !== undefined).map((s) => [s, summary!.steps[s]!]),
    );
    const switchAndRestart = config.healthSettleMs / 1000 + RESTART_ESTIMATE_S;
    const throttled = Number(req.maxRateBytesPerSecond) > 0;
    /** What the freeze takes: the parts measured here, plus the estimated stop and restart. */
    const projection = (parts: Record<string, number>, how: string) => ({
      seconds: Object.values(parts).reduce((a, b) => a + b, 0) + FREEZE_ESTIMATE_S + switchAndRestart,
      measured: parts,
      freeze: FREEZE_ESTIMATE_S,
      switchAndRestart,
      how,
    });
    const result: RehearsalReport = {
      host,
      operation: ctx.id,
      verdict: reasons.length === 0 && failure === null ? 'would succeed' : 'would fail',
      reasons,
      preflight: checks,
      findings,
      steps: summary?.steps ?? {},
      tables: (summary?.tables ?? []).map((t) => ({ name: t.name, rows: t.rows, bytes: t.bytes, seconds: t.seconds })),
      verification: summary?.verification
        ? {
            ok: summary.verification.ok,
            tablesDiffering: summary.verification.tables.filter((t) => !t.equal).map((t) => t.table),
          }
        : null,
      projectedDowntime: lastRound
        ? projection(
            lastRound,
            `The freeze of an online run, measured in this rehearsal: one catch-up round as the freeze runs it (the app's changes since the snapshot read, applied to the scratch database, verified, the sequences set) and the foreign-write check, ` +
              `plus ${FREEZE_ESTIMATE_S} s to stop the writer units and ${switchAndRestart.toFixed(1)} s for the switch, the restart and the health probe (healthSettleMs + ${RESTART_ESTIMATE_S} s). ` +
              'The pre-copy and the earlier rounds run while the app serves; a busier app leaves more for the last round.',
          )
        : null,
      projectedOfflineDowntime: summary
        ? projection(
            measured,
            `The engine's steps as measured in this rehearsal (snapshot to verify; a run with --offline does them while the app is stopped), ` +
              `plus ${FREEZE_ESTIMATE_S} s to stop the writer units and ${switchAndRestart.toFixed(1)} s for the switch, the restart and the health probe ` +
              `(healthSettleMs + ${RESTART_ESTIMATE_S} s). The rehearsal's workers ran at nice ${REHEARSAL_NICE} and a low I/O priority${throttled ? ', under --max-rate,' : ''} beside the live app, ` +
              'so its copy is an upper bound for a real run.',
          )
        : null,
      load: {
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
        elapsedSeconds: elapsed,
        averageCores: (cpu.user + cpu.system) / 1e6 / elapsed,
        bytesCopied: summary?.bytes ?? 0,
        maxBytesPerSecond: Number(req.maxRateBytesPerSecond) || 0,
        nice: REHEARSAL_NICE,
        ioPriority: `best-effort ${REHEARSAL_IO.level}`,
      },
      scratchDatabase: scratch,
      kept: req.keep && scratch !== '',
    };
    await writeFile(join(ctx.runDir, 'report.json'), JSON.stringify(result, null, 2) + '\n');
    await writeFile(join(ctx.runDir, 'report.md'), renderRehearsalMarkdown(result));
    ctx.log(
      result.verdict === 'would succeed' ? 'info' : 'warn',
      `verdict: ${result.verdict}${result.projectedDowntime ? `; projected downtime ${result.projectedDowntime.seconds.toFixed(1)} s` : ''}${result.projectedOfflineDowntime ? ` (with --offline ${result.projectedOfflineDowntime.seconds.toFixed(1)} s)` : ''}${reasons.length ? `; ${reasons.join('; ')}` : ''}`,
    );
    if (failure?.code === 'VS_ERR_CANCELLED') return { state: 'cancelled', error: failure };
    if (result.verdict === 'would fail')
      return { state: 'failed', error: failure ?? new VsError('VS_ERR_VERIFY_DIFFERENT', reasons.join('; ')) };
    return { state: 'succeeded' };
  };
}
