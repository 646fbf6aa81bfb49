// Drift between the SQLite file and schema.prisma. An app's migrations and its
// schema can disagree: VisionSuit's migration 20250207120000_curator_applications
// creates CuratorApplication_userId_fkey ON DELETE CASCADE while schema.prisma
// declares that relation without onDelete (RESTRICT). A migration that follows
// the schema silently changes what the app does, so each difference is named
// before anything moves: foreign keys and their actions, unique and plain
// indexes, nullability, and whether a column has a default. Each has a policy:
// follow the schema (the default, as `prisma migrate` would), or keep the
// file's behaviour in the PostgreSQL DDL. The schema the rest of the run uses
// (DDL, baseline migration.sql, verification) is the one the policies give.
import type Database from 'better-sqlite3';
import { VsError } from '../../shared/errors.js';
import type { ForeignKey, ReferentialAction, Schema, Table } from './prisma-schema.js';
import { constraintName } from './prisma-schema.js';

export type DriftPolicy = 'follow-schema' | 'keep-file';

export interface Drift {
  /** The object, as PostgreSQL will name it (a constraint, an index, "Table.column"). */
  object: string;
  table: string;
  kind: 'foreign-key' | 'index' | 'nullability' | 'default';
  schema: string;
  file: string;
  /** What changes for the app when the schema is followed. */
  consequence: string;
  policy: DriftPolicy;
}

const ACTIONS: Record<string, ReferentialAction> = {
  CASCADE: 'Cascade',
  RESTRICT: 'Restrict',
  'NO ACTION': 'NoAction',
  'SET NULL': 'SetNull',
  'SET DEFAULT': 'SetDefault',
};
const SQL_ACTION: Record<ReferentialAction, string> = {
  Cascade: 'CASCADE',
  Restrict: 'RESTRICT',
  NoAction: 'NO ACTION',
  SetNull: 'SET NULL',
  SetDefault: 'SET DEFAULT',
};

/** `--drift` specs: `keep-file` or `follow-schema` for every difference, or `OBJECT=keep-file|follow-schema` for one. */
export function parseDriftPolicies(specs: readonly string[]): (object: string) => DriftPolicy {
  let all: DriftPolicy = 'follow-schema';
  const one = new Map<string, DriftPolicy>();
  for (const spec of specs) {
    const m = /^(?:(.+)=)?(keep-file|follow-schema)$/.exec(spec);
    if (!m)
      throw new VsError(
        'VS_ERR_POLICY_INVALID',
        `drift policy "${spec}" is not keep-file, follow-schema, or OBJECT=keep-file|follow-schema`,
      );
    if (m[1]) one.set(m[1], m[2] as DriftPolicy);
    else all = m[2] as DriftPolicy;
  }
  return (object) => one.get(object) ?? all;
}

interface FileFk {
  columns: string[];
  refTable: string;
  onDelete: ReferentialAction;
  onUpdate: ReferentialAction;
}

const key = (cols: string[]) => cols.join(',');

function fileForeignKeys(db: Database.Database, table: string): FileFk[] {
  const rows = db.prepare(`SELECT * FROM pragma_foreign_key_list(?) ORDER BY id, seq`).all(table) as Array<{
    id: number;
    table: string;
    from: string;
    on_update: string;
    on_delete: string;
  }>;
  const byId = new Map<number, FileFk>();
  for (const r of rows) {
    const fk = byId.get(r.id) ?? {
      columns: [],
      refTable: r.table,
      onDelete: ACTIONS[r.on_delete] ?? 'NoAction',
      onUpdate: ACTIONS[r.on_update] ?? 'NoAction',
    };
    fk.columns.push(r.from);
    byId.set(r.id, fk);
  }
  return [...byId.values()];
}

