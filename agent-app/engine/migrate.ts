// One migration of a VisionSuit SQLite file into an empty PostgreSQL database:
// snapshot → lint → schema → copy → finish. Every step reports progress through
// `onEvent`. The run's state lives in the target (see target.ts), so the same
// call after a crash resumes where the last committed checkpoint left off.
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { VsError } from '../../shared/errors.js';
import type { Finding, LintPlan, Policy } from './lint.js';
import { lintSnapshot } from './lint.js';
import { MIGRATION_LOCK, loadPlan, migrationSql } from './pg-ddl.js';
import type { NamedStatement } from './pg-ddl.js';
import type { Schema } from './prisma-schema.js';
import { applyDrift, describeDrift, findDrift, parseDriftPolicies } from './drift.js';
import type { Drift } from './drift.js';
import {
  openSnapshot,
  planRanges,
  readSnapshotRecord,
  sequenceMarks,
  snapshotRecordPath,
  staleSnapshot,
  tableBytes,
  takeSnapshot,
  writeSnapshotRecord,
} from './snapshot.js';
import type { SnapshotInfo } from './snapshot.js';
import * as target from './target.js';
import { verify } from './verify.js';
import type { VerifyReport } from './verify.js';
import type { TargetConfig } from './target.js';

import type { EngineEvent } from './events.js';
import { copyRanges } from './copy-pool.js';
import { BackgroundBuilder, runTask } from './background-builder.js';
import type { BuildTask } from './background-builder.js';

export type { EngineEvent } from './events.js';

export interface MigrateOptions {
  sqlitePath: string;
  schema: Schema;
  schemaText: string;
  target: TargetConfig;
  workDir: string;
  policies: Policy[];
  replace: boolean;
  /** Copy workers; default: the machine's cores. */
  jobs?: number;
  chunkBytes?: number;
  /**
   * Rows per rowid range (default: a whole table). Measured here, two COPY
   * streams into one table are no faster than one, while streams into two
   * tables are twice as fast; ranges only bound how much a resume re-reads.
   */
  rangeRows?: number;
  onEvent?: (e: EngineEvent) => void;
  /** Back up a target with data before --replace drops it; returns the backup's path. */
  backupTarget?: () => Promise<string>;
  /**
   * Called with the summary of a complete, verified run before its state is
   * dropped from the target (write the report here): a failure leaves the run
   * resumable instead of finished without a report.
   */
  beforeComplete?: (summary: MigrateSummary) => Promise<void>;
  /** Called just before the verification (the online path reads the target's transaction counter here). */
  beforeVerify?: () => Promise<void>;
  /** Checked between chunks and steps; true stops at the next safe point. */
  shouldStop?: () => boolean;
  /** A limit on the copy's rate, shared by the workers (rehearsals on a live host); 0 or absent: none. */
  maxBytesPerSecond?: number;
  /** The nice value of the copy's and the verification's worker threads (rehearsals); 0 or absent: unchanged. */
  workerNice?: number;
  /** Drift policies (`keep-file`, `follow-schema`, `OBJECT=keep-file`); default: follow the schema. */
  drift?: string[];
}

export interface TableSummary {
  name: string;
  rows: number;
  bytes: number;
  quarantined: number;
  seconds: number;
}

export interface MigrateSummary {
  ok: boolean;
  stopped: boolean;
  resumed: boolean;
  snapshot: { sha256: string; bytes: number };
  tables: TableSummary[];
  rows: number;
  bytes: number;
  seconds: number;
  steps: Record<string, number>;
  findings: Finding[];
  repairs: LintPlan['repairLog'];
  quarantined: Array<{ table: string; rowid: number; row: Record<string, unknown> }>;
  widened: string[];
  sequences: Record<string, string>;
  migration: { name: string; checksum: string; dir: string };
  /** Differences between the file's structure and schema.prisma, each with the policy applied. */
  drift: Drift[];
  backup?: string;
  /** The verification that ends every complete run. */
  verification?: VerifyReport;
}

