// Verification: every value on the PostgreSQL side must equal the converted
// value from the SQLite snapshot. Per table, the row count and the sum of row
// hashes (canonical.ts) are computed on both sides: by SQL on the PostgreSQL
// server, a table per connection and one connection per core, while worker
// threads sum the snapshot (source-sums.ts). When they differ, the primary-key
// range is split and the halves compared again until the differing rows are
// found (like data-diff);
// then their columns are compared and named. Keys are ordered as SQLite orders
// them (bytewise), which is PostgreSQL's COLLATE "C".
//
// Also checked: foreign keys valid, sequences at or above the highest id and
// SQLite's high-water mark, enum types and every index present.
import type Database from 'better-sqlite3';
import type { Client } from 'pg';
import { VsError, fromPgError } from '../../shared/errors.js';
import { CANONICAL_SETTINGS, HASH_PROBES, canonicalSql, rowHash, rowHashSql, rowText } from './canonical.js';
import type { LintPlan } from './lint.js';
import { SnapshotTable, SumPool } from './source-sums.js';
import type { Sum } from './source-sums.js';
import { workerTables } from './worker-tables.js';
import { q } from './pg-ddl.js';
import type { Column, Schema, Table } from './prisma-schema.js';
import { planRanges, sequenceMarks } from './snapshot.js';
import * as target from './target.js';
import type { TargetConfig } from './target.js';

export interface ColumnDifference {
  column: string;
  source: string | null;
  target: string | null;
}

export interface RowDifference {
  key: string;
  kind: 'missing-in-target' | 'extra-in-target' | 'different';
  columns?: ColumnDifference[];
}

export interface TableVerdict {
  table: string;
  rows: { source: number; target: number };
  checksum: { source: string; target: string };
  equal: boolean;
  seconds: number;
  differences: RowDifference[];
  /** More rows differ than were listed. */
  truncated: boolean;
}

export interface CatalogCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface VerifyReport {
  ok: boolean;
  tables: TableVerdict[];
  checks: CatalogCheck[];
  seconds: number;
}

export interface VerifyOptions {
  db: Database.Database;
  schema: Schema;
  target: TargetConfig;
  plan: LintPlan;
  /** Differing rows to list per table (default 20). */
  maxDifferences?: number;
  /** Server connections, and worker threads summing the snapshot, at once (default 2). */
  parallel?: number;
  onTable?: (verdict: TableVerdict) => void;
  /** The nice value of the worker threads that sum the snapshot (rehearsals). */
  workerNice?: number;
}

type Key = Array<string | bigint>;

const LEAF_ROWS = 256;
/** Rows per range a worker sums at a time. */
const RANGE_ROWS = 100_000;
const FANOUT = 8;
const excerptOf = (s: string | null) =>
  s === null ? null : s.length > 80 ? `${s.slice(0, 77)}…(${s.length} chars)` : s;
/** A differing value as the report shows it: timestamps with all three digits of their milliseconds. */
const shown = (c: Column, s: string | null) =>
  excerptOf(
    c.type === 'DateTime' && s !== null
      ? s.replace(/(:\d\d)(?:\.(\d{1,3}))?(?=$| BC$)/, (_, sec: string, frac = '') => `${sec}.${frac.padEnd(3, '0')}`)
      : s,
  );

class TableVerifier {
  private readonly pk: Column[];
  private readonly order: string;
  readonly differences: RowDifference[] = [];
  truncated = false;

  constructor(
    private readonly t: Table,
    private readonly db: Database.Database,
    private readonly source: SnapshotTable,
    private readonly pg: Client,
    private readonly max: number,
  ) {
    this.pk = t.primaryKey.columns.map((n) => t.columns.find((c) => c.name === n)!);
    this.order = this.pk.map((c) => q(c.name)).join(', ');
  }

