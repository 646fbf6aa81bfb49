// Every schema feature a SQLite datasource accepts, migrated with
// migrate-local from a SQLite file laid out as Prisma's SQLite connector lays
// it out, into the catalog Prisma's PostgreSQL connector creates for the same
// schema with the provider switched. The expected names are written out here
// from Prisma's rules (cited in agent-app/engine/prisma-schema.ts), not taken
// from our DDL: a 63-byte cut falls inside "ü", implicit many-to-many tables
// (one a self-relation) get "A"/"B", _AB_pkey and _B_index.
import test from 'ava';
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PgCluster } from '../harness/postgres.js';
import { localArgs, migrateLocal, urlFile } from '../harness/engine.js';
import { tempDir } from '../harness/system.js';
import { startCluster, trackWith } from '../harness/stage.js';
import { parseSchema } from '../../agent-app/engine/prisma-schema.js';
import { VsError } from '../../shared/errors.js';

const tracker = trackWith(test);
const SCHEMA = fileURLToPath(new URL('../../../test/fixtures/features/schema.prisma', import.meta.url));
const LONG = 'tabelle_für_lange_namen_äöü';
const LONG_COLUMN = 'referenz_auf_den_autor_xxxübergroßer_spaltenname';

// The SQLite DDL `prisma migrate dev` writes for this schema (Prisma 6, SQLite connector).
const SQLITE_DDL = `
CREATE TABLE "authors" ("author_id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "full_name" TEXT NOT NULL, "email" TEXT NOT NULL, "colour" TEXT NOT NULL DEFAULT 'red', "code" TEXT NOT NULL DEFAULT 'draft');
CREATE TABLE "Library" ("id" INTEGER NOT NULL PRIMARY KEY);
CREATE TABLE "Editor" ("id" INTEGER NOT NULL PRIMARY KEY, "libId" INTEGER NOT NULL, CONSTRAINT "Editor_libId_fkey" FOREIGN KEY ("libId") REFERENCES "Library" ("id") ON DELETE NO ACTION ON UPDATE CASCADE);
CREATE TABLE "Shelf" ("id" INTEGER NOT NULL PRIMARY KEY, "libId" INTEGER NOT NULL, CONSTRAINT "Shelf_libId_fkey" FOREIGN KEY ("libId") REFERENCES "Library" ("id") ON DELETE RESTRICT ON UPDATE CASCADE);
CREATE TABLE "books" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "author_ref" INTEGER NOT NULL, "editorId" INTEGER DEFAULT 1, "shelfId" INTEGER, "price" DECIMAL NOT NULL, "cover" BLOB,
  CONSTRAINT "books_author_ref_fkey" FOREIGN KEY ("author_ref") REFERENCES "authors" ("author_id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "books_editorId_fkey" FOREIGN KEY ("editorId") REFERENCES "Editor" ("id") ON DELETE SET DEFAULT ON UPDATE NO ACTION,
  CONSTRAINT "books_shelfId_fkey" FOREIGN KEY ("shelfId") REFERENCES "Shelf" ("id") ON DELETE SET NULL ON UPDATE RESTRICT);
CREATE TABLE "Tag" ("id" TEXT NOT NULL PRIMARY KEY, "label" TEXT NOT NULL);
CREATE TABLE "${LONG}" ("id" INTEGER NOT NULL PRIMARY KEY, "${LONG_COLUMN}" INTEGER NOT NULL,
  CONSTRAINT "${LONG}_referenz_auf_den_autor_xxx_fkey" FOREIGN KEY ("${LONG_COLUMN}") REFERENCES "authors" ("author_id") ON DELETE RESTRICT ON UPDATE CASCADE);
CREATE TABLE "_AuthorToTag" ("A" INTEGER NOT NULL, "B" TEXT NOT NULL,
  CONSTRAINT "_AuthorToTag_A_fkey" FOREIGN KEY ("A") REFERENCES "authors" ("author_id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "_AuthorToTag_B_fkey" FOREIGN KEY ("B") REFERENCES "Tag" ("id") ON DELETE CASCADE ON UPDATE CASCADE);
CREATE TABLE "_friends" ("A" INTEGER NOT NULL, "B" INTEGER NOT NULL,
  CONSTRAINT "_friends_A_fkey" FOREIGN KEY ("A") REFERENCES "authors" ("author_id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "_friends_B_fkey" FOREIGN KEY ("B") REFERENCES "authors" ("author_id") ON DELETE CASCADE ON UPDATE CASCADE);
CREATE UNIQUE INDEX "author_email_uq" ON "authors"("email");
CREATE INDEX "authors_by_name" ON "authors"("full_name");
CREATE UNIQUE INDEX "book_author_price_uq" ON "books"("author_ref", "price");
CREATE INDEX "${LONG}_referenz_auf_den_autor_xxx_idx" ON "${LONG}"("${LONG_COLUMN}");
CREATE UNIQUE INDEX "_AuthorToTag_AB_unique" ON "_AuthorToTag"("A", "B");
CREATE INDEX "_AuthorToTag_B_index" ON "_AuthorToTag"("B");
CREATE UNIQUE INDEX "_friends_AB_unique" ON "_friends"("A", "B");
CREATE INDEX "_friends_B_index" ON "_friends"("B");
INSERT INTO "authors" VALUES (1, 'Ada', 'ada@example.test', 'red', 'draft'), (2, 'Bob', 'bob@example.test', 'green', 'final');
INSERT INTO "Library" VALUES (1);
INSERT INTO "Editor" VALUES (1, 1);
INSERT INTO "Shelf" VALUES (1, 1);
INSERT INTO "books" VALUES (1, 1, 1, 1, 12.5, x'00ff10'), (2, 2, NULL, NULL, '0.1', NULL);
INSERT INTO "Tag" VALUES ('ckt1', 'one'), ('ckt2', 'two');
INSERT INTO "${LONG}" VALUES (7, 2);
INSERT INTO "_AuthorToTag" VALUES (1, 'ckt1'), (2, 'ckt1'), (2, 'ckt2');
INSERT INTO "_friends" VALUES (1, 2);
`;

