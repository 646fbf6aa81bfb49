// Verification: every value on the PostgreSQL side must equal the converted
// value from the SQLite snapshot. Per table, the row count and the sum of row
// hashes (canonical.ts) are computed on both sides, the PostgreSQL side by SQL
// on the server, on as many connections as the server has cores. When they differ, the primary-key range is split and the
// halves compared again until the differing rows are found (like data-diff);
// then their columns are compared and named. Keys are ordered as SQLite orders
// them (bytewise), which is PostgreSQL's COLLATE "C".
//
// Also checked: foreign keys valid, sequences at or above the highest id and
// SQLite's high-water mark, enum types and every index present.
import type Database from 'better-sqlite3';
import type { Client } from 'pg';
import { fromPgError } from '../../shared/errors.js';
import { canonicalSql, canonicalValue, rowHash, rowHashSql, rowText } from './canonical.js';
import type { SqliteValue } from './convert.js';
import type { LintPlan } from './lint.js';
import { q } from './pg-ddl.js';
import type { Column, Schema, Table } from './prisma-schema.js';
import { exactReadExpr, sequenceMarks } from './snapshot.js';
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
  /** Connections summing tables at once (default 2). */
  parallel?: number;
  onTable?: (verdict: TableVerdict) => void;
}

type Key = Array<string | bigint>;

const LEAF_ROWS = 256;
const FANOUT = 8;
const excerptOf = (s: string | null) => (s === null ? null : s.length > 80 ? `${s.slice(0, 77)}…(${s.length} chars)` : s);

class TableVerifier {
  private readonly pk: Column[];
  private readonly order: string;
  private readonly quarantine: Map<number, unknown>;
  private readonly repairs: Map<number, Map<string, SqliteValue>>;
  private readonly readColumns: string;
  readonly differences: RowDifference[] = [];
  truncated = false;

  constructor(
    private readonly t: Table,
    private readonly db: Database.Database,
    private readonly pg: Client,
    plan: LintPlan,
    private readonly max: number,
  ) {
    this.pk = t.primaryKey.columns.map((n) => t.columns.find((c) => c.name === n)!);
    this.order = this.pk.map((c) => q(c.name)).join(', ');
    this.quarantine = plan.quarantine.get(t.name) ?? new Map();
    this.repairs = plan.repairs.get(t.name) ?? new Map();
    this.readColumns = t.columns.map((c) => exactReadExpr(c, plan.widened.has(`${t.name}.${c.name}`))).join(', ');
  }