  /** SQL for keys in [lo, hi): bytewise order for text on the PostgreSQL side. */
  private range(lo: Key | null, hi: Key | null, pgSide: boolean, offset = 0): { where: string; params: unknown[] } {
    const cols = this.pk.map((c) =>
      pgSide && (c.type === 'String' || c.type === 'Enum') ? `${q(c.name)} COLLATE "C"` : q(c.name),
    );
    const tuple = cols.length === 1 ? cols[0]! : `(${cols.join(', ')})`;
    const params: unknown[] = [];
    const ph = (k: Key) => {
      const marks = k.map((v) => {
        params.push(pgSide ? String(v) : v);
        return pgSide ? `$${params.length + offset}` : '?';
      });
      return marks.length === 1 ? marks[0]! : `(${marks.join(', ')})`;
    };
    const parts: string[] = [];
    if (lo) parts.push(`${tuple} >= ${ph(lo)}`);
    if (hi) parts.push(`${tuple} < ${ph(hi)}`);
    return { where: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
  }

  private keyText(row: Record<string, unknown>): string {
    return this.pk.map((c) => String(row[c.name])).join('|');
  }

  /** Source rows in [lo, hi) as a sum; a whole table's comes from the worker pool instead. */
  sourceSum(lo: Key | null, hi: Key | null): Sum {
    const r = this.range(lo, hi, false);
    return this.source.sum(r.where, r.params);
  }

  async targetSum(lo: Key | null, hi: Key | null): Promise<{ n: number; sum: bigint }> {
    const r = this.range(lo, hi, true);
    const res = await this.pg.query<{ n: string; s: string }>(
      `SELECT count(*)::text AS n, coalesce(sum(${rowHashSql(this.t.columns)}), 0)::text AS s FROM ${q(this.t.name)} ${r.where}`,
      r.params,
    );
    return { n: Number(res.rows[0]!.n), sum: BigInt(res.rows[0]!.s) };
  }

  /** Keys splitting [lo, hi) into about FANOUT parts, read from the source. */
  private boundaries(lo: Key | null, hi: Key | null, rows: number): Key[] {
    const r = this.range(lo, hi, false);
    const stmt = this.db
      .prepare(`SELECT ${this.order} FROM ${q(this.t.name)} ${r.where} ORDER BY ${this.order} LIMIT 1 OFFSET ?`)
      .raw(true);
    const out: Key[] = [];
    for (let i = 1; i < FANOUT; i++) {
      const k = stmt.get(...r.params, Math.floor((rows * i) / FANOUT)) as Key | undefined;
      if (
        k &&
        (out.length === 0 ||
          JSON.stringify(out.at(-1), (_, v) => (typeof v === 'bigint' ? String(v) : v)) !==
            JSON.stringify(k, (_, v) => (typeof v === 'bigint' ? String(v) : v)))
      )
        out.push(k);
    }
    return out;
  }

  private record(d: RowDifference): boolean {
    if (this.differences.length >= this.max) {
      this.truncated = true;
      return false;
    }
    this.differences.push(d);
    return true;
  }

  /** Compare row by row in a small range and name what differs. */
  private async leaf(lo: Key | null, hi: Key | null): Promise<void> {
    const source = new Map<string, Array<string | null>>();
    const r0 = this.range(lo, hi, false);
    for (const row of this.source.rows(r0.where, r0.params, this.order)) {
      const f = this.source.fields(row);
      if (f) source.set(this.keyText(row), f);
    }
    const r = this.range(lo, hi, true);
    const cols = this.t.columns.map((c) => `${canonicalSql(c)} AS ${q(c.name)}`).join(', ');
    const res = await this.pg.query<Record<string, string | null>>(
      `SELECT ${cols} FROM ${q(this.t.name)} ${r.where}`,
      r.params,
    );
    const targetRows = new Map(
      res.rows.map((row) => [this.keyText(row), this.t.columns.map((c) => row[c.name] ?? null)]),
    );
    for (const [key, f] of source) {
      const other = targetRows.get(key);
      if (!other) {
        if (!this.record({ key, kind: 'missing-in-target' })) return;
      } else if (rowText(f) !== rowText(other)) {
        const columns = this.t.columns.flatMap((c, i) =>
          f[i] === other[i] ? [] : [{ column: c.name, source: shown(c, f[i]!), target: shown(c, other[i]!) }],
        );
        if (!this.record({ key, kind: 'different', columns })) return;
      }
    }
    for (const key of targetRows.keys()) if (!source.has(key) && !this.record({ key, kind: 'extra-in-target' })) return;
  }

  /** Find the differing rows of [lo, hi), whose sums differ. */
  async bisect(lo: Key | null, hi: Key | null, sourceRows: number): Promise<void> {
    if (this.truncated) return;
    if (sourceRows <= LEAF_ROWS) return this.leaf(lo, hi);
    const cuts = this.boundaries(lo, hi, sourceRows);
    const edges = [lo, ...cuts, hi];
    for (let i = 0; i < edges.length - 1 && !this.truncated; i++) {
      const a = edges[i]!;
      const b = edges[i + 1]!;
      const s = this.sourceSum(a, b);
      const t = await this.targetSum(a, b);
      if (s.n !== t.n || s.sum !== t.sum) {
        // A range whose source side holds nearly everything cannot shrink: compare it row by row.
        if (s.n >= sourceRows) await this.leaf(a, b);
        else await this.bisect(a, b, Math.max(s.n, 1));
      }
    }
  }
}

async function catalogChecks(pg: Client, db: Database.Database, schema: Schema): Promise<CatalogCheck[]> {
  const checks: CatalogCheck[] = [];
  const fks = await pg.query<{ conname: string; convalidated: boolean }>(
    `SELECT conname, convalidated FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace`,
  );
  const expectedFks = schema.tables.flatMap((t) => t.foreignKeys.map((f) => f.name));
  const present = new Map(fks.rows.map((r) => [r.conname, r.convalidated]));
  const missingFks = expectedFks.filter((n) => !present.has(n));
  const invalid = expectedFks.filter((n) => present.get(n) === false);
  checks.push({
    name: 'foreign keys',
    ok: missingFks.length === 0 && invalid.length === 0,
    detail:
      missingFks.length || invalid.length
        ? `missing: ${missingFks.join(', ') || '-'}; not validated: ${invalid.join(', ') || '-'}`
        : `${expectedFks.length} present and validated`,
  });

  const idx = new Set(
    (await pg.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE schemaname = 'public'`)).rows.map(
      (r) => r.indexname,
    ),
  );
  const expectedIdx = schema.tables.flatMap((t) => [t.primaryKey.name, ...t.indexes.map((i) => i.name)]);
  const missingIdx = expectedIdx.filter((n) => !idx.has(n));
  checks.push({
    name: 'indexes',
    ok: missingIdx.length === 0,
    detail: missingIdx.length ? `missing: ${missingIdx.join(', ')}` : `${expectedIdx.length} present`,
  });

  const enumRows = await pg.query<{ typname: string; labels: string }>(
    `SELECT t.typname, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) AS labels FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY 1`,
  );
  const enums = new Map(enumRows.rows.map((r) => [r.typname, r.labels]));
  const wrongEnums = schema.enums.filter((e) => enums.get(e.name) !== e.values.join(',')).map((e) => e.name);
  checks.push({
    name: 'enum types',
    ok: wrongEnums.length === 0,
    detail: wrongEnums.length
      ? `missing or different: ${wrongEnums.join(', ')}`
      : `${schema.enums.length} present with their labels`,
  });

  const marks = sequenceMarks(db);
  const low: string[] = [];
  let serials = 0;
  for (const t of schema.tables) {
    const c = t.columns.find((x) => x.default?.kind === 'autoincrement');
    if (!c) continue;
    serials++;
    const r = await pg.query<{ seq: string | null; max: string }>(
      // pg_sequences.last_value is NULL until the sequence hands out a value.
      `SELECT (SELECT coalesce(last_value, 0) FROM pg_sequences WHERE schemaname = 'public' AND sequencename = trim(both '"' from split_part(pg_get_serial_sequence($1, $2), '.', 2)) LIMIT 1)::text AS seq,
              (SELECT coalesce(max(${q(c.name)}), 0) FROM ${q(t.name)})::text AS max`,
      [q(t.name), c.name],
    );
    const seq = BigInt(r.rows[0]!.seq ?? '-1');
    const need = [BigInt(r.rows[0]!.max), marks.get(t.name) ?? 0n].reduce((a, b) => (a > b ? a : b));
    if (seq < need) low.push(`${t.name}.${c.name} at ${seq}, needs ${need}`);
  }
  checks.push({
    name: 'sequences',
    ok: low.length === 0,
    detail: low.length ? low.join('; ') : `${serials} at or above max(id) and the SQLite high-water mark`,
  });
  return checks;
}

/** The server must hash a row's text as canonical.ts does, or no checksum means anything. */
async function checkServerHash(pg: Client): Promise<void> {
  const res = await pg.query<{ h: string }>(
    `SELECT hashtextextended(p COLLATE "C", 0)::text AS h FROM unnest($1::text[]) WITH ORDINALITY AS x(p, i) ORDER BY i`,
    [HASH_PROBES],
  );
  const differ = HASH_PROBES.filter((p, i) => res.rows[i]?.h !== String(rowHash(p)));
  if (differ.length > 0) {
    throw new VsError(
      'VS_ERR_VERIFY_UNSUPPORTED',
      `the server's hashtextextended() differs from the verification's for ${differ.length} of ${HASH_PROBES.length} probe texts`,
    );
  }
}

export async function verify(opts: VerifyOptions): Promise<VerifyReport> {
  const started = Date.now();
  const lanes = Math.max(1, opts.parallel ?? 2);
  const tables = workerTables(opts.schema, opts.plan);
  // The snapshot's sums: rowid ranges on worker threads, biggest first, all
  // asked at once; the server sums a table on a connection per core meanwhile.
  const pool = new SumPool(opts.db.name, tables, lanes, opts.workerNice ?? 0);
  let control: Client | null = null;
  try {
    control = await target.connect(opts.target, CANONICAL_SETTINGS);
    await checkServerHash(control);
    const planned = planRanges(opts.db, opts.schema, RANGE_ROWS);
    const sourceSums = new Map<string, Promise<Sum>>();
    for (const name of opts.schema.loadOrder) {
      const parts = planned.ranges.filter((r) => r.table === name).map((r) => pool.sum(r));
      sourceSums.set(
        name,
        Promise.all(parts).then((xs) => xs.reduce((a, x) => ({ n: a.n + x.n, sum: a.sum + x.sum }), { n: 0, sum: 0n })),
      );
    }
    // A rejection is awaited by its table's turn; until then it is not "unhandled".
    for (const p of sourceSums.values()) p.catch(() => {});
    const order = [...opts.schema.loadOrder].sort((a, b) => planned.rows.get(b)! - planned.rows.get(a)!);
    const verdicts = new Map<string, TableVerdict>();
    await target.parallel(
      order,
      lanes,
      async (name, pg) => {
        const t = opts.schema.tables.find((x) => x.name === name)!;
        const t0 = Date.now();
        const v = new TableVerifier(
          t,
          opts.db,
          new SnapshotTable(opts.db, tables[name]!),
          pg,
          opts.maxDifferences ?? 20,
        );
        const [s, tg] = await Promise.all([sourceSums.get(name)!, v.targetSum(null, null)]);
        const equal = s.n === tg.n && s.sum === tg.sum;
        if (!equal) await v.bisect(null, null, Math.max(s.n, 1));
        const verdict: TableVerdict = {
          table: name,
          rows: { source: s.n, target: tg.n },
          checksum: { source: s.sum.toString(16), target: tg.sum.toString(16) },
          equal,
          seconds: (Date.now() - t0) / 1000,
          differences: v.differences,
          truncated: v.truncated,
        };
        verdicts.set(name, verdict);
        opts.onTable?.(verdict);
      },
      opts.target,
      CANONICAL_SETTINGS,
    );
    const verdictList = opts.schema.loadOrder.map((name) => verdicts.get(name)!);
    const checks = await catalogChecks(control, opts.db, opts.schema);
    return {
      ok: verdictList.every((t) => t.equal) && checks.every((c) => c.ok),
      tables: verdictList,
      checks,
      seconds: (Date.now() - started) / 1000,
    };
  } catch (err) {
    throw fromPgError(err, 'verify');
  } finally {
    await pool.close();
    await control?.end().catch(() => {});
  }
}

export type ContentSums = Record<string, { rows: number; sum: string }>;

/** Each table's row count and sum of row hashes on the target, computed as the verification does. */
export function contentSumsOf(report: VerifyReport): ContentSums {
  return Object.fromEntries(report.tables.map((t) => [t.table, { rows: t.rows.target, sum: t.checksum.target }]));
}

/** The target's content sums now, one table after another (the server's side of a verification). */
export async function targetContentSums(config: TargetConfig, schema: Schema): Promise<ContentSums> {
  return target.withTarget(
    config,
    'sum the target',
    async (c) => {
      const out: ContentSums = {};
      for (const t of schema.tables) {
        const r = await c.query<{ n: string; s: string }>(
          `SELECT count(*)::text AS n, coalesce(sum(${rowHashSql(t.columns)}), 0)::text AS s FROM ${q(t.name)}`,
        );
        out[t.name] = { rows: Number(r.rows[0]!.n), sum: BigInt(r.rows[0]!.s).toString(16) };
      }
      return out;
    },
    CANONICAL_SETTINGS,
  );
}
