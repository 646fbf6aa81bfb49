// The online migration's parts of `vsctl migrate` (migrate.ts runs them in
// order): the pre-copy while the app serves, the catch-up rounds, and the
// freeze's last round with the foreign-write check. What they leave for the
// next step, and for a restart, is in the run journal:
//
//   catchUp         the CatchUpState the target is in
//   catchUpPending  the state a round's transaction leads to, saved before its COMMIT
//   widened         the pre-copy's BIGINT columns
//   rounds          each round's figures, the last one the freeze's
//   times           when the writers were asked to stop, the data work, the first healthy answer
import { chmod, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { MigrateRequest__Output } from '../../proto/gen/vsmigrate/app/v1/MigrateRequest.js';
import { VsError } from '../../shared/errors.js';
import type { OpContext } from './operations.js';
import { engineEvent, targetThroughLink } from './common.js';
import type { CutoverDeps } from './common.js';
import { REHEARSAL_NICE } from './rehearse.js';
import { migrate } from '../engine/migrate.js';
import type { MigrateOptions, MigrateSummary } from '../engine/migrate.js';
import {
  catchUpRound,
  createMarker,
  dropMarker,
  foreignWrites,
  settle,
  stageNextImage,
  stateAfterPrecopy,
  targetXid,
} from '../engine/catch-up.js';
import type { CatchUpState, RoundStats } from '../engine/catch-up.js';
import type { PageOwners } from '../engine/changes.js';
import { withoutRowid } from '../engine/changes.js';
import { applyDrift, findDrift, parseDriftPolicies } from '../engine/drift.js';
import { parsePolicies, policySpecs } from '../engine/lint.js';
import type { Schema } from '../engine/prisma-schema.js';
import { readSchemaSource } from '../engine/prisma-schema.js';
import { readSnapshotRecord, withSnapshot } from '../engine/snapshot.js';

/** When a migration's downtime began and ended, and its parts (saved as `times` in the run journal). */
export interface RunTimes {
  /** When the freeze asked the first writer to stop (ms since the epoch). */
  writersStoppedAt?: number;
  /** The freeze's data work: online the last changes, applied and verified, the sequences, the foreign-write check; offline the engine's run. */
  dataWorkSeconds?: number;
  /** The app's first healthy answer on PostgreSQL. */
  healthyAt?: number;
  precopySeconds?: number;
}

/** The pre-copy: the engine's whole run (snapshot … verify) on the live file, its workers at a lower priority. */
export async function precopy(
  ctx: OpContext,
  deps: CutoverDeps,
  req: MigrateRequest__Output,
  sqlitePath: string,
  engine: Omit<MigrateOptions, 'schema' | 'schemaText' | 'sqlitePath' | 'policies'>,
): Promise<MigrateSummary> {
  const t0 = Date.now();
  const cfg = targetThroughLink(deps.paired);
  const { text: schemaText, schema } = await readSchemaSource(deps.config.prismaSchema);
  // Before anything is copied. The live file is opened here, in agent-app, only because no lock of
  // the freeze is held yet (closing it would drop one: source-mark.ts).
  const noRowid = withSnapshot(sqlitePath, (db) =>
    withoutRowid(
      db,
      schema.tables.map((t) => t.name),
    ),
  );
  if (noRowid.length > 0)
    throw new VsError(
      'VS_ERR_SCHEMA_UNSUPPORTED',
      `${noRowid.join(', ')} ${noRowid.length === 1 ? 'is a table' : 'are tables'} WITHOUT ROWID, whose changes the catch-up cannot follow; run vsctl migrate --offline`,
    );
  ctx.log('info', `pre-copy while the app serves: its worker threads at nice ${REHEARSAL_NICE}`);
  let x0 = '';
  const summary = await migrate({
    ...engine,
    sqlitePath,
    schema,
    schemaText,
    policies: parsePolicies(policySpecs(req.policies), schema),
    workerNice: REHEARSAL_NICE,
    beforeVerify: async () => {
      x0 = await targetXid(cfg);
    },
  });
  if (!summary.ok) return summary;
  const snap = await readSnapshotRecord(ctx.runDir);
  await createMarker(cfg);
  ctx.save('catchUp', stateAfterPrecopy(snap.path, summary.verification!, x0));
  ctx.save('catchUpPending', null);
  ctx.save('widened', summary.widened);
  ctx.save('rounds', []);
  saveTimes(ctx, { precopySeconds: (Date.now() - t0) / 1000 });
  return summary;
}

/** The schema the target was built with: schema.prisma with the drift policies applied to the pre-copy's snapshot. */
function effectiveSchema(snapshotPath: string, schema: Schema, drift: string[]): Schema {
  return withSnapshot(snapshotPath, (db) => applyDrift(schema, findDrift(db, schema, parseDriftPolicies(drift)), db));
}

export function loadTimes(ctx: OpContext): RunTimes {
  return ctx.load<RunTimes>('times') ?? {};
}

export function saveTimes(ctx: OpContext, more: RunTimes): void {
  ctx.save('times', { ...loadTimes(ctx), ...more });
}

const describeRound = (s: RoundStats) =>
  `${s.upserts} row(s) written, ${s.deletes} deleted${s.quarantined ? `, ${s.quarantined} quarantined` : ''}, verified; ` +
  `${s.changedPages} page(s) changed; the app's commits held back at most ${(s.heldMs / 1000).toFixed(2)} s; ` +
  `image ${s.parts.image.toFixed(1)} s, pages ${s.parts.pages.toFixed(1)} s, rows ${s.parts.rows.toFixed(1)} s, apply ${s.parts.apply.toFixed(1)} s`;

/** The catch-up: rounds from the journal's state on, each journaled as it commits. */
export class CatchUp {
  private owners: PageOwners | undefined;
  /** The next round's image, being copied from the current one while the app serves. */
  private staged: Promise<string> | null = null;
  private state!: CatchUpState;
  private schema!: Schema;
  readonly rounds: RoundStats[];

  constructor(
    private readonly ctx: OpContext,
    private readonly deps: CutoverDeps,
    private readonly req: MigrateRequest__Output,
    private readonly sqlitePath: string,
  ) {
    this.rounds = ctx.load<RoundStats[]>('rounds') ?? [];
  }

  private get cfg() {
    return targetThroughLink(this.deps.paired);
  }

  /** The state the target is in, after a restart too (the marker settles a round cut off at its COMMIT). */
  async open(): Promise<void> {
    const current = this.ctx.load<CatchUpState>('catchUp');
    if (!current) throw new VsError('VS_ERR_INTERRUPTED', 'the run journal holds no catch-up state');
    const pending = this.ctx.load<{ token: string; state: CatchUpState } | null>('catchUpPending') ?? undefined;
    this.state = await settle(this.cfg, current, pending);
    this.ctx.save('catchUp', this.state);
    this.ctx.save('catchUpPending', null);
    const { schema } = await readSchemaSource(this.deps.config.prismaSchema);
    this.schema = effectiveSchema(join(this.ctx.runDir, 'snapshot.db'), schema, this.req.drift);
  }

  async round(final: boolean): Promise<RoundStats> {
    const name = final ? 'last changes' : `catch-up round ${this.rounds.length + 1}`;
    const staged = await this.staged?.catch(() => undefined);
    this.staged = null;
    const r = await this.ctx.step(
      name,
      () =>
        catchUpRound({
          livePath: this.sqlitePath,
          workDir: this.ctx.runDir,
          schema: this.schema,
          policies: parsePolicies(policySpecs(this.req.policies), this.schema),
          widened: new Set(this.ctx.load<string[]>('widened') ?? []),
          target: this.cfg,
          state: this.state,
          owners: this.owners,
          staged,
          final,
          beforeCommit: (p) => this.ctx.save('catchUpPending', p),
          onFinding: (f) => engineEvent(this.ctx)({ type: 'finding', finding: f }),
        }),
      (out) => describeRound(out.stats),
    );
    this.state = r.state;
    this.owners = r.owners;
    this.ctx.save('catchUp', this.state);
    this.ctx.save('catchUpPending', null);
    this.rounds.push(r.stats);
    this.ctx.save('rounds', this.rounds);
    if (!final) {
      // A failed copy only means the next round copies for itself.
      this.staged = stageNextImage(this.ctx.runDir, this.state);
      this.staged.catch(() => {});
    }
    return r.stats;
  }

  /** Rounds until one applies in SHORT_ROUND_S or less, or `maxRounds`; then, if asked, rounds until the go-ahead. */
  async run(maxRounds: number, shortRoundS: number, pausedRoundMs: number): Promise<void> {
    const cancelled = () =>
      new VsError('VS_ERR_CANCELLED', 'stopped before the freeze; the app kept running on SQLite');
    for (let n = 1; ; n++) {
      if (this.ctx.stopRequested()) throw cancelled();
      const s = await this.round(false);
      if (s.seconds <= shortRoundS || n >= maxRounds) break;
    }
    // The next image is staged before the freeze, not inside it.
    const ready = async () => void (await this.staged?.catch(() => undefined));
    if (!this.req.pauseBeforeFreeze) return ready();
    this.ctx.log(
      'info',
      `paused before the freeze, catching up every ${pausedRoundMs / 1000} s: give the go-ahead with vsctl proceed ${this.ctx.id} (vsctl cancel ${this.ctx.id} stops here; the app keeps running on SQLite)`,
    );
    while (!this.ctx.proceedRequested()) {
      for (let waited = 0; waited < pausedRoundMs && !this.ctx.proceedRequested(); waited += 250) {
        if (this.ctx.stopRequested()) throw cancelled();
        await new Promise((r) => setTimeout(r, 250));
      }
      await this.round(false);
    }
    await ready();
  }

  /** In the freeze: the last changes, then proof that nobody else wrote the target. Returns the sums at the switch. */
  async finish(): Promise<CatchUpState['sums']> {
    const t0 = Date.now();
    await this.round(true);
    const foreign = await this.ctx.step(
      'foreign writes',
      () => foreignWrites(this.cfg, this.schema, this.state),
      () =>
        `the target holds only what this run wrote (every row's xmin since the pre-copy's verification, and counts)`,
    );
    if (foreign.length > 0)
      throw new VsError(
        'VS_ERR_TARGET_FOREIGN_WRITE',
        `the target was written by something other than this run: ${foreign.join('; ')}`,
        { details: { tables: foreign.length } },
      );
    await dropMarker(this.cfg);
    saveTimes(this.ctx, { dataWorkSeconds: (Date.now() - t0) / 1000 });
    // The frozen file's image is what `vsctl verify` compares the database with from now on; the other one goes.
    await chmod(this.state.image, 0o400);
    this.ctx.save('finalImage', this.state.image);
    for (const name of ['image-a.db', 'image-b.db'])
      if (join(this.ctx.runDir, name) !== this.state.image) await rm(join(this.ctx.runDir, name), { force: true });
    return this.state.sums;
  }
}

/** The downtime section of report.md: the downtime and its parts, and an online run's rounds. */
export function downtimeReport(times: RunTimes, rounds: RoundStats[], settleMs: number, online: boolean): string {
  const lines = ['', `## Downtime (${online ? 'online' : 'offline'} migration)`, ''];
  if (times.writersStoppedAt && times.healthyAt)
    lines.push(
      `Downtime: ${((times.healthyAt - times.writersStoppedAt) / 1000).toFixed(1)} s, from the first writer asked to stop to the app's first healthy answer on PostgreSQL (then ${(settleMs / 1000).toFixed(1)} s of health settle, with the app serving).`,
      online
        ? `Within it, the freeze's data work (last changes applied and verified, sequences, foreign-write check): ${(times.dataWorkSeconds ?? 0).toFixed(1)} s.`
        : `Within it, the engine's run (snapshot, copy, keys and indexes, verify): ${(times.dataWorkSeconds ?? 0).toFixed(1)} s.`,
      '',
    );
  if (!online) return lines.join('\n') + '\n';
  if (times.precopySeconds) lines.push(`Pre-copy while the app served: ${times.precopySeconds.toFixed(1)} s.`, '');
  lines.push(
    '| round | seconds | image | pages | rows | apply | rows written | rows deleted | quarantined | pages changed | commits held back (s) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  const s1 = (x: number | undefined) => (x ?? 0).toFixed(1);
  rounds.forEach((r, i) =>
    lines.push(
      `| ${i === rounds.length - 1 && times.dataWorkSeconds ? 'freeze' : i + 1} | ${s1(r.seconds)} | ${s1(r.parts?.image)} | ${s1(r.parts?.pages)} | ${s1(r.parts?.rows)} | ${s1(r.parts?.apply)} | ${r.upserts} | ${r.deletes} | ${r.quarantined} | ${r.changedPages} | ${(r.heldMs / 1000).toFixed(2)} |`,
    ),
  );
  return lines.join('\n') + '\n';
}
