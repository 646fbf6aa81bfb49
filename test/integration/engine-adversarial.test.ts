// The adversarial fixture: every quirk that breaks a rule is a finding that
// stops the run before any data moves; with repair and quarantine policies the
// run completes, and the report lists every changed or held-back row.
import test from 'ava';
import { ADVERSARIAL_POLICIES } from '../fixtures/policies.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateFixture, FIXTURE_SCHEMA } from '../fixtures/generate.js';
import type { GenerateResult } from '../fixtures/generate.js';
import type { PgCluster } from '../harness/postgres.js';
import { localArgs, migrateLocal, urlFile } from '../harness/engine.js';
import { tempDir } from '../harness/system.js';
import { startCluster, trackWith } from '../harness/stage.js';

const tracker = trackWith(test);
let pg: PgCluster;
let dir: string;
let fx: GenerateResult;

test.before(async () => {
  dir = tempDir('adversarial');
  pg = await startCluster('adversarial', tracker);
  await pg.query('CREATE DATABASE strict');
  await pg.query('CREATE DATABASE lenient');
  fx = await generateFixture('adversarial', join(dir, 'adversarial.db'));
});

test.serial('without policies every broken quirk is a finding and nothing is copied', async (t) => {
  const work = join(dir, 'work-strict');
  const r = await migrateLocal([...localArgs(fx.path, FIXTURE_SCHEMA, urlFile(dir, pg, 'strict'), work), '--json']);
  t.is(r.code, 1);
  t.regex(r.stderr, /error VS_ERR_LINT_FINDINGS: 10 value\(s\) cannot be converted/);
  const findings = JSON.parse(readFileSync(join(work, 'findings.json'), 'utf8')) as Array<Record<string, string>>;
  const expected = fx.quirks.filter((q) => q.rule !== null);
  t.is(findings.length, expected.length);
  for (const q of expected) {
    t.true(
      findings.some(
        (f) =>
          f['table'] === q.table &&
          f['key'] === q.key &&
          f['column'] === q.column &&
          f['rule'] === q.rule &&
          f['action'] === 'fail',
      ),
      `${q.what}: ${q.table} ${q.key} ${q.column} → ${q.rule}`,
    );
  }
  // Accepted encodings produce no finding.
  for (const q of fx.quirks.filter((x) => x.rule === null))
    t.false(
      findings.some((f) => f['key'] === q.key && f['column'] === q.column),
      q.what,
    );
  t.deepEqual(
    await pg.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')`,
      [],
      'strict',
    ),
    [],
  );
  t.regex(r.stderr, /ImageAsset \[q-nul\] prompt: string-nul "before\\u0000after" → fail/);
});

const POLICIES = ADVERSARIAL_POLICIES.flatMap((p) => ['--policy', p]);

