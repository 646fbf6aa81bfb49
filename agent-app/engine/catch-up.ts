// The online migration's catch-up: after the pre-copy made the target equal to
// an image of the live file, each round takes a new image, finds the rows the
// app changed since the last one (changes.ts), lints them as the bulk was
// linted, and applies them to PostgreSQL in one transaction that also verifies
// every changed row on both sides and keeps the per-table sums current. The
// freeze's round is the same round, taken while the writers are stopped.
//
// State between rounds (CatchUpState) lives in the run journal. A round's
// transaction writes a token into the target's marker table; the journal gets
// the state it leads to, with that token, before the COMMIT. After a crash the
// marker tells whether that state is the target's (settle()).
import { randomUUID } from 'node:crypto';
import { chmod, copyFile, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { Client } from 'pg';
import { VsError, fromPgError } from '../../shared/errors.js';
import { CANONICAL_SETTINGS, canonicalSql, rowHash, rowText } from './canonical.js';
import { Rejection } from './convert.js';
import type { SqliteValue } from './convert.js';
import { buildDelta, ownersAfter, pagesToRead, rowidsOnPages, tablePages } from './changes.js';
import type { PageOwners } from './changes.js';
import { lintSnapshot } from './lint.js';
import type { Finding, Policy } from './lint.js';
import { q } from './pg-ddl.js';
import type { Schema, Table } from './prisma-schema.js';
import { headerSchemaVersion, readLiveImage, sequenceMarks, withLintFunctions, withSnapshot } from './snapshot.js';
import { SnapshotTable } from './source-sums.js';
import * as target from './target.js';
import type { TargetConfig } from './target.js';
import { contentSumsOf } from './verify.js';
import type { ContentSums, VerifyReport } from './verify.js';
import { copyConverters, workerTables } from './worker-tables.js';

/** The schema in the target that holds the catch-up's marker; dropped before the switch. */
export const MARKER_SCHEMA = '_vsmigrate_online';

export interface CatchUpState {
  /** Rounds applied so far. */
  round: number;
  /** The image of the live file that the target equals. */
  image: string;
  /** The live file's schema cookie when the pre-copy's snapshot was taken. */
  schemaVersion: number;
  /** Each table's row count and sum of row hashes on the target (verify.ts), kept current. */
  sums: ContentSums;
  /** The target's transaction counter before the pre-copy's verification: a newer row not written by `ours` is foreign. */
  x0: string;
  /** The transaction ids of the rounds' commits. */
  ours: string[];
}

export interface RoundStats {
  round: number;
  seconds: number;
  /**
   * Where the seconds went: the image read from the live file (the pages that
   * differ), the pages' owners, the changed rows found in both images, and
   * their lint, apply and verification in PostgreSQL.
   */
  parts: { image: number; pages: number; rows: number; apply: number };
  /** How long the image's read held the app's commits back (rollback-journal mode). */
  heldMs: number;
  changedPages: number;
  upserts: number;
  deletes: number;
  quarantined: number;
  tables: Record<string, { upserts: number; deletes: number }>;
}

export interface RoundOptions {
  livePath: string;
  workDir: string;
  schema: Schema;
  policies: Policy[];
  /** `Table.column`s the pre-copy widened to BIGINT. */
  widened: ReadonlySet<string>;
  target: TargetConfig;
  state: CatchUpState;
  /** The page owners of state.image when known (the last round's); computed otherwise. */
  owners?: PageOwners;
  /** The next image's path when stageNextImage() already copied state.image there. */
  staged?: string;
  /** Called with the state the round leads to and its token, before its transaction commits. */
  beforeCommit: (pending: { token: string; state: CatchUpState }) => void;
  /** The freeze's round: also set the sequences from the image. */
  final?: boolean;
  onFinding?: (f: Finding) => void;
}

const sumOf = (hex: string) => (hex.startsWith('-') ? -BigInt(`0x${hex.slice(1)}`) : BigInt(`0x${hex}`));
const hexOf = (n: bigint) => n.toString(16);

/** Create the marker table (after the pre-copy); its row's token says which round the target holds. */
export async function createMarker(config: TargetConfig): Promise<void> {
  await target.withTarget(config, 'create the catch-up marker', (c) =>
    c.query(
      `CREATE SCHEMA IF NOT EXISTS ${q(MARKER_SCHEMA)};
       CREATE TABLE IF NOT EXISTS ${q(MARKER_SCHEMA)}.applied (one int PRIMARY KEY DEFAULT 1 CHECK (one = 1), token text NOT NULL);
       INSERT INTO ${q(MARKER_SCHEMA)}.applied (token) VALUES ('pre-copy') ON CONFLICT DO NOTHING`,
    ),
  );
}

export async function dropMarker(config: TargetConfig): Promise<void> {
  await target.withTarget(config, 'drop the catch-up marker', (c) =>
    c.query(`DROP SCHEMA IF EXISTS ${q(MARKER_SCHEMA)} CASCADE`),
  );
}

/**
 * The state the target is in, after a crash: `pending` (saved before a round's
 * COMMIT) when the marker holds its token, `current` otherwise.
 */
export async function settle(
  config: TargetConfig,
  current: CatchUpState,
  pending: { token: string; state: CatchUpState } | undefined,
): Promise<CatchUpState> {
  if (!pending) return current;
  const token = await target.withTarget(config, 'read the catch-up marker', async (c) => {
    const r = await c.query<{ token: string }>(`SELECT token FROM ${q(MARKER_SCHEMA)}.applied`);
    return r.rows[0]?.token;
  });
  return token === pending.token ? pending.state : current;
}

/** The target's current transaction counter, as the 32-bit xid rows carry in xmin. */
export async function currentXid(c: Client): Promise<string> {
  const r = await c.query<{ x: string }>(`SELECT (pg_current_xact_id()::text::bigint % 4294967296)::text AS x`);
  return r.rows[0]!.x;
}

/** currentXid() on a connection of its own. */
export function targetXid(config: TargetConfig): Promise<string> {
  return target.withTarget(config, "read the target's transaction counter", currentXid);
}

/** The state a pre-copy leaves: the target equals its snapshot, as the snapshot's verification proved. */
export function stateAfterPrecopy(snapshotPath: string, verification: VerifyReport, x0: string): CatchUpState {
  return {
    round: 0,
    image: snapshotPath,
    schemaVersion: headerSchemaVersion(snapshotPath),
    sums: contentSumsOf(verification),
    x0,
    ours: [],
  };
}

/**
 * Tables that changed by anything but this run since `x0`: a row version newer
 * than x0 that none of `ours` wrote (an INSERT or UPDATE, or a TRUNCATE and
 * refill), or a row count that is not the one the run left (a DELETE, a
 * TRUNCATE). Reads every row's xmin: statistics counters would not do, a crash
 * or pg_stat_reset() zeroes them and TRUNCATE is not counted.
 */
export async function foreignWrites(
  config: TargetConfig,
  schema: Schema,
  state: CatchUpState,
  jobs = 2,
): Promise<string[]> {
  const found: string[] = [];
  await target.parallel(
    schema.tables.map((t) => t.name),
    jobs,
    async (name, c) => {
      const r = await c.query<{ n: string; foreign: string }>(
        `SELECT count(*)::text AS n,
                count(*) FILTER (WHERE age(xmin) < age($1::text::xid) AND NOT (xmin::text = ANY($2::text[])))::text AS foreign
           FROM ${q(name)}`,
        [state.x0, state.ours],
      );
      const want = state.sums[name]?.rows ?? 0;
      const n = Number(r.rows[0]!.n);
      const foreign = Number(r.rows[0]!.foreign);
      if (foreign > 0) found.push(`${name}: ${foreign} row(s) written by another transaction`);
      else if (n !== want) found.push(`${name}: ${n} rows where the run left ${want}`);
    },
    config,
  );
  return found.sort();
}

/** The name of the next image: beside the current one, never the same file. */
export function nextImagePath(workDir: string, current: string): string {
  return join(workDir, basename(current) === 'image-a.db' ? 'image-b.db' : 'image-a.db');
}

/**
 * Copy `state.image` to where the next round patches it, ahead of that round
 * (while the app still serves, so that the freeze's round does not copy the
 * whole file). Resolves to the path, complete: it is written under another
 * name and renamed.
 */
export async function stageNextImage(workDir: string, state: CatchUpState): Promise<string> {
  const next = nextImagePath(workDir, state.image);
  const staging = `${next}.staging`;
  await rm(staging, { force: true });
  await copyFile(state.image, staging);
  await chmod(staging, 0o600);
  await rename(staging, next);
  return next;
}

/** One catch-up round (see the header). Returns the new state, its owners (for the next round) and what it did. */
export async function catchUpRound(
  o: RoundOptions,
): Promise<{ state: CatchUpState; owners: PageOwners; stats: RoundStats }> {
  const t0 = Date.now();
  const tables = o.schema.tables.map((t) => t.name);
  const next = nextImagePath(o.workDir, o.state.image);
  const changedFile = `${next}.changed.json`;
  if (o.staged !== next) {
    await rm(next, { force: true });
    await copyFile(o.state.image, next);
    await chmod(next, 0o600);
  }
  const t1 = Date.now();
  const read = await readLiveImage(o.livePath, next, changedFile);
  const t2 = Date.now();
  if (read.schemaVersion !== o.state.schemaVersion)
    throw new VsError(
      'VS_ERR_SOURCE_SCHEMA_CHANGED',
      `the SQLite file's schema changed since the pre-copy (schema_version ${o.state.schemaVersion} → ${read.schemaVersion}): an update of the app altered its tables`,
    );
  const changed = JSON.parse(await readFile(changedFile, 'utf8')) as number[];
  await rm(changedFile, { force: true });

  const ownersOf = (path: string, only: readonly string[]) => withSnapshot(path, (db) => tablePages(db, only));
  const ownersA = o.owners ?? ownersOf(o.state.image, tables);
  const ownersB = ownersAfter(ownersA, changed, (touched) => ownersOf(next, touched));
  const t3 = Date.now();
  const pages = pagesToRead(changed, ownersA, ownersB);
  const candidates = {
    a: rowidsOnPages(o.state.image, read.pageSize, ownersA, pages),
    b: rowidsOnPages(next, read.pageSize, ownersB, pages),
  };

  const deltaPath = join(dirname(next), 'delta.db');
  await rm(deltaPath, { force: true });
  const delta = withLintFunctions(new Database(deltaPath));
  delta.defaultSafeIntegers(true);
  // A scratch file, built anew each round: no journal, no fsync.
  delta.pragma('journal_mode = OFF');
  delta.pragma('synchronous = OFF');
  try {
    const changes = buildDelta(delta, o.state.image, next, o.schema, candidates);
    const t4 = Date.now();
    const lint = lintSnapshot(delta, o.schema, o.policies, undefined, false);
    for (const f of lint.findings) o.onFinding?.(f);
    if (lint.blocking.length > 0) {
      const f = lint.blocking[0]!;
      throw new VsError(
        'VS_ERR_LINT_FINDINGS',
        `${lint.blocking.length} value(s) the app wrote during the migration cannot be converted, for example ${f.table} ${f.key} ${f.column}: ${f.rule} (${f.excerpt})`,
        { details: { blocking: lint.blocking.length } },
      );
    }
    const newlyWide = [...lint.plan.widened].filter((w) => !o.widened.has(w));
    if (newlyWide.length > 0)
      throw new VsError(
        'VS_ERR_LINT_FINDINGS',
        `the app wrote integers beyond int4 into ${newlyWide.join(', ')} during the migration; the target's column is INTEGER: run vsctl migrate again (the new pre-copy widens it)`,
      );
    lint.plan.widened = new Set(o.widened);
    const marks = o.final ? withSnapshot(next, sequenceMarks) : new Map<string, bigint>();
    const applied = await applyChanges(o, delta, changes, workerTables(o.schema, lint.plan), marks, {
      image: next,
      schemaVersion: read.schemaVersion,
    });
    const stats: RoundStats = {
      round: applied.state.round,
      seconds: (Date.now() - t0) / 1000,
      parts: {
        image: (t2 - t1) / 1000,
        pages: (t3 - t2) / 1000,
        rows: (t4 - t3) / 1000,
        apply: (Date.now() - t4) / 1000,
      },
      heldMs: read.journalMode === 'wal' ? 0 : Math.round(read.heldMs),
      changedPages: changed.length,
      upserts: applied.upserts,
      deletes: applied.deletes,
      quarantined: applied.quarantined,
      tables: applied.tables,
    };
    return { state: applied.state, owners: ownersB, stats };
  } finally {
    delta.close();
    await rm(deltaPath, { force: true });
  }
}

interface Applied {
  state: CatchUpState;
  upserts: number;
  deletes: number;
  quarantined: number;
  tables: Record<string, { upserts: number; deletes: number }>;
}

/** Stream COPY text rows into `table` of the open transaction. */
async function copyRows(c: Client, table: string, columns: string[], lines: string[]): Promise<void> {
  if (lines.length === 0) return;
  const stream = c.query(copyFrom(`COPY ${q(table)} (${columns.map(q).join(', ')}) FROM STDIN`));
  await pipeline(Readable.from([lines.join('')]), stream);
}

async function applyChanges(
  o: RoundOptions,
  delta: Database.Database,
  changes: Map<string, { upserts: number; deletes: unknown[][] }>,
  wts: ReturnType<typeof workerTables>,
  marks: Map<string, bigint>,
  read: { image: string; schemaVersion: number },
): Promise<Applied> {
  const c = await target.connect(o.target, CANONICAL_SETTINGS);
  const sums: ContentSums = structuredClone(o.state.sums);
  const perTable: Applied['tables'] = {};
  let upserts = 0;
  let deletes = 0;
  let quarantined = 0;
  const touched = o.schema.loadOrder
    .map((name) => o.schema.tables.find((t) => t.name === name)!)
    .filter((t) => changes.has(t.name));
  try {
    await c.query('BEGIN');
    // 1. Each changed table's keys (k_N) and new rows (u_N) in temporary tables.
    const canon = new Map<string, Map<string, Array<string | null>>>();
    for (const [i, t] of touched.entries()) {
      const ch = changes.get(t.name)!;
      const wt = wts[t.name]!;
      const convs = copyConverters(wt);
      const pkIdx = t.primaryKey.columns.map((n) => t.columns.findIndex((col) => col.name === n));
      const line = (values: SqliteValue[], idx: number[]) =>
        idx
          .map((ci) => {
            const out = convs[ci]!(values[ci]!);
            if (out instanceof Rejection)
              throw new VsError(
                'VS_ERR_COPY_FAILED',
                `${t.name} ${t.columns[ci]!.name}: ${out.rule} (${out.excerpt}) was not caught by the lint`,
              );
            return out;
          })
          .join('\t') + '\n';
      const all = t.columns.map((_, ci) => ci);
      const quarantine = new Set(wt.quarantine);
      const repairs = new Map(wt.repairs.map(([rowid, cols]) => [rowid, new Map(cols)]));
      const keyLines: string[] = [];
      const rowLines: string[] = [];
      const expected = new Map<string, Array<string | null>>();
      const source = new SnapshotTable(delta, wt);
      for (const row of source.rows('', [])) {
        const rowid = Number(row['__rowid']);
        const fix = repairs.get(rowid);
        const values = t.columns.map((col) => (fix?.has(col.name) ? fix.get(col.name)! : (row[col.name] ?? null)));
        keyLines.push(line(values, pkIdx));
        if (quarantine.has(rowid)) {
          quarantined++;
          continue;
        }
        rowLines.push(line(values, all));
        const fields = source.fields(row)!;
        expected.set(pkIdx.map((ci) => fields[ci]).join('\0'), fields);
      }
      for (const key of ch.deletes) {
        const values: SqliteValue[] = t.columns.map(() => null);
        pkIdx.forEach((ci, j) => (values[ci] = key[j] as SqliteValue));
        keyLines.push(line(values, pkIdx));
      }
      canon.set(t.name, expected);
      await c.query(
        `CREATE TEMP TABLE k_${i} ON COMMIT DROP AS SELECT ${t.primaryKey.columns.map(q).join(', ')} FROM ${q(t.name)} WITH NO DATA;
         CREATE TEMP TABLE u_${i} ON COMMIT DROP AS SELECT * FROM ${q(t.name)} WITH NO DATA`,
      );
      await copyRows(c, `k_${i}`, t.primaryKey.columns, keyLines);
      await copyRows(
        c,
        `u_${i}`,
        t.columns.map((col) => col.name),
        rowLines,
      );
      await c.query(`ANALYZE k_${i}; ANALYZE u_${i}`);
    }
    const pkJoin = (t: Table, x: string, y: string) =>
      t.primaryKey.columns.map((n) => `${x}.${q(n)} = ${y}.${q(n)}`).join(' AND ');
    const canonicalRows = async (t: Table, i: number) => {
      const r = await c.query({
        text: `SELECT ${t.columns.map((col) => canonicalSql(col, 't.')).join(', ')} FROM ${q(t.name)} t JOIN k_${i} k ON ${pkJoin(t, 't', 'k')}`,
        rowMode: 'array',
      });
      return r.rows as Array<Array<string | null>>;
    };
    const sumRows = (rows: Array<Array<string | null>>) => rows.reduce((a, f) => a + rowHash(rowText(f)), 0n);
    // 2. What the target holds for those keys now: it leaves the sums.
    const before = new Map<string, Array<Array<string | null>>>();
    for (const [i, t] of touched.entries()) before.set(t.name, await canonicalRows(t, i));
    // 3. Deletes children first, then inserts and updates parents first.
    const done = new Map<string, { deleted: number; written: number }>();
    for (const [i, t] of [...touched.entries()].reverse()) {
      const r = await c.query(
        `DELETE FROM ${q(t.name)} t USING k_${i} k WHERE ${pkJoin(t, 't', 'k')}
           AND NOT EXISTS (SELECT 1 FROM u_${i} u WHERE ${pkJoin(t, 'u', 't')})`,
      );
      done.set(t.name, { deleted: r.rowCount ?? 0, written: 0 });
    }
    for (const [i, t] of touched.entries()) {
      const cols = t.columns.map((col) => q(col.name));
      const rest = t.columns.filter((col) => !t.primaryKey.columns.includes(col.name)).map((col) => q(col.name));
      const r = await c.query(
        `INSERT INTO ${q(t.name)} (${cols.join(', ')}) SELECT ${cols.join(', ')} FROM u_${i}
         ON CONFLICT (${t.primaryKey.columns.map(q).join(', ')}) DO ${
           rest.length ? `UPDATE SET ${rest.map((x) => `${x} = EXCLUDED.${x}`).join(', ')}` : 'NOTHING'
         }`,
      );
      done.get(t.name)!.written = r.rowCount ?? 0;
    }
    // 4. Nothing else moved: a cascade or SET NULL of a delete would touch rows the file still holds.
    const xact = await c.query<{ relname: string; ins: string; upd: string; del: string }>(
      `SELECT relname, n_tup_ins::text AS ins, n_tup_upd::text AS upd, n_tup_del::text AS del
         FROM pg_stat_xact_user_tables WHERE schemaname = 'public'`,
    );
    for (const x of xact.rows) {
      const d = done.get(x.relname) ?? { deleted: 0, written: 0 };
      if (Number(x.del) !== d.deleted || Number(x.ins) + Number(x.upd) !== d.written)
        throw new VsError(
          'VS_ERR_VERIFY_DIFFERENT',
          `applying the app's changes to ${x.relname} touched other rows than the changed ones (${x.ins} inserted, ${x.upd} updated, ${x.del} deleted; expected ${d.written} written, ${d.deleted} deleted): a referential action of PostgreSQL reached rows the SQLite file still holds`,
        );
    }
    // 5. Every changed row, read back: the file's values, and no row for a deleted key.
    for (const [i, t] of touched.entries()) {
      const after = await canonicalRows(t, i);
      const expected = canon.get(t.name)!;
      const pkIdx = t.primaryKey.columns.map((n) => t.columns.findIndex((col) => col.name === n));
      const bad: string[] = [];
      const seen = new Set<string>();
      for (const f of after) {
        const key = pkIdx.map((ci) => f[ci]).join('\0');
        const want = expected.get(key);
        seen.add(key);
        if (!want) bad.push(`${key.replace(/\0/g, '|')} is still in the target`);
        else if (rowText(want) !== rowText(f)) bad.push(`${key.replace(/\0/g, '|')} differs`);
      }
      for (const key of expected.keys()) if (!seen.has(key)) bad.push(`${key.replace(/\0/g, '|')} is missing`);
      if (bad.length > 0)
        throw new VsError(
          'VS_ERR_VERIFY_DIFFERENT',
          `the app's changed rows of ${t.name} do not read back as the file holds them: ${bad.slice(0, 5).join('; ')}`,
        );
      const b = before.get(t.name)!;
      const s = sums[t.name] ?? { rows: 0, sum: '0' };
      sums[t.name] = { rows: s.rows - b.length + after.length, sum: hexOf(sumOf(s.sum) - sumRows(b) + sumRows(after)) };
      const d = done.get(t.name)!;
      perTable[t.name] = { upserts: d.written, deletes: d.deleted };
      upserts += d.written;
      deletes += d.deleted;
    }
    if (o.final)
      for (const t of o.schema.tables) {
        const serial = t.columns.find((col) => col.default?.kind === 'autoincrement');
        if (serial) await target.setSequence(c, t.name, serial.name, marks.get(t.name) ?? 0n);
      }
    const token = randomUUID();
    await c.query(`UPDATE ${q(MARKER_SCHEMA)}.applied SET token = $1`, [token]);
    const state: CatchUpState = {
      ...o.state,
      round: o.state.round + 1,
      image: read.image,
      schemaVersion: read.schemaVersion,
      sums,
      ours: [...o.state.ours, await currentXid(c)],
    };
    o.beforeCommit({ token, state });
    await c.query('COMMIT');
    return { state, upserts, deletes, quarantined, tables: perTable };
  } catch (err) {
    await c.query('ROLLBACK').catch(() => {});
    throw err instanceof VsError ? err : fromPgError(err, 'apply the catch-up round');
  } finally {
    await c.end().catch(() => {});
  }
}