let pg: PgCluster;
let firstRun = '';

/** `dir`/dev.db made from `ddl`, migrated by migrate-local into a new database. */
async function migrateFile(dir: string, ddl: string, database: string, drift: string[] = []) {
  const file = join(dir, 'dev.db');
  if (!existsSync(file)) {
    const db = new Database(file);
    db.exec(ddl);
    db.close();
  }
  await pg.query(`CREATE DATABASE ${database}`);
  const work = join(dir, `work-${database}`);
  const r = await migrateLocal([
    ...localArgs(file, SCHEMA, urlFile(dir, pg, database), work),
    ...drift.flatMap((d) => ['--drift', d]),
  ]);
  return { ...r, work };
}

test.before(async () => {
  pg = await startCluster('prisma-features', tracker);
  const r = await migrateFile(tempDir('prisma-features'), SQLITE_DDL, 'features');
  if (r.code !== 0) throw new Error(`migrate-local failed:\n${r.stdout}\n${r.stderr}`);
  firstRun = r.stderr;
});

const rows = (sql: string) => pg.query<Record<string, string>>(sql, [], 'features');

test('the catalog holds exactly the names and types Prisma gives the schema on PostgreSQL', async (t) => {
  // The file is laid out as Prisma's SQLite connector lays it out: no drift (the join tables' unique indexes included).
  t.regex(firstRun, /drift: done .*the file has the structure schema\.prisma gives it/);
  const tables = await rows(
    `SELECT relname AS name FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace AND relname <> '_prisma_migrations' ORDER BY relname::text COLLATE "C"`,
  );
  t.deepEqual(
    tables.map((r) => r['name']),
    ['Editor', 'Library', 'Shelf', 'Tag', '_AuthorToTag', '_friends', 'authors', 'books', LONG],
  );
  const columns = await rows(
    `SELECT c.relname || '.' || a.attname AS col, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull::text AS notnull,
            coalesce(pg_get_expr(d.adbin, d.adrelid), '') AS dflt
     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
       AND c.relname IN ('authors', 'books', '_AuthorToTag', '_friends', '${LONG}') ORDER BY (c.relname || '.' || a.attname) COLLATE "C"`,
  );
  t.deepEqual(
    Object.fromEntries(
      columns.map((c) => [
        c['col'],
        `${c['type']} ${c['notnull'] === 'true' ? 'NOT NULL' : 'NULL'} ${c['dflt']}`.trim(),
      ]),
    ),
    {
      '_AuthorToTag.A': 'integer NOT NULL',
      '_AuthorToTag.B': 'text NOT NULL',
      '_friends.A': 'integer NOT NULL',
      '_friends.B': 'integer NOT NULL',
      'authors.author_id': `integer NOT NULL nextval('authors_author_id_seq'::regclass)`,
      'authors.code': `text NOT NULL 'draft'::text`,
      'authors.colour': `colour_kind NOT NULL 'red'::colour_kind`,
      'authors.email': 'text NOT NULL',
      'authors.full_name': 'text NOT NULL',
      'books.author_ref': 'integer NOT NULL',
      'books.cover': 'bytea NULL',
      'books.editorId': 'integer NULL 1',
      'books.id': `integer NOT NULL nextval('books_id_seq'::regclass)`,
      'books.price': 'numeric(65,30) NOT NULL',
      'books.shelfId': 'integer NULL',
      [`${LONG}.id`]: 'integer NOT NULL',
      [`${LONG}.${LONG_COLUMN}`]: 'integer NOT NULL',
    },
  );
  const enums = await rows(
    `SELECT t.typname AS name, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) AS labels FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY 1`,
  );
  t.deepEqual(enums, [{ name: 'colour_kind', labels: 'red,green' }]);
  const constraints = await rows(
    `SELECT conname AS name, contype::text AS type, confdeltype::text AS del, confupdtype::text AS upd
     FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '_prisma_migrations' ORDER BY conname::text COLLATE "C"`,
  );
  // p: primary key, f: foreign key; actions a NO ACTION, r RESTRICT, c CASCADE, n SET NULL, d SET DEFAULT.
  t.deepEqual(
    constraints.map((c) => [c['name'], c['type'], c['type'] === 'f' ? `${c['del']}${c['upd']}` : '']),
    [
      ['Editor_libId_fkey', 'f', 'ac'],
      ['Editor_pkey', 'p', ''],
      ['Library_pkey', 'p', ''],
      ['Shelf_libId_fkey', 'f', 'rc'],
      ['Shelf_pkey', 'p', ''],
      ['Tag_pkey', 'p', ''],
      ['_AuthorToTag_AB_pkey', 'p', ''],
      ['_AuthorToTag_A_fkey', 'f', 'cc'],
      ['_AuthorToTag_B_fkey', 'f', 'cc'],
      ['_friends_AB_pkey', 'p', ''],
      ['_friends_A_fkey', 'f', 'cc'],
      ['_friends_B_fkey', 'f', 'cc'],
      ['authors_pkey', 'p', ''],
      ['books_author_ref_fkey', 'f', 'cc'],
      ['books_editorId_fkey', 'f', 'da'],
      ['books_pkey', 'p', ''],
      ['books_shelfId_fkey', 'f', 'nr'],
      ['tabelle_für_lange_namen_äöü_pkey', 'p', ''],
      // 63 bytes less "_fkey": the cut falls before "ü" (its first byte would be byte 59).
      ['tabelle_für_lange_namen_äöü_referenz_auf_den_autor_xxx_fkey', 'f', 'rc'],
    ],
  );
  const indexes = await rows(
    `SELECT indexname AS name, indexdef AS def FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY indexname::text COLLATE "C"`,
  );
  t.deepEqual(
    indexes.map((i) => i['name']),
    [
      'Editor_pkey',
      'Library_pkey',
      'Shelf_pkey',
      'Tag_pkey',
      '_AuthorToTag_AB_pkey',
      '_AuthorToTag_B_index',
      '_friends_AB_pkey',
      '_friends_B_index',
      'author_email_uq',
      'authors_by_name',
      'authors_pkey',
      'book_author_price_uq',
      'books_pkey',
      'tabelle_für_lange_namen_äöü_pkey',
      // 63 bytes less "_idx" ends inside "ü": cut before it, so 62 bytes.
      'tabelle_für_lange_namen_äöü_referenz_auf_den_autor_xxx_idx',
    ],
  );
  t.regex(indexes.find((i) => i['name'] === 'book_author_price_uq')!['def']!, /UNIQUE INDEX .* \(author_ref, price\)/);
});