test.serial('with policies the run completes; repairs and quarantines are in the data and the report', async (t) => {
  const work = join(dir, 'work-lenient');
  const r = await migrateLocal([
    ...localArgs(fx.path, FIXTURE_SCHEMA, urlFile(dir, pg, 'lenient'), work),
    '--json',
    ...POLICIES,
  ]);
  t.is(r.code, 0, r.stderr);
  const report = JSON.parse(readFileSync(join(work, 'report.json'), 'utf8'));
  const q = (sql: string) => pg.query<Record<string, unknown>>(sql, [], 'lenient');

  // Held back: in the report with their full original values, absent from PostgreSQL.
  const held = report.quarantined
    .map(
      (x: { table: string; row: Record<string, unknown> }) =>
        `${x.table}:${x.row['id'] ?? `${x.row['userId']}|${x.row['imageId']}`}`,
    )
    .sort();
  const noteKey = fx.quirks.find((x) => x.rule === 'json-invalid')!.key;
  const likeKey = fx.quirks.find((x) => x.table === 'ImageLike')!.key;
  t.deepEqual(
    held,
    [
      `ImageAsset:q-date-bad`,
      `ImageAsset:q-utf8`,
      `ImageLike:${likeKey}`,
      `Notification:${noteKey}`,
      `User:q-bool-bad`,
    ].sort(),
  );
  const badDate = report.quarantined.find((x: { row: Record<string, unknown> }) => x.row['id'] === 'q-date-bad');
  t.is(badDate.row['updatedAt'], 'yesterday', 'the original value is kept whole');
  t.is(badDate.row['title'], 'quirk q-date-bad');
  t.deepEqual(await q(`SELECT id FROM "ImageAsset" WHERE id IN ('q-date-bad', 'q-utf8')`), []);
  t.deepEqual(await q(`SELECT id FROM "User" WHERE id = 'q-bool-bad'`), []);
  t.deepEqual(await q(`SELECT 1 FROM "ImageLike" WHERE "userId" = 'ghost-user'`), []);
  t.deepEqual(await q(`SELECT 1 FROM "Notification" WHERE id = '${noteKey}'`), []);

  // Repaired: each change is in the report and in the data.
  const repairs = report.repairs
    .map((x: Record<string, string>) => `${x['table']}.${x['column']}:${x['repair']}`)
    .sort();
  t.deepEqual(repairs, [
    'GalleryEntry.imageId:orphan-to-null',
    'GeneratorSettings.baseModels:empty-json-to-default',
    'ImageAsset.prompt:strip-nul',
    'ModelAsset.fileSize:int-overflow-widen',
    'User.role:unknown-enum-to-default',
  ]);
  t.deepEqual(report.widened, ['ModelAsset.fileSize']);
  t.deepEqual(await q(`SELECT prompt FROM "ImageAsset" WHERE id = 'q-nul'`), [{ prompt: 'beforeafter' }]);
  t.deepEqual(await q(`SELECT role::text FROM "User" WHERE id = 'q-enum'`), [{ role: 'USER' }]);
  t.deepEqual(
    await q(
      `SELECT "fileSize"::text AS v, pg_typeof("fileSize")::text AS ty FROM "ModelAsset" WHERE id = 'q-int-overflow'`,
    ),
    [{ v: '6442450944', ty: 'bigint' }],
  );
  t.deepEqual(await q(`SELECT "baseModels"::text AS v FROM "GeneratorSettings" WHERE id = 2`), [{ v: '[]' }]);
  t.deepEqual(await q(`SELECT "imageId" FROM "GalleryEntry" WHERE id = 'q-orphan-entry'`), [{ imageId: null }]);

  // Accepted encodings arrive converted.
  const dates = await q(
    `SELECT id, to_char("createdAt", 'YYYY-MM-DD HH24:MI:SS.MS') AS d FROM "ImageAsset" WHERE id LIKE 'q-date-%' ORDER BY id`,
  );
  t.deepEqual(dates, [
    { id: 'q-date-isooff', d: '2024-01-02 03:04:05.678' },
    { id: 'q-date-isoz', d: '2024-01-02 03:04:05.678' },
    { id: 'q-date-ms', d: '2025-06-01 12:00:00.123' },
    { id: 'q-date-text', d: '2024-01-02 03:04:05.000' },
  ]);
  t.deepEqual(await q(`SELECT "isActive", "showAdultContent" FROM "User" WHERE id = 'q-bool-text'`), [
    { isActive: true, showAdultContent: false },
  ]);
  t.deepEqual(await q(`SELECT "moderationSummary"::text AS v FROM "ModelAsset" WHERE id = 'q-json-real'`), [
    { v: '3.5' },
  ]);
  t.deepEqual(await q(`SELECT size::text AS v FROM "StorageObject" WHERE id = 'q-bigint'`), [
    { v: '9007199254740993' },
  ]);
  t.deepEqual(await q(`SELECT description FROM "ImageAsset" WHERE id = 'q-fffd'`), [
    { description: 'a real \uFFFD replacement character' },
  ]);
  const [big] = await q(
    `SELECT length(metadata::text) AS n, metadata->'header'->>'ss_tensor_8999' AS last FROM "ModelAsset" WHERE id = 'q-json-1mb'`,
  );
  t.true(Number(big!['n']) > 900_000);
  t.is(big!['last'], 'x'.repeat(100));
  t.deepEqual(
    await q(`SELECT migration_name FROM "_prisma_migrations"`),
    [{ migration_name: '0_init' }],
    'SQLite history not copied',
  );
  const md = readFileSync(join(work, 'report.md'), 'utf8');
  t.regex(md, /## Quarantined rows \(5\)/);
  t.regex(md, /## Repaired values \(5\)/);
  t.regex(md, /Columns widened to BIGINT: ModelAsset\.fileSize/);
});

test.serial('a file that lacks a column the schema names is refused by name, before anything moves', async (t) => {
  const old = join(dir, 'older-install.db');
  const { default: Database } = await import('better-sqlite3');
  const { copyFileSync } = await import('node:fs');
  copyFileSync(fx.path, old);
  const db = new Database(old);
  db.exec(`ALTER TABLE "ImageAsset" DROP COLUMN "tagScanError"`);
  db.close();
  await pg.query('CREATE DATABASE older');
  const r = await migrateLocal([...localArgs(old, FIXTURE_SCHEMA, urlFile(dir, pg, 'older'), join(dir, 'work-older'))]);
  t.is(r.code, 1);
  t.regex(
    r.stderr,
    /error VS_ERR_SCHEMA_MISMATCH: the SQLite file lacks what schema.prisma names: ImageAsset\.tagScanError/,
  );
  t.deepEqual(
    await pg.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`, [], 'older'),
    [],
  );
});