  /** SQL for keys in [lo, hi): bytewise order for text on the PostgreSQL side. */
  private range(lo: Key | null, hi: Key | null, pgSide: boolean, offset = 0): { where: string; params: unknown[] } {
    const cols = this.pk.map((c) => (pgSide && (c.type === 'String' || c.type === 'Enum') ? `${q(c.name)} COLLATE "C"` : q(c.name)));
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

  /** The canonical fields of a source row, after quarantine and repairs; null when quarantined. */
  private sourceFields(row: Record<string, SqliteValue>): Array<string | null> | null {
    const rowid = Number(row['__rowid']);
    if (this.quarantine.has(rowid)) return null;
    const fix = this.repairs.get(rowid);
    return this.t.columns.map((c) => canonicalValue(c, fix?.has(c.name) ? fix.get(c.name)! : (row[c.name] ?? null)));
  }

  private keyText(row: Record<string, unknown>): string {
    return this.pk.map((c) => String(row[c.name])).join('|');
  }

  /** Source rows, in key order unless told otherwise; integers as plain numbers (see exactReadExpr). */
  private sourceRows(lo: Key | null, hi: Key | null, ordered = true): Iterable<Record<string, SqliteValue>> {
    const r = this.range(lo, hi, false);
    // Key order walks the key's index and fetches rows at random; a sum over a
    // whole table needs no order, and a table scan is many times faster.
    const stmt = this.db.prepare(`SELECT rowid AS __rowid, ${this.readColumns} FROM ${q(this.t.name)} ${r.where}${ordered ? ` ORDER BY ${this.order}` : ''}`);
    stmt.safeIntegers(false);
    return stmt.iterate(...r.params.map((p) => (typeof p === 'bigint' ? String(p) : p))) as Iterable<Record<string, SqliteValue>>;
  }

  sourceSum(lo: Key | null, hi: Key | null): { n: number; sum: bigint } {
    let n = 0;
    let sum = 0n;
    for (const row of this.sourceRows(lo, hi, false)) {
      const f = this.sourceFields(row);
      if (!f) continue;
      n++;
      sum += rowHash(rowText(f));
    }
    return { n, sum };
  }

  async targetSum(lo: Key | null, hi: Key | null): Promise<{ n: number; sum: bigint }> {
    const r = this.range(lo, hi, true);
    const res = await this.pg.query<{ n: string; s: string }>(`SELECT count(*)::text AS n, coalesce(sum(${rowHashSql(this.t.columns)}::numeric), 0)::text AS s FROM ${q(this.t.name)} ${r.where}`, r.params);
    return { n: Number(res.rows[0]!.n), sum: BigInt(res.rows[0]!.s) };
  }

  /** Keys splitting [lo, hi) into about FANOUT parts, read from the source. */
  private boundaries(lo: Key | null, hi: Key | null, rows: number): Key[] {
    const r = this.range(lo, hi, false);
    const stmt = this.db.prepare(`SELECT ${this.order} FROM ${q(this.t.name)} ${r.where} ORDER BY ${this.order} LIMIT 1 OFFSET ?`).raw(true);
    const out: Key[] = [];
    for (let i = 1; i < FANOUT; i++) {
      const k = stmt.get(...r.params, Math.floor((rows * i) / FANOUT)) as Key | undefined;
      if (k && (out.length === 0 || JSON.stringify(out.at(-1), (_, v) => (typeof v === 'bigint' ? String(v) : v)) !== JSON.stringify(k, (_, v) => (typeof v === 'bigint' ? String(v) : v)))) out.push(k);
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
    for (const row of this.sourceRows(lo, hi)) {
      const f = this.sourceFields(row);
      if (f) source.set(this.keyText(row), f);
    }
    const r = this.range(lo, hi, true);
    const cols = this.t.columns.map((c) => `${canonicalSql(c)} AS ${q(c.name)}`).join(', ');
    const res = await this.pg.query<Record<string, string | null>>(`SELECT ${cols} FROM ${q(this.t.name)} ${r.where}`, r.params);
    const targetRows = new Map(res.rows.map((row) => [this.keyText(row), this.t.columns.map((c) => row[c.name] ?? null)]));
    for (const [key, f] of source) {
      const other = targetRows.get(key);
      if (!other) {
        if (!this.record({ key, kind: 'missing-in-target' })) return;
      } else if (rowText(f) !== rowText(other)) {
        const columns = this.t.columns.flatMap((c, i) => (f[i] === other[i] ? [] : [{ column: c.name, source: excerptOf(f[i]!), target: excerptOf(other[i]!) }]));
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
  const fks = await pg.query<{ conname: string; convalidated: boolean }>(`SELECT conname, convalidated FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace`);
  const expectedFks = schema.tables.flatMap((t) => t.foreignKeys.map((f) => f.name));
  const present = new Map(fks.rows.map((r) => [r.conname, r.convalidated]));
  const missingFks = expectedFks.filter((n) => !present.has(n));
  const invalid = expectedFks.filter((n) => present.get(n) === false);
  checks.push({ name: 'foreign keys', ok: missingFks.length === 0 && invalid.length === 0, detail: missingFks.length || invalid.length ? `missing: ${missingFks.join(', ') || '-'}; not validated: ${invalid.join(', ') || '-'}` : `${expectedFks.length} present and validated` });

  const idx = new Set((await pg.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE schemaname = 'public'`)).rows.map((r) => r.indexname));
  const expectedIdx = schema.tables.flatMap((t) => [t.primaryKey.name, ...t.indexes.map((i) => i.name)]);
  const missingIdx = expectedIdx.filter((n) => !idx.has(n));
  checks.push({ name: 'indexes', ok: missingIdx.length === 0, detail: missingIdx.length ? `missing: ${missingIdx.join(', ')}` : `${expectedIdx.length} present` });

  const enumRows = await pg.query<{ typname: string; labels: string }>(
    `SELECT t.typname, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) AS labels FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY 1`,
  );
  const enums = new Map(enumRows.rows.map((r) => [r.typname, r.labels]));
  const wrongEnums = schema.enums.filter((e) => enums.get(e.name) !== e.values.join(',')).map((e) => e.name);
  checks.push({ name: 'enum types', ok: wrongEnums.length === 0, detail: wrongEnums.length ? `missing or different: ${wrongEnums.join(', ')}` : `${schema.enums.length} present with their labels` });

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
  checks.push({ name: 'sequences', ok: low.length === 0, detail: low.length ? low.join('; ') : `${serials} at or above max(id) and the SQLite high-water mark` });
  return checks;
}

export async function verify(opts: VerifyOptions): Promise<VerifyReport> {
  const started = Date.now();
  const lanes = Math.max(1, opts.parallel ?? 2);
  const conns: Client[] = [];
  try {
    for (let i = 0; i < lanes; i++) conns.push(await target.connect(opts.target));
    // Biggest tables first, one per connection, so the server's cores share the sums.
    const rows = new Map(opts.schema.tables.map((t) => [t.name, Number((opts.db.prepare(`SELECT count(*) AS n FROM ${q(t.name)}`).get() as { n: bigint | number }).n)]));
    const queue = [...opts.schema.loadOrder].sort((a, b) => rows.get(b)! - rows.get(a)!);
    const verdicts = new Map<string, TableVerdict>();
    const lane = async (pg: Client) => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
        const t = opts.schema.tables.find((x) => x.name === name)!;
        const t0 = Date.now();
        const v = new TableVerifier(t, opts.db, pg, opts.plan, opts.maxDifferences ?? 20);
        const pending = v.targetSum(null, null);
        // The server sums while this thread sums the snapshot.
        const s = v.sourceSum(null, null);
        const tg = await pending;
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
      }
    };
    await Promise.all(conns.map(lane));
    const tables = opts.schema.loadOrder.map((name) => verdicts.get(name)!);
    const checks = await catalogChecks(conns[0]!, opts.db, opts.schema);
    return { ok: tables.every((t) => t.equal) && checks.every((c) => c.ok), tables, checks, seconds: (Date.now() - started) / 1000 };
  } catch (err) {
    throw fromPgError(err, 'verify');
  } finally {
    await Promise.all(conns.map((c) => c.end().catch(() => {})));
  }
}
