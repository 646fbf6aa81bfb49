// The data lint: every value of the snapshot checked against the conversion
// rules before any data moves. Each table is scanned once by SQLite with a
// condition per column that flags every value the converter could refuse (a
// superset, cheap in C); the flagged rows then go through the same converters
// the copy uses, which decide. Orphaned foreign keys are findings too.
//
// Policies turn findings into a plan: `fail` (the default) blocks the run,
// `quarantine` keeps the row out and writes it whole into the report,
// `repair:<name>` changes the value by a named rule and says so.
import { isUtf8 } from 'node:buffer';
import type Database from 'better-sqlite3';
import { VsError } from '../../shared/errors.js';
import { RULES, REPAIRS, Rejection, converterFor, excerpt } from './convert.js';
import type { Rule, SqliteValue } from './convert.js';
import { q } from './pg-ddl.js';
import { missingInFile } from './snapshot.js';
import type { Column, Schema, Table } from './prisma-schema.js';

export type Action = 'fail' | 'quarantine' | `repair:${string}`;

export interface Policy {
  /** A rule name, `Table.column`, or `Table.column:rule`; the most specific match wins. */
  match: string;
  action: Action;
}

export interface Finding {
  table: string;
  /** The primary key, its columns joined by "|". */
  key: string;
  rowid: number;
  column: string;
  rule: Rule;
  excerpt: string;
  action: Action;
  /** Set when a policy was asked for but cannot apply; the finding then blocks. */
  note?: string;
}

export interface RowRepair {
  column: string;
  rule: Rule;
  repair: string;
  from: string;
  to: string;
}

export interface LintPlan {
  /** rowids kept out of the copy, per table, with the row's original values for the report. */
  quarantine: Map<string, Map<number, Record<string, unknown>>>;
  /** Replacement values per table and rowid. */
  repairs: Map<string, Map<number, Map<string, SqliteValue>>>;
  /** What each repair changed, for the report. */
  repairLog: Array<{ table: string; key: string } & RowRepair>;
  /** "Table.column" widened from INTEGER to BIGINT by int-overflow-widen. */
  widened: Set<string>;
}

export interface LintResult {
  findings: Finding[];
  blocking: Finding[];
  plan: LintPlan;
  seconds: number;
}

