// The rows the app inserted, updated and deleted between two images of its
// SQLite file, found without touching the file, its schema or its code: no
// triggers, no change of journal mode, no reliance on updatedAt.
//
// An image is the whole database as one read transaction saw it
// (snapshot-copy.ts), page for page. Between image A (what the target holds)
// and image B (the live file now):
//
// 1. The pages whose bytes differ (snapshot-copy.ts --patch finds them while it
//    writes B), and the pages of a table's b-tree whose owner differs: owned by
//    another table, another kind (leaf, overflow, interior) or, for an overflow
//    page, another cell (SQLite's dbstat, table b-trees only).
// 2. The rowids of every cell on those pages that is a table leaf in A or in B,
//    and of the cell that owns each such overflow page.
// 3. Those rowids' rows, read in A and in B, give their primary keys; the rows
//    of those keys in A and B are compared value for value (type included).
//
// Why no changed row escapes: a row that differs between A and B has its cell
// on a leaf page p of B. If p's bytes and owner are the same in A, then A's p
// is a leaf of the same table holding the same cell (same rowid, same local
// payload, same first overflow page); the rest of the payload is on overflow
// pages, each the same bytes with the same owning cell, or one of them is a
// changed page whose owner names the cell. So either some page of the row
// changed (step 2 finds its rowid) or the row is the same in A. A row only in A
// (deleted) is the same argument with A and B swapped.
import { closeSync, openSync, readSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { VsError } from '../../shared/errors.js';
import { q } from './pg-ddl.js';
import type { Schema, Table } from './prisma-schema.js';

export interface PageOwner {
  table: string;
  kind: 'leaf' | 'overflow' | 'internal';
  /** The leaf page holding the cell (a leaf: itself). */
  leaf: number;
  /** For an overflow page: the index of its cell on `leaf`. */
  cell: number;
}
export type PageOwners = Map<number, PageOwner>;

/** Every page of the named tables' b-trees, with what owns it (dbstat). */
export function tablePages(db: Database.Database, tables: readonly string[]): PageOwners {
  const out: PageOwners = new Map();
  const stmt = db.prepare('SELECT pageno, pagetype, path FROM dbstat WHERE name = ?').raw(true);
  stmt.safeIntegers(false);
  for (const table of tables) {
    const rows = stmt.all(table) as Array<[number, string, string]>;
    const leafAt = new Map(rows.filter((r) => r[1] === 'leaf').map(([pageno, , path]) => [path, pageno]));
    for (const [pageno, type, path] of rows) {
      if (type === 'overflow') {
        // "/003/01a+000002": overflow page 2 of cell 0x1a on the leaf at "/003/".
        const slash = path.lastIndexOf('/');
        const plus = path.lastIndexOf('+');
        out.set(pageno, {
          table,
          kind: 'overflow',
          leaf: leafAt.get(path.slice(0, slash + 1)) ?? 0,
          cell: parseInt(path.slice(slash + 1, plus), 16),
        });
      } else out.set(pageno, { table, kind: type === 'leaf' ? 'leaf' : 'internal', leaf: pageno, cell: -1 });
    }
  }
  return out;
}

/**
 * B's page owners from A's and the changed pages, walking in B only the tables
 * A says own a changed page (`walk`). A table none of whose pages changed has
 * the same root, interior pages, leaves and overflow chains in B: a page joins
 * or leaves a b-tree only through a change of a page that tree owns (its
 * parent, the previous page of a chain, the cell's leaf), and its root stays
 * where it is while the schema does (the rounds check schema_version).
 */
export function ownersAfter(
  a: PageOwners,
  changed: readonly number[],
  walk: (tables: string[]) => PageOwners,
): PageOwners {
  const touched = new Set<string>();
  for (const p of changed) {
    const o = a.get(p);
    if (o) touched.add(o.table);
  }
  const out = walk([...touched]);
  for (const [p, o] of a) if (!touched.has(o.table)) out.set(p, o);
  return out;
}

const ownerKey = (o: PageOwner | undefined) =>
  !o ? '' : o.kind === 'overflow' ? `${o.table}\0overflow\0${o.leaf}\0${o.cell}` : `${o.table}\0${o.kind}`;

/** The changed pages, and those whose owner differs between A and B. */
export function pagesToRead(changed: readonly number[], a: PageOwners, b: PageOwners): number[] {
  const out = new Set(changed);
  for (const [p, o] of a) if (ownerKey(o) !== ownerKey(b.get(p))) out.add(p);
  for (const [p, o] of b) if (ownerKey(o) !== ownerKey(a.get(p))) out.add(p);
  return [...out];
}

/** A SQLite varint at `at`: its value and where the next field starts. */
function varint(b: Buffer, at: number): [bigint, number] {
  let v = 0n;
  for (let i = 0; i < 8; i++) {
    const byte = b[at + i]!;
    v = (v << 7n) | BigInt(byte & 0x7f);
    if (byte < 0x80) return [v, at + i + 1];
  }
  return [(v << 8n) | BigInt(b[at + 8]!), at + 9];
}

/** The rowids of a table leaf page's cells (all, or the one at index `only`). */
export function leafRowids(page: Buffer, pageno: number, only?: number): bigint[] {
  const h = pageno === 1 ? 100 : 0;
  if (page[h] !== 0x0d) throw new VsError('VS_ERR_INTERNAL', `page ${pageno} is not a table leaf (type ${page[h]})`);
  const cells = page.readUInt16BE(h + 3);
  const out: bigint[] = [];
  const [from, to] = only === undefined ? [0, cells] : [only, Math.min(cells, only + 1)];
  for (let i = from; i < to; i++) {
    const [, afterSize] = varint(page, page.readUInt16BE(h + 8 + 2 * i));
    out.push(BigInt.asIntN(64, varint(page, afterSize)[0]));
  }
  return out;
}

/** Per table, the rowids of the cells on `pages` of an image (see the header). */
export function rowidsOnPages(
  imagePath: string,
  pageSize: number,
  owners: PageOwners,
  pages: readonly number[],
): Map<string, Set<bigint>> {
  const out = new Map<string, Set<bigint>>();
  const fd = openSync(imagePath, 'r');
  const buf = Buffer.alloc(pageSize);
  try {
    for (const p of pages) {
      const o = owners.get(p);
      if (!o || o.kind === 'internal' || o.leaf === 0) continue;
      if (readSync(fd, buf, 0, pageSize, (o.leaf - 1) * pageSize) < pageSize) continue;
      let set = out.get(o.table);
      if (!set) out.set(o.table, (set = new Set()));
      for (const r of leafRowids(buf, o.leaf, o.kind === 'overflow' ? o.cell : undefined)) set.add(r);
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

/** Tables stored WITHOUT ROWID: their pages are index b-trees, which this module does not read. */
export function withoutRowid(db: Database.Database, tables: readonly string[]): string[] {
  const wr = db.prepare(`SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = ?`).pluck();
  wr.safeIntegers(false);
  return tables.filter((t) => wr.get(t) === 1);
}

export interface TableChanges {
  /** Rows written into the delta database (B's values, B's rowids). */
  upserts: number;
  /** Primary keys of rows in A that B no longer has, as SQLite values. */
  deletes: unknown[][];
}

/**
 * Build the delta database at `deltaPath` (already open as `delta`): every
 * table as B's own CREATE statement makes it (so values keep their storage
 * class), holding B's rows that are new or differ from A's, by primary key.
 * Returns, per table, what changed.
 */
export function buildDelta(
  delta: Database.Database,
  imageA: string,
  imageB: string,
  schema: Schema,
  candidates: { a: Map<string, Set<bigint>>; b: Map<string, Set<bigint>> },
): Map<string, TableChanges> {
  delta.pragma('foreign_keys = OFF');
  delta.prepare('ATTACH DATABASE ? AS a').run(imageA);
  delta.prepare('ATTACH DATABASE ? AS b').run(imageB);
  const out = new Map<string, TableChanges>();
  try {
    const createOf = delta.prepare(`SELECT sql FROM b.sqlite_master WHERE type = 'table' AND name = ?`).pluck();
    for (const t of schema.tables) {
      const sql = createOf.get(t.name) as string | undefined;
      if (!sql)
        throw new VsError('VS_ERR_SCHEMA_CHANGED', `table ${t.name} is gone from the SQLite file since it was copied`);
      delta.exec(sql);
      const a = [...(candidates.a.get(t.name) ?? [])];
      const b = [...(candidates.b.get(t.name) ?? [])];
      if (a.length + b.length === 0) continue;
      out.set(t.name, changesOf(delta, t, a, b));
    }
  } finally {
    delta.exec('DETACH DATABASE a');
    delta.exec('DETACH DATABASE b');
  }
  return out;
}

function changesOf(delta: Database.Database, t: Table, a: bigint[], b: bigint[]): TableChanges {
  const name = q(t.name);
  const pk = t.primaryKey.columns.map(q);
  const tuple = (alias: string) =>
    pk.length === 1 ? `${alias}.${pk[0]}` : `(${pk.map((c) => `${alias}.${c}`).join(', ')})`;
  const cols = t.columns.map((c) => q(c.name));
  const same = (x: string, y: string) =>
    cols.map((c) => `${x}.${c} IS ${y}.${c} AND typeof(${x}.${c}) = typeof(${y}.${c})`).join(' AND ');
  const joinPk = (x: string, y: string) => pk.map((c) => `${x}.${c} = ${y}.${c}`).join(' AND ');
  delta.exec(`DROP TABLE IF EXISTS temp.keys; CREATE TEMP TABLE keys AS SELECT ${pk.join(', ')} FROM ${name} WHERE 0`);
  delta
    .prepare(
      `INSERT INTO temp.keys SELECT ${pk.join(', ')} FROM a.${name} WHERE rowid IN (SELECT value FROM json_each(?))
       UNION SELECT ${pk.join(', ')} FROM b.${name} WHERE rowid IN (SELECT value FROM json_each(?))`,
    )
    .run(`[${a.join(',')}]`, `[${b.join(',')}]`);
  const inKeys = (alias: string) => `${tuple(alias)} IN (SELECT ${pk.join(', ')} FROM temp.keys)`;
  const upserts = delta
    .prepare(
      `INSERT INTO main.${name} (rowid, ${cols.join(', ')})
       SELECT n.rowid, ${cols.map((c) => `n.${c}`).join(', ')} FROM b.${name} n
       WHERE ${inKeys('n')} AND NOT EXISTS (SELECT 1 FROM a.${name} o WHERE ${joinPk('o', 'n')} AND ${same('o', 'n')})`,
    )
    .run().changes;
  const deletes = delta
    .prepare(
      `SELECT ${pk.map((c) => `o.${c}`).join(', ')} FROM a.${name} o
       WHERE ${inKeys('o')} AND NOT EXISTS (SELECT 1 FROM b.${name} n WHERE ${joinPk('n', 'o')})`,
    )
    .raw(true)
    .all() as unknown[][];
  return { upserts, deletes };
}