test('every value arrives as Prisma would read it; sequences continue past the copied keys', async (t) => {
  t.deepEqual(await rows(`SELECT author_id::text AS id, full_name, colour::text, code FROM authors ORDER BY 1`), [
    { id: '1', full_name: 'Ada', colour: 'red', code: 'draft' },
    { id: '2', full_name: 'Bob', colour: 'green', code: 'final' },
  ]);
  t.deepEqual(
    await rows(
      `SELECT id::text, price::text, encode(cover, 'hex') AS cover, "editorId"::text AS editor FROM books ORDER BY 1`,
    ),
    [
      { id: '1', price: '12.500000000000000000000000000000', cover: '00ff10', editor: '1' },
      {
        id: '2',
        price: '0.100000000000000000000000000000',
        cover: null as unknown as string,
        editor: null as unknown as string,
      },
    ],
  );
  t.deepEqual(await rows(`SELECT "A"::text AS a, "B" AS b FROM "_AuthorToTag" ORDER BY 1, 2`), [
    { a: '1', b: 'ckt1' },
    { a: '2', b: 'ckt1' },
    { a: '2', b: 'ckt2' },
  ]);
  t.deepEqual(await rows(`SELECT "A"::text AS a, "B"::text AS b FROM "_friends"`), [{ a: '1', b: '2' }]);
  t.deepEqual(await rows(`SELECT "${LONG_COLUMN}"::text AS a FROM "${LONG}"`), [{ a: '2' }]);
  const [next] = await rows(
    `INSERT INTO authors (full_name, email) VALUES ('Cy', 'cy@example.test') RETURNING author_id::text AS id, colour::text, code`,
  );
  t.deepEqual(
    next,
    { id: '3', colour: 'red', code: 'draft' },
    'autoincrement past the old high-water mark; defaults apply',
  );
  // SET DEFAULT: deleting editor 1 points its books at the default (1 again is gone, so use a second editor).
  await rows(`INSERT INTO "Editor" VALUES (2, 1); UPDATE books SET "editorId" = 2 WHERE id = 1`);
  await rows(`DELETE FROM "Editor" WHERE id = 2`);
  t.deepEqual(
    await rows(`SELECT "editorId"::text AS e FROM books WHERE id = 1`),
    [{ e: '1' }],
    'ON DELETE SET DEFAULT',
  );
});