export const BASELINE_NAME = '0_init';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export async function migrate(opts: MigrateOptions): Promise<MigrateSummary> {
  const started = Date.now();
  const emit = opts.onEvent ?? (() => {});
  const steps: Record<string, number> = {};
  const step = async <T>(name: string, fn: () => Promise<T>, detail?: (out: T) => string): Promise<T> => {
    emit({ type: 'step', name, state: 'started' });
    const t0 = Date.now();
    const out = await fn();
    steps[name] = (Date.now() - t0) / 1000;
    emit({ type: 'step', name, state: 'finished', seconds: steps[name], detail: detail?.(out) });
    return out;
  };
  let schema = opts.schema;
  const driftPolicy = parseDriftPolicies(opts.drift ?? []);
  await mkdir(opts.workDir, { recursive: true });
  const snapshotPath = join(opts.workDir, 'snapshot.db');
  const control = await target.connect(opts.target);
  try {
    // Where does the target stand? A run of ours continues; someone's data is refused unless --replace.
    let state = await target.inspectTarget(control);
    let backup: string | undefined;
    const foreign = state.kind === 'foreign' ? state.tables : state.kind === 'resumable' ? state.others : [];
    if (foreign.length > 0 && !opts.replace) {
      throw new VsError(
        'VS_ERR_TARGET_NOT_EMPTY',
        `the target database already holds ${foreign.length} table(s) (${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? ', …' : ''}); refusing to touch it`,
        {
          details: { tables: foreign.length },
        },
      );
    }

    // Snapshot: reuse ours only when it is the one the target's run copies, of
    // the file named now, and that file has not changed since.
    let snap: SnapshotInfo | undefined;
    if (state.kind === 'resumable') {
      const stale = await staleSnapshot(opts.workDir, opts.sqlitePath, state.run.sourceSha256);
      if (!stale) {
        snap = await readSnapshotRecord(opts.workDir);
        emit({
          type: 'step',
          name: 'snapshot',
          state: 'skipped',
          detail: 'resuming: the snapshot of the interrupted run is reused (the live file has not changed since)',
        });
      } else {
        emit({
          type: 'step',
          name: 'resume',
          state: 'finished',
          seconds: 0,
          detail: `the interrupted run's snapshot cannot be reused: ${stale}; copying again from a new snapshot`,
        });
      }
    }
    if (!snap) {
      await rm(snapshotRecordPath(opts.workDir), { force: true });
      snap = await step(
        'snapshot',
        () => takeSnapshot(opts.sqlitePath, snapshotPath),
        (out) =>
          `${(out.bytes / 1048576).toFixed(1)} MB, sha256 ${out.sha256.slice(0, 12)}…, ${out.journalMode} journal; ` +
          (out.journalMode === 'wal'
            ? "the app's writers were not held back"
            : `the app's writers' commits waited at most ${((out.writersHeldMs ?? 0) / 1000).toFixed(2)} s`),
      );
      await writeSnapshotRecord(opts.workDir, snap);
    }

    const db = openSnapshot(snap.path);
    let drift: Drift[];
    let lint: ReturnType<typeof lintSnapshot>;
    let planned: ReturnType<typeof planRanges>;
    let marks: Map<string, bigint>;
    let sizes: Map<string, number>;
    try {
      // The schema the rest of the run uses (DDL, baseline, verification) is the one the drift policies give.
      drift = await step(
        'drift',
        async () => findDrift(db, opts.schema, driftPolicy),
        (out) =>
          out.length === 0
            ? 'the file has the structure schema.prisma gives it'
            : `${out.length} difference(s): ${out.map(describeDrift).join('; ')}`,
      );
      schema = applyDrift(opts.schema, drift, db);
      lint = await step(
        'lint',
        async () => lintSnapshot(db, schema, opts.policies),
        (out) => `${out.findings.length} finding(s), ${out.blocking.length} blocking`,
      );
      for (const f of lint.findings) emit({ type: 'finding', finding: f });
      planned = planRanges(db, schema, opts.rangeRows ?? Number.MAX_SAFE_INTEGER);
      marks = sequenceMarks(db);
      sizes = tableBytes(db, schema.loadOrder);
    } finally {
      db.close();
    }
    const widened = new Map([...lint.plan.widened].map((k) => [k, 'BIGINT' as const]));
    const migration = migrationSql(schema, widened);
    const checksum = sha256(migration);
    const migrationDir = join(opts.workDir, 'prisma', 'migrations', BASELINE_NAME);
    await mkdir(migrationDir, { recursive: true });
    await writeFile(join(migrationDir, 'migration.sql'), migration, { mode: 0o600 });
    await writeFile(join(opts.workDir, 'prisma', 'migrations', 'migration_lock.toml'), MIGRATION_LOCK, { mode: 0o600 });
    const summaryBase = {
      snapshot: { sha256: snap.sha256, bytes: snap.bytes },
      drift,
      findings: lint.findings,
      repairs: lint.plan.repairLog,
      quarantined: [...lint.plan.quarantine.entries()].flatMap(([table, rows]) =>
        [...rows.entries()].map(([rowid, row]) => ({ table, rowid, row })),
      ),
      widened: [...lint.plan.widened],
      migration: { name: BASELINE_NAME, checksum, dir: migrationDir },
    };
    if (lint.blocking.length > 0) {
      const first = lint.blocking[0]!;
      throw new VsError(
        'VS_ERR_LINT_FINDINGS',
        `${lint.blocking.length} value(s) cannot be converted, for example ${first.table} ${first.key} ${first.column}: ${first.rule} (${first.excerpt}); nothing was copied`,
        { details: { blocking: lint.blocking.length } },
      );
    }

    const run: target.RunIdentity = {
      sourceSha256: snap.sha256,
      schemaSha256: sha256(opts.schemaText),
      planSha256: sha256(
        JSON.stringify({
          policies: opts.policies,
          widened: [...lint.plan.widened].sort(),
          drift: drift.map((d) => [d.object, d.policy]),
        }),
      ),
    };
    if (state.kind === 'resumable') {
      const same =
        state.run.sourceSha256 === run.sourceSha256 &&
        state.run.schemaSha256 === run.schemaSha256 &&
        state.run.planSha256 === run.planSha256;
      // Another snapshot, schema or policy set: the partial run is ours alone
      // (checked above: no table in "public" it did not create), so it is
      // cleared without a backup and the copy starts again.
      if (!same) {
        emit({
          type: 'step',
          name: 'resume',
          state: 'finished',
          seconds: 0,
          detail: `the interrupted run copied ${state.run.sourceSha256 !== run.sourceSha256 ? 'another snapshot' : 'with another schema or policy set'}: its partial copy is cleared`,
        });
        state = state.others.length > 0 ? { kind: 'foreign', tables: state.tables } : { kind: 'foreign', tables: [] };
      }
    }
    const resumed = state.kind === 'resumable';
    if (state.kind === 'foreign') {
      // A replace never happens without a backup, except of our own partial run.
      if (state.tables.length > 0) {
        if (!opts.backupTarget)
          throw new VsError(
            'VS_ERR_BACKUP_FAILED',
            'the target holds data and no backup is configured; refusing to replace it',
          );
        backup = await step(
          'backup',
          () => opts.backupTarget!(),
          (path) => path,
        );
      }
      await step('clear', () => target.clearTarget(control));
    }

    const plan = loadPlan(schema, widened);
    if (!resumed) {
      await step(
        'schema',
        () =>
          target.createRun(
            control,
            run,
            [...plan.enums, ...plan.tables],
            planned.ranges,
            schema.tables.map((t) => t.name),
          ),
        () => `${plan.tables.length} tables, ${plan.enums.length} enums`,
      );
    } else {
      emit({ type: 'step', name: 'schema', state: 'skipped', detail: 'resuming an interrupted run' });
    }

    // Copy.
    const stored = await target.readRanges(control);
    const totals = new Map<string, { rows: number; done: number; bytes: number; started: number; finished: number }>();
    for (const name of schema.loadOrder) {
      const quarantined = lint.plan.quarantine.get(name)?.size ?? 0;
      totals.set(name, { rows: planned.rows.get(name)! - quarantined, done: 0, bytes: 0, started: 0, finished: 0 });
    }
    for (const r of stored) {
      const t = totals.get(r.table)!;
      t.done += r.rows;
      t.bytes += r.bytes;
    }
    // The totals every progress view draws against, known before the first row moves.
    emit({
      type: 'plan',
      tables: schema.loadOrder.map((name) => ({
        table: name,
        rows: totals.get(name)!.rows,
        bytes: sizes.get(name) ?? 0,
      })),
    });
    const done = await target.doneSteps(control);
    const pending = (list: NamedStatement[]) => list.filter((s) => !done.has(s.name));
    const builder = new BackgroundBuilder(opts.target);
    const buildsOf = (table: string): BuildTask[] => [
      ...pending([...plan.primaryKeys, ...plan.indexes]).filter((s) => s.table === table),
      ...(done.has(`vacuum:${table}`) ? [] : [{ vacuum: table }]),
    ];
    let leftover: BuildTask[];
    const stopped = await step(
      'copy',
      async () => {
        try {
          return await copyRanges(opts, snap.path, lint.plan, stored, totals, emit, (table) =>
            builder.add(buildsOf(table)),
          );
        } finally {
          leftover = await builder.close();
        }
      },
      () => {
        const rows = [...totals.values()].reduce((a, t) => a + t.done, 0);
        const bytes = [...totals.values()].reduce((a, t) => a + t.bytes, 0);
        return `${rows} rows, ${(bytes / 1048576).toFixed(1)} MB`;
      },
    );
    const tables: TableSummary[] = schema.loadOrder.map((name) => {
      const t = totals.get(name)!;
      return {
        name,
        rows: t.done,
        bytes: t.bytes,
        quarantined: lint.plan.quarantine.get(name)?.size ?? 0,
        seconds: t.started ? ((t.finished || Date.now()) - t.started) / 1000 : 0,
      };
    });
    const summary = (ok: boolean, extra: Partial<MigrateSummary> = {}): MigrateSummary => ({
      ok,
      stopped: !ok,
      resumed,
      tables,
      rows: tables.reduce((a, t) => a + t.rows, 0),
      bytes: tables.reduce((a, t) => a + t.bytes, 0),
      seconds: (Date.now() - started) / 1000,
      steps,
      sequences: {},
      ...summaryBase,
      ...(backup ? { backup } : {}),
      ...extra,
    });
    if (stopped || opts.shouldStop?.()) return summary(false);

    // Finish: the keys and indexes not built during the copy, foreign keys,
    // sequences, the Prisma baseline, statistics.
    const jobs = opts.jobs ?? availableParallelism();
    // Keys and indexes share one pool, biggest tables first, so both cores stay busy.
    const size = new Map([...totals.entries()].map(([name, t]) => [name, t.bytes]));
    const tableOf = (t: BuildTask) => ('vacuum' in t ? t.vacuum : t.table);
    const builds = leftover!
      .filter((t) => !('vacuum' in t))
      .sort((a, b) => (size.get(tableOf(b)) ?? 0) - (size.get(tableOf(a)) ?? 0));
    const vacuums = leftover!.filter((t) => 'vacuum' in t);
    await step(
      'keys and indexes',
      () => target.parallel(builds, jobs, runTask, opts.target, target.BUILD_SETTINGS),
      () => `${builds.length} left after the copy`,
    );
    if (opts.shouldStop?.()) return summary(false);
    await step(
      'foreign keys',
      async () => {
        for (const s of pending(plan.foreignKeys)) await target.runStep(control, s);
      },
      () => 'added NOT VALID; validated with the statistics below',
    );
    const sequences: Record<string, string> = {};
    await step('sequences', async () => {
      for (const t of schema.tables) {
        const serial = t.columns.find((c) => c.default?.kind === 'autoincrement');
        if (serial) sequences[t.name] = await target.setSequence(control, t.name, serial.name, marks.get(t.name) ?? 0n);
      }
    });
    await step('baseline', () => target.writeBaseline(control, BASELINE_NAME, checksum, randomUUID()));
    // One pool, biggest tables first: a table's foreign-key validations, then
    // its VACUUM ANALYZE if the copy's tail did not run it (both take the same
    // table lock, so one table's tasks stay in one job; different tables run in
    // parallel, with no barrier between the two kinds of work).
    const byTable = new Map<string, BuildTask[]>();
    for (const t of [...pending(plan.validations), ...vacuums])
      byTable.set(tableOf(t), [...(byTable.get(tableOf(t)) ?? []), t]);
    const groups = [...byTable.values()].sort(
      (a, b) => (size.get(tableOf(b[0]!)) ?? 0) - (size.get(tableOf(a[0]!)) ?? 0),
    );
    await step(
      'validate, vacuum analyze',
      () =>
        target.parallel(
          groups,
          jobs,
          async (group, c) => {
            for (const t of group) await runTask(t, c);
          },
          opts.target,
        ),
      () => `${pending(plan.validations).length} foreign key(s), ${vacuums.length} table(s) left after the copy`,
    );
    await opts.beforeVerify?.();
    const vdb = openSnapshot(snap.path);
    let verification: VerifyReport;
    try {
      verification = await step(
        'verify',
        () =>
          verify({
            db: vdb,
            schema,
            target: opts.target,
            plan: lint.plan,
            parallel: jobs,
            workerNice: opts.workerNice,
          }),
        (v) =>
          v.ok
            ? `every table equal, ${v.checks.length} catalog checks passed`
            : `${v.tables.filter((t) => !t.equal).length} table(s) differ, ${v.checks.filter((c) => !c.ok).length} check(s) failed`,
      );
    } finally {
      vdb.close();
    }
    // The run's state goes only with a verified database: killed during the
    // verification, a rerun resumes straight into it; a database that differs
    // stays marked as an unfinished run of ours.
    const result = summary(verification.ok, { sequences, verification, stopped: false });
    if (verification.ok) {
      // The report is written while the run's state still stands: if it
      // fails (a full disk), the same command resumes into the verification
      // and writes it, instead of finding a target that is no longer empty.
      try {
        await opts.beforeComplete?.(result);
      } catch (err) {
        const why = err instanceof VsError && err.code === 'VS_ERR_DISK_FULL' ? err.message : (err as Error).message;
        throw new VsError(
          'VS_ERR_REPORT_WRITE',
          `the database is complete and verified, but its report could not be written: ${why}; run the same command again: it verifies again and writes the report`,
          { cause: err },
        );
      }
      await target.dropState(control);
    }
    return result;
  } finally {
    await control.end().catch(() => {});
  }
}