function fileIndexes(
  db: Database.Database,
  table: string,
): Array<{ name: string; unique: boolean; columns: string[] }> {
  const list = db.prepare(`SELECT name, "unique", origin FROM pragma_index_list(?)`).all(table) as Array<{
    name: string;
    unique: number;
    origin: string;
  }>;
  return list
    .filter((i) => i.origin !== 'pk')
    .map((i) => ({
      name: i.name,
      unique: Number(i.unique) === 1, // the snapshot reads integers as BigInt
      columns: (
        db.prepare(`SELECT name FROM pragma_index_info(?) ORDER BY seqno`).all(i.name) as Array<{ name: string }>
      ).map((c) => c.name),
    }));
}

function deleteConsequence(fk: ForeignKey, file: FileFk): string {
  const parent = fk.refTable;
  const on = (a: ReferentialAction) =>
    a === 'Cascade'
      ? `deleting a ${parent} deletes its ${fk.columns.join(', ')} rows here`
      : a === 'SetNull'
        ? `deleting a ${parent} sets ${fk.columns.join(', ')} to NULL here`
        : a === 'SetDefault'
          ? `deleting a ${parent} sets ${fk.columns.join(', ')} to its default here`
          : `deleting a ${parent} that rows here reference is refused (Prisma P2003)`;
  return `on SQLite ${on(file.onDelete)}; following the schema, on PostgreSQL ${on(fk.onDelete)}`;
}

/** Every difference between the file's structure and what Prisma's SQLite connector creates for the schema. */
export function findDrift(db: Database.Database, schema: Schema, policyOf: (object: string) => DriftPolicy): Drift[] {
  const out: Drift[] = [];
  const add = (d: Omit<Drift, 'policy'>) => out.push({ ...d, policy: policyOf(d.object) });
  for (const t of schema.tables) {
    // Implicit many-to-many tables: Prisma's SQLite connector keeps a unique index where PostgreSQL has the key.
    const joinTable = t.name.startsWith('_') && t.primaryKey.name === `${t.name}_AB_pkey`;
    const fks = fileForeignKeys(db, t.name);
    for (const fk of t.foreignKeys) {
      const f = fks.find((x) => key(x.columns) === key(fk.columns));
      if (!f) {
        add({
          object: fk.name,
          table: t.name,
          kind: 'foreign-key',
          schema: `FOREIGN KEY (${key(fk.columns)}) REFERENCES ${fk.refTable}`,
          file: 'none',
          consequence:
            'on SQLite nothing checks these references; on PostgreSQL every row must reference an existing one',
        });
      } else if (f.onDelete !== fk.onDelete || f.onUpdate !== fk.onUpdate) {
        add({
          object: fk.name,
          table: t.name,
          kind: 'foreign-key',
          schema: `ON DELETE ${SQL_ACTION[fk.onDelete]} ON UPDATE ${SQL_ACTION[fk.onUpdate]}`,
          file: `ON DELETE ${SQL_ACTION[f.onDelete]} ON UPDATE ${SQL_ACTION[f.onUpdate]}`,
          consequence:
            f.onDelete !== fk.onDelete ? deleteConsequence(fk, f) : 'what an update of a referenced key does changes',
        });
      }
    }
    const idx = fileIndexes(db, t.name);
    for (const i of t.indexes) {
      if (idx.some((x) => x.unique === i.unique && key(x.columns) === key(i.columns))) continue;
      add({
        object: i.name,
        table: t.name,
        kind: 'index',
        schema: `${i.unique ? 'UNIQUE ' : ''}INDEX (${key(i.columns)})`,
        file: 'none',
        consequence: i.unique
          ? 'the file accepts duplicates the schema forbids; PostgreSQL will refuse them'
          : 'only speed: queries on these columns may be slower on SQLite',
      });
    }
    for (const x of idx) {
      if (joinTable && x.unique && key(x.columns) === 'A,B') continue;
      if (t.indexes.some((i) => i.unique === x.unique && key(i.columns) === key(x.columns))) continue;
      if (x.unique && key(x.columns) === key(t.primaryKey.columns)) continue;
      add({
        object: x.name,
        table: t.name,
        kind: 'index',
        schema: 'none',
        file: `${x.unique ? 'UNIQUE ' : ''}INDEX (${key(x.columns)})`,
        consequence: x.unique
          ? 'following the schema, PostgreSQL accepts duplicates the file refused'
          : 'only speed: queries on these columns may be slower on PostgreSQL',
      });
    }
    const info = db.prepare(`SELECT name, "notnull", dflt_value FROM pragma_table_info(?)`).all(t.name) as Array<{
      name: string;
      notnull: number;
      dflt_value: string | null;
    }>;
    for (const c of t.columns) {
      const f = info.find((x) => x.name === c.name);
      if (!f || t.primaryKey.columns.includes(c.name)) continue;
      if ((Number(f.notnull) === 1) !== c.required)
        add({
          object: `${t.name}.${c.name}`,
          table: t.name,
          kind: 'nullability',
          schema: c.required ? 'NOT NULL' : 'NULL allowed',
          file: Number(f.notnull) === 1 ? 'NOT NULL' : 'NULL allowed',
          consequence: c.required
            ? 'following the schema, PostgreSQL refuses NULL here where SQLite stored it'
            : 'following the schema, PostgreSQL accepts NULL here where SQLite refused it',
        });
      const schemaDefault = c.default && c.default.kind !== 'generated' && c.default.kind !== 'autoincrement';
      if (Boolean(schemaDefault) !== (f.dflt_value !== null))
        add({
          object: `${t.name}.${c.name}`,
          table: t.name,
          kind: 'default',
          schema: schemaDefault ? 'a default' : 'no default',
          file: f.dflt_value === null ? 'no default' : `DEFAULT ${f.dflt_value}`,
          consequence:
            'only for rows written without this column by SQL outside Prisma (Prisma Client always sends it or the schema default); the schema is followed',
        });
    }
  }
  return out;
}