const POLICY_FORM =
  /^(?:[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*(?::[a-z0-9-]+)?|[a-z0-9-]+)=(?:fail|quarantine|repair:[a-z0-9-]+)$/;

/** A request's policies ({rule, action}, as vsctl sends them) as `RULE=ACTION` strings. */
export function policySpecs(policies: ReadonlyArray<{ rule: string; action: string }>): string[] {
  return policies.map((p) => `${p.rule}=${p.action}`);
}

/** Parse `RULE=ACTION` strings, refusing unknown rules and repairs by name. */
export function parsePolicies(specs: readonly string[], schema: Schema): Policy[] {
  return specs.map((spec) => {
    if (!POLICY_FORM.test(spec))
      throw new VsError('VS_ERR_POLICY_INVALID', `policy "${spec}" is not RULE=fail|quarantine|repair:NAME`);
    const [match, action] = spec.split('=') as [string, Action];
    const [target, ruleName] = match.includes('.') ? match.split(':') : [null, match];
    if (target) {
      const [t, c] = target.split('.');
      const table = schema.tables.find((x) => x.name === t);
      if (!table || !table.columns.some((x) => x.name === c))
        throw new VsError('VS_ERR_POLICY_INVALID', `policy "${spec}": no column ${target} in the schema`);
    }
    if (ruleName && !(ruleName in RULES)) {
      throw new VsError(
        'VS_ERR_POLICY_INVALID',
        `policy "${spec}": unknown rule ${ruleName}; rules: ${Object.keys(RULES).join(', ')}`,
      );
    }
    if (action.startsWith('repair:')) {
      const repair = action.slice('repair:'.length);
      if (!REPAIRS[repair])
        throw new VsError(
          'VS_ERR_POLICY_INVALID',
          `policy "${spec}": unknown repair ${repair}; repairs: ${Object.keys(REPAIRS).join(', ')}`,
        );
      if (ruleName && !REPAIRS[repair]!.includes(ruleName as Rule)) {
        throw new VsError(
          'VS_ERR_POLICY_INVALID',
          `policy "${spec}": ${repair} repairs ${REPAIRS[repair]!.join(', ')}, not ${ruleName}`,
        );
      }
    }
    return { match, action };
  });
}

function actionFor(policies: readonly Policy[], table: string, column: string, rule: Rule): Action {
  const exact = `${table}.${column}:${rule}`;
  const col = `${table}.${column}`;
  const pick =
    policies.find((p) => p.match === exact) ??
    policies.find((p) => p.match === col) ??
    policies.find((p) => p.match === rule);
  if (!pick) return 'fail';
  // A column-wide repair applies only to the rules it repairs.
  if (pick.action.startsWith('repair:') && !REPAIRS[pick.action.slice(7)]!.includes(rule)) return 'fail';
  return pick.action;
}

/** The SQL condition that flags every value of a column the converter might refuse. */
function suspect(c: Column, enumValues: readonly string[] | undefined): string {
  const x = q(c.name);
  const nn = `${x} IS NOT NULL`;
  const nullCheck = c.required ? `${x} IS NULL OR ` : '';
  const body = (() => {
    switch (c.type) {
      case 'String':
        return `${nn} AND (typeof(${x}) != 'text' OR instr(${x}, char(0)) > 0 OR (${x} GLOB '*[^ -~]*' AND vs_utf8_ok(CAST(${x} AS BLOB)) = 0))`;
      case 'Enum':
        return `${nn} AND (typeof(${x}) != 'text' OR ${x} NOT IN (${enumValues!.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ')}))`;
      case 'Int':
        return `${nn} AND (typeof(${x}) != 'integer' OR ${x} NOT BETWEEN -2147483648 AND 2147483647)`;
      case 'BigInt':
        return `${nn} AND typeof(${x}) != 'integer'`;
      case 'Float':
      case 'Decimal':
        return `${nn} AND typeof(${x}) NOT IN ('integer', 'real')`;
      case 'Boolean':
        return `${nn} AND NOT (typeof(${x}) = 'integer' AND ${x} IN (0, 1))`;
      case 'DateTime':
        return `${nn} AND (typeof(${x}) != 'integer' OR ${x} NOT BETWEEN -8640000000000000 AND 8640000000000000)`;
      case 'Json':
        return `${nn} AND NOT (typeof(${x}) IN ('integer', 'real') OR (typeof(${x}) = 'text' AND json_valid(${x}) AND ${x} NOT LIKE '%\\u0000%' AND ${x} NOT LIKE '%\\ud%'))`;
      case 'Bytes':
        return `${nn} AND typeof(${x}) != 'blob'`;
    }
  })();
  return `(${nullCheck}${body})`;
}

const keyOf = (t: Table, row: Record<string, unknown>) => t.primaryKey.columns.map((c) => String(row[c])).join('|');

/** A row as JSON-safe values for the report (bigint and blobs tagged). */
export function reportRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (k === '__rowid') continue;
    out[k] =
      typeof v === 'bigint'
        ? v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
          ? Number(v)
          : { $bigint: String(v) }
        : Buffer.isBuffer(v)
          ? { $blob: v.toString('hex') }
          : v;
  }
  return out;
}

interface RepairResult {
  value: SqliteValue;
  widen?: boolean;
}