test('what Prisma leaves out of its model (@ignore, @@ignore, Unsupported) is refused by name before anything changes', (t) => {
  const base = readFileSync(SCHEMA, 'utf8');
  for (const [extra, named] of [
    ['model Kept {\n  id Int @id\n  legacy String? @ignore\n}', 'Kept.legacy: @ignore'],
    ['model Kept {\n  id Int @id\n\n  @@ignore\n}', 'model Kept: @@ignore'],
    ['model Kept {\n  id Int @id\n  shape Unsupported("circle")?\n}', 'Kept.shape: Unsupported(...)'],
  ] as const) {
    const err = t.throws(() => parseSchema(`${base}\n${extra}\n`, 'schema.prisma'), { instanceOf: VsError });
    t.is(err?.code, 'VS_ERR_SCHEMA_UNSUPPORTED');
    t.true(err?.message.includes(named), err?.message);
  }
});

// Drift: the file was built by migrations that disagree with schema.prisma.
const DRIFTED = SQLITE_DDL.replace(
  `REFERENCES "Library" ("id") ON DELETE NO ACTION ON UPDATE CASCADE`,
  `REFERENCES "Library" ("id") ON DELETE CASCADE ON UPDATE CASCADE`,
)
  .replace(
    `CREATE INDEX "authors_by_name" ON "authors"("full_name");`,
    `CREATE INDEX "books_price_idx" ON "books"("price");`,
  )
  .replace(`"label" TEXT NOT NULL`, `"label" TEXT`);