/** The schema the policies give: each difference kept as the file has it, or as the schema says. */
export function applyDrift(schema: Schema, drift: readonly Drift[], db: Database.Database): Schema {
  const keep = drift.filter((d) => d.policy === 'keep-file' && d.kind !== 'default');
  if (keep.length === 0) return schema;
  const tables: Table[] = schema.tables.map((t) => {
    const mine = keep.filter((d) => d.table === t.name);
    if (mine.length === 0) return t;
    const fks = fileForeignKeys(db, t.name);
    const idx = fileIndexes(db, t.name);
    const keptIndex = (name: string) => mine.some((d) => d.kind === 'index' && d.object === name);
    return {
      ...t,
      columns: t.columns.map((c) =>
        mine.some((d) => d.kind === 'nullability' && d.object === `${t.name}.${c.name}`)
          ? { ...c, required: !c.required }
          : c,
      ),
      foreignKeys: t.foreignKeys.flatMap((fk) => {
        const d = mine.find((x) => x.kind === 'foreign-key' && x.object === fk.name);
        if (!d) return [fk];
        const f = fks.find((x) => key(x.columns) === key(fk.columns));
        return f ? [{ ...fk, onDelete: f.onDelete, onUpdate: f.onUpdate }] : [];
      }),
      indexes: [
        // An index the schema has and the file lacks: kept out. One the file has and the schema lacks: made.
        ...t.indexes.filter((i) => !keptIndex(i.name)),
        ...idx
          .filter((x) => keptIndex(x.name))
          .map((x) => ({
            // PostgreSQL would cut a longer name itself; cut it as Prisma names indexes instead.
            name:
              Buffer.byteLength(x.name) <= 63 ? x.name : constraintName(t.name, x.columns, x.unique ? 'key' : 'idx'),
            columns: x.columns,
            unique: x.unique,
          })),
      ],
    };
  });
  return { ...schema, tables };
}

/** One line for a difference: the object, both sides, the consequence, the policy. */
export function describeDrift(d: Drift): string {
  return `${d.object}: schema.prisma ${d.schema}, the SQLite file ${d.file}: ${d.consequence} (${d.policy === 'keep-file' ? 'kept as the file has it: --drift keep-file' : "following the schema; keep the file's with --drift " + d.object + '=keep-file'})`;
}