/** Apply a named repair to a value, or say why it cannot apply. */
function repairValue(
  repair: string,
  c: Column,
  v: SqliteValue,
  enumDefault: string | undefined,
): RepairResult | string {
  switch (repair) {
    case 'empty-json-to-default':
      if (c.default?.kind === 'literal') return { value: String(c.default.value) };
      return c.required ? 'the column is required and has no default' : { value: null };
    case 'int-overflow-widen':
      return { value: v, widen: true };
    case 'strip-nul':
      return { value: typeof v === 'string' ? v.replaceAll('\u0000', '') : v };
    case 'replace-invalid-utf8':
      return { value: v }; // the decoded string already holds U+FFFD where the bytes were invalid
    case 'unknown-enum-to-default':
      if (enumDefault !== undefined) return { value: enumDefault };
      return c.required ? 'the column is required and has no default' : { value: null };
    case 'orphan-to-null':
      return c.required ? 'the foreign key column is required' : { value: null };
    default:
      return `unknown repair ${repair}`;
  }
}

export function lintSnapshot(
  db: Database.Database,
  schema: Schema,
  policies: readonly Policy[],
  onTable?: (table: string) => void,
  /** false for a file that holds only some rows (the catch-up's delta): PostgreSQL's foreign keys check those. */
  foreignKeys = true,
): LintResult {
  const started = Date.now();
  const missing = missingInFile(db, schema.tables);
  if (missing.length > 0) {
    throw new VsError(
      'VS_ERR_SCHEMA_MISMATCH',
      `the SQLite file lacks what schema.prisma names: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}`,
      {
        details: { missing: missing.length },
      },
    );
  }
  const findings: Finding[] = [];
  const plan: LintPlan = { quarantine: new Map(), repairs: new Map(), repairLog: [], widened: new Set() };
  const enums = new Map(schema.enums.map((e) => [e.name, e.values]));
  const tables = new Map(schema.tables.map((t) => [t.name, t]));

  const quarantine = (t: Table, rowid: number, row: Record<string, unknown>) => {
    let m = plan.quarantine.get(t.name);
    if (!m) plan.quarantine.set(t.name, (m = new Map()));
    if (!m.has(rowid)) m.set(rowid, reportRow(row));
  };
  const setRepair = (
    t: Table,
    rowid: number,
    key: string,
    c: Column,
    rule: Rule,
    repair: string,
    from: SqliteValue,
    to: SqliteValue,
  ) => {
    let m = plan.repairs.get(t.name);
    if (!m) plan.repairs.set(t.name, (m = new Map()));
    let cols = m.get(rowid);
    if (!cols) m.set(rowid, (cols = new Map()));
    cols.set(c.name, to);
    plan.repairLog.push({ table: t.name, key, column: c.name, rule, repair, from: excerpt(from), to: excerpt(to) });
  };

  /** Record a finding and carry out its policy. */
  const found = (t: Table, rowid: number, row: Record<string, unknown>, c: Column, rule: Rule, value: SqliteValue) => {
    const key = keyOf(t, row);
    const f: Finding = {
      table: t.name,
      key,
      rowid,
      column: c.name,
      rule,
      excerpt: excerpt(value),
      action: actionFor(policies, t.name, c.name, rule),
    };
    if (f.action === 'quarantine') quarantine(t, rowid, row);
    else if (f.action.startsWith('repair:')) {
      const repair = f.action.slice('repair:'.length);
      const enumDefault = c.type === 'Enum' && c.default?.kind === 'literal' ? String(c.default.value) : undefined;
      const r = repairValue(repair, c, value, enumDefault);
      if (typeof r === 'string') {
        f.note = `${repair} cannot apply: ${r}`;
        f.action = 'fail';
      } else {
        if (r.widen) plan.widened.add(`${t.name}.${c.name}`);
        setRepair(t, rowid, key, c, rule, repair, value, r.value);
      }
    }
    findings.push(f);
  };

  for (const name of schema.loadOrder) {
    const t = tables.get(name)!;
    onTable?.(name);
    const convs = t.columns.map((c) => converterFor(c, c.enumName ? new Set(enums.get(c.enumName)) : undefined));
    const where = t.columns.map((c) => suspect(c, c.enumName ? enums.get(c.enumName) : undefined)).join(' OR ');
    const stmt = db.prepare(
      `SELECT rowid AS __rowid, ${t.columns.map((c) => q(c.name)).join(', ')} FROM ${q(t.name)} WHERE ${where}`,
    );
    const rawBytes = new Map<string, Database.Statement>();
    for (const row of stmt.iterate() as Iterable<Record<string, SqliteValue>>) {
      const rowid = Number(row['__rowid']);
      t.columns.forEach((c, i) => {
        const v = row[c.name] ?? null;
        const out = convs[i]!(v);
        if (!(out instanceof Rejection)) return;
        if (out.rule === 'string-invalid-utf8') {
          // U+FFFD in the decoded text: invalid bytes, or a real U+FFFD? Ask the bytes.
          let s = rawBytes.get(c.name);
          if (!s)
            rawBytes.set(
              c.name,
              (s = db.prepare(`SELECT CAST(${q(c.name)} AS BLOB) AS b FROM ${q(t.name)} WHERE rowid = ?`)),
            );
          const b = (s.get(BigInt(rowid)) as { b: Buffer }).b;
          if (isUtf8(b)) return;
        }
        found(t, rowid, row, c, out.rule, v);
      });
    }
  }

  // Foreign keys: a row whose parent is missing, or quarantined, is an orphan.
  // Quarantining an orphan can orphan its own children, so repeat until stable.
  let changed = foreignKeys;
  const reported = new Set<string>();
  while (changed) {
    changed = false;
    for (const t of schema.tables) {
      for (const fk of t.foreignKeys) {
        const parent = tables.get(fk.refTable)!;
        const quarantinedParents = plan.quarantine.get(parent.name);
        const notNull = fk.columns.map((c) => `c.${q(c)} IS NOT NULL`).join(' AND ');
        const join = fk.columns.map((c, i) => `p.${q(fk.refColumns[i]!)} = c.${q(c)}`).join(' AND ');
        const rows = db
          .prepare(
            `SELECT c.rowid AS __rowid, c.* FROM ${q(t.name)} c WHERE ${notNull} AND NOT EXISTS (SELECT 1 FROM ${q(parent.name)} p WHERE ${join})`,
          )
          .all() as Array<Record<string, SqliteValue>>;
        if (quarantinedParents && quarantinedParents.size > 0) {
          const parentKeys = new Set(
            [...quarantinedParents.values()].map((r) => fk.refColumns.map((c) => String(r[c])).join('|')),
          );
          const candidates = db.prepare(`SELECT c.rowid AS __rowid, c.* FROM ${q(t.name)} c WHERE ${notNull}`);
          for (const row of candidates.iterate() as Iterable<Record<string, SqliteValue>>) {
            if (parentKeys.has(fk.columns.map((c) => String(row[c])).join('|'))) rows.push(row);
          }
        }
        for (const row of rows) {
          const rowid = Number(row['__rowid']);
          const id = `${t.name}:${rowid}:${fk.name}`;
          if (reported.has(id) || plan.quarantine.get(t.name)?.has(rowid)) continue;
          const repaired = plan.repairs.get(t.name)?.get(rowid);
          if (repaired && fk.columns.every((c) => repaired.get(c) === null)) continue;
          reported.add(id);
          const c = t.columns.find((x) => x.name === fk.columns[0])!;
          const before = plan.quarantine.get(t.name)?.size ?? 0;
          found(t, rowid, row, c, 'fk-orphan', row[c.name] ?? null);
          // orphan-to-null clears every column of the key, not just the first.
          for (const other of fk.columns.slice(1)) {
            const m = plan.repairs.get(t.name)?.get(rowid);
            if (m?.has(c.name)) m.set(other, null);
          }
          if ((plan.quarantine.get(t.name)?.size ?? 0) > before) changed = true;
        }
      }
    }
  }

  const blocking = findings.filter((f) => f.action === 'fail');
  return { findings, blocking, plan, seconds: (Date.now() - started) / 1000 };
}