test('drift: preflight names each difference with both sides; follow-schema and keep-file give the catalogs they promise', async (t) => {
  const dir = tempDir('prisma-drift');
  const catalog = async (database: string) => ({
    editorFk: (
      await pg.query<{ del: string }>(
        `SELECT confdeltype::text AS del FROM pg_constraint WHERE conname = 'Editor_libId_fkey'`,
        [],
        database,
      )
    )[0]!.del,
    indexes: (
      await pg.query<{ name: string }>(
        `SELECT indexname AS name FROM pg_indexes WHERE indexname IN ('authors_by_name', 'books_price_idx') ORDER BY 1`,
        [],
        database,
      )
    ).map((r) => r.name),
    labelNotNull: (
      await pg.query<{ nn: boolean }>(
        `SELECT attnotnull AS nn FROM pg_attribute WHERE attrelid = '"Tag"'::regclass AND attname = 'label'`,
        [],
        database,
      )
    )[0]!.nn,
  });
  const run = async (database: string, drift: string[]) => {
    const { work, ...r } = await migrateFile(dir, DRIFTED, database, drift);
    t.is(r.code, 0, r.stdout + r.stderr);
    const sql = readFileSync(join(work, 'prisma', 'migrations', '0_init', 'migration.sql'));
    const [baseline] = await pg.query<{ checksum: string }>(`SELECT checksum FROM "_prisma_migrations"`, [], database);
    t.is(baseline!.checksum, createHash('sha256').update(sql).digest('hex'), 'the baseline is the DDL created');
    return { out: r.stderr, sql: sql.toString('utf8'), report: readFileSync(join(work, 'report.md'), 'utf8') };
  };

  const followed = await run('drift_follow', []);
  for (const named of [
    /Editor_libId_fkey: schema\.prisma ON DELETE NO ACTION ON UPDATE CASCADE, the SQLite file ON DELETE CASCADE ON UPDATE CASCADE: on SQLite deleting a Library deletes its libId rows here; following the schema, on PostgreSQL deleting a Library that rows here reference is refused \(Prisma P2003\)/,
    /authors_by_name: schema\.prisma INDEX \(full_name\), the SQLite file none/,
    /books_price_idx: schema\.prisma none, the SQLite file INDEX \(price\)/,
    /Tag\.label: schema\.prisma NOT NULL, the SQLite file NULL allowed/,
  ])
    t.regex(followed.out, named);
  t.regex(followed.report, /## Drift between the SQLite file and schema\.prisma \(4\)/);
  t.deepEqual(await catalog('drift_follow'), { editorFk: 'a', indexes: ['authors_by_name'], labelNotNull: true });

  const kept = await run('drift_keep', ['keep-file']);
  t.deepEqual(await catalog('drift_keep'), { editorFk: 'c', indexes: ['books_price_idx'], labelNotNull: false });
  t.regex(kept.sql, /"Editor_libId_fkey" FOREIGN KEY \("libId"\) REFERENCES "Library"\("id"\) ON DELETE CASCADE/);
  t.regex(kept.report, /\| Editor_libId_fkey \|.*\| keep-file \|/);

  // One difference kept, the others followed.
  await run('drift_one', ['Editor_libId_fkey=keep-file']);
  t.deepEqual(await catalog('drift_one'), { editorFk: 'c', indexes: ['authors_by_name'], labelNotNull: true });
});
