// Verification names what differs: one changed value per Prisma type (a
// DateTime off by 1 ms among them), rows deleted, added or re-keyed, a
// sequence set back, an index dropped — and says "equal" for a JSON key-order
// change, which is not a change of value. Serial: the tests copy the migrated
// database as a template, which no other connection may hold open.
import test from 'ava';
import { join } from 'node:path';
import { generateFixture, FIXTURE_SCHEMA } from '../fixtures/generate.js';
import type { GenerateResult } from '../fixtures/generate.js';
import type { PgCluster } from '../harness/postgres.js';
import { localArgs, migrateLocal, urlFile } from '../harness/engine.js';
import { BIN, cleanEnv, runProgram } from '../harness/agents.js';
import { tempDir } from '../harness/system.js';
import { startCluster, trackWith } from '../harness/stage.js';

const tracker = trackWith(test);
let pg: PgCluster;
let dir: string;
let fx: GenerateResult;

test.before(async () => {
  dir = tempDir('verify');
  pg = await startCluster('verify', tracker);
  await pg.query('CREATE DATABASE clean');
  fx = await generateFixture('medium', join(dir, 'medium.db'));
  const r = await migrateLocal([
    ...localArgs(fx.path, FIXTURE_SCHEMA, urlFile(dir, pg, 'clean'), join(dir, 'work')),
    '--json',
  ]);
  if (r.code !== 0) throw new Error(`migrate-local failed:\n${r.stderr}`);
});

interface Report {
  ok: boolean;
  tables: Array<{
    table: string;
    equal: boolean;
    rows: { source: number; target: number };
    differences: Array<{
      key: string;
      kind: string;
      columns?: Array<{ column: string; source: string | null; target: string | null }>;
    }>;
  }>;
  checks: Array<{ name: string; ok: boolean; detail: string }>;
}

async function verifyCopy(name: string, mutate: string[]): Promise<{ code: number; report: Report; stderr: string }> {
  await pg.query(`CREATE DATABASE ${name} TEMPLATE clean`);
  for (const sql of mutate) await pg.query(sql, [], name);
  const r = await runProgram(
    BIN.agentApp,
    [
      'verify-local',
      '--sqlite',
      fx.path,
      '--prisma-schema',
      FIXTURE_SCHEMA,
      '--database-url-file',
      urlFile(dir, pg, name),
      '--json',
    ],
    cleanEnv(),
  );
  return { code: r.code, report: JSON.parse(r.stdout.trim().split('\n').pop()!) as Report, stderr: r.stderr };
}

const first = async (sql: string) => (await pg.query<{ id: string }>(sql, [], 'clean'))[0]!.id;

test.serial('the migration of the medium fixture verified equal, and verify-local agrees', async (t) => {
  const r = await verifyCopy('untouched', []);
  t.is(r.code, 0, r.stderr);
  t.true(r.report.ok);
  t.is(r.report.tables.length, 30);
  t.true(r.report.tables.every((x) => x.equal));
  t.is(
    r.report.tables.reduce((n, x) => n + x.rows.target, 0),
    fx.rows,
  );
});

test.serial('one changed value per type is named by row and column; a key-order change is not a change', async (t) => {
  const ids = {
    date: await first(`SELECT id FROM "ImageAsset" ORDER BY id LIMIT 1 OFFSET 10`),
    bool: await first(`SELECT id FROM "User" ORDER BY id LIMIT 1 OFFSET 3`),
    int: await first(`SELECT id FROM "ImageAsset" WHERE width IS NOT NULL ORDER BY id LIMIT 1 OFFSET 20`),
    bigint: await first(`SELECT id FROM "StorageObject" WHERE size IS NOT NULL ORDER BY id LIMIT 1 OFFSET 5`),
    float: await first(`SELECT id FROM "ImageAsset" WHERE "cfgScale" IS NOT NULL ORDER BY id LIMIT 1 OFFSET 30`),
    json: await first(`SELECT id FROM "Notification" WHERE data IS NOT NULL ORDER BY id LIMIT 1 OFFSET 7`),
    jsonOrder: await first(`SELECT id FROM "Notification" WHERE data IS NOT NULL ORDER BY id LIMIT 1 OFFSET 8`),
    enum: await first(`SELECT id FROM "User" WHERE role = 'USER' ORDER BY id LIMIT 1 OFFSET 9`),
    text: await first(`SELECT id FROM "ModelComment" ORDER BY id LIMIT 1 OFFSET 2`),
  };
  const r = await verifyCopy('changed', [
    `UPDATE "ImageAsset" SET "createdAt" = "createdAt" + interval '1 millisecond' WHERE id = '${ids.date}'`,
    `UPDATE "User" SET "isActive" = NOT "isActive" WHERE id = '${ids.bool}'`,
    `UPDATE "ImageAsset" SET width = width + 1 WHERE id = '${ids.int}'`,
    `UPDATE "StorageObject" SET size = size + 1 WHERE id = '${ids.bigint}'`,
    `UPDATE "ImageAsset" SET "cfgScale" = "cfgScale" + 1e-9 WHERE id = '${ids.float}'`,
    `UPDATE "Notification" SET data = jsonb_set(data, '{score}', '0.123456') WHERE id = '${ids.json}'`,
    `UPDATE "Notification" SET data = (SELECT jsonb_object_agg(k, v ORDER BY k DESC) FROM jsonb_each(data) AS e(k, v)) WHERE id = '${ids.jsonOrder}'`,
    `UPDATE "User" SET role = 'ADMIN' WHERE id = '${ids.enum}'`,
    `UPDATE "ModelComment" SET content = content || '.' WHERE id = '${ids.text}'`,
  ]);
  t.is(r.code, 1);
  t.false(r.report.ok);
  const named = r.report.tables
    .flatMap((x) =>
      x.differences.map((d) => `${x.table} ${d.key} ${d.kind} ${(d.columns ?? []).map((c) => c.column).join(',')}`),
    )
    .sort();
  t.deepEqual(
    named,
    [
      `ImageAsset ${ids.date} different createdAt`,
      `ImageAsset ${ids.float} different cfgScale`,
      `ImageAsset ${ids.int} different width`,
      `ModelComment ${ids.text} different content`,
      `Notification ${ids.json} different data`,
      `StorageObject ${ids.bigint} different size`,
      `User ${ids.bool} different isActive`,
      `User ${ids.enum} different role`,
    ].sort(),
  );
  const date = r.report.tables.find((x) => x.table === 'ImageAsset')!.differences.find((d) => d.key === ids.date)!
    .columns![0]!;
  t.regex(date.source!, /\.\d{3}$/);
  t.not(date.source, date.target, 'both values are shown');
  t.true(
    r.report.tables.find((x) => x.table === 'Notification')!.differences.every((d) => d.key !== ids.jsonOrder),
    'key order is not a value change',
  );
});

test.serial('a deleted row, an extra row and a changed primary key are named', async (t) => {
  const like = (
    await pg.query<{ userId: string; imageId: string }>(
      `SELECT "userId", "imageId" FROM "ImageLike" ORDER BY 1, 2 LIMIT 1 OFFSET 100`,
      [],
      'clean',
    )
  )[0]!;
  const keyword = await first(`SELECT id FROM "SafetyKeyword" ORDER BY id LIMIT 1`);
  const r = await verifyCopy('rows', [
    `DELETE FROM "ImageLike" WHERE "userId" = '${like.userId}' AND "imageId" = '${like.imageId}'`,
    `INSERT INTO "Tag" (id, label, "updatedAt") VALUES ('zz-extra-tag', 'extra', now())`,
    `UPDATE "SafetyKeyword" SET id = 'zz-rekeyed' WHERE id = '${keyword}'`,
  ]);
  t.is(r.code, 1);
  const kinds = (table: string) =>
    r.report.tables
      .find((x) => x.table === table)!
      .differences.map((d) => `${d.kind} ${d.key}`)
      .sort();
  t.deepEqual(kinds('ImageLike'), [`missing-in-target ${like.userId}|${like.imageId}`]);
  t.deepEqual(kinds('Tag'), ['extra-in-target zz-extra-tag']);
  t.deepEqual(kinds('SafetyKeyword'), [`extra-in-target zz-rekeyed`, `missing-in-target ${keyword}`].sort());
  t.deepEqual(r.report.tables.find((x) => x.table === 'ImageLike')!.rows, { source: 8000, target: 7999 });
});

test.serial('a sequence set below the highest id and a dropped index are reported', async (t) => {
  const r = await verifyCopy('catalog', [
    `SELECT setval('"GeneratorQueueBlock_id_seq"', 3)`,
    `DROP INDEX "Notification_userId_readAt_idx"`,
  ]);
  t.is(r.code, 1);
  t.true(
    r.report.tables.every((x) => x.equal),
    'the data itself is equal',
  );
  const check = (name: string) => r.report.checks.find((c) => c.name === name)!;
  t.false(check('sequences').ok);
  t.regex(check('sequences').detail, /GeneratorQueueBlock\.id at 3, needs 20/);
  t.false(check('indexes').ok);
  t.regex(check('indexes').detail, /missing: Notification_userId_readAt_idx/);
  t.true(check('foreign keys').ok);
  t.regex(r.stderr, /\| sequences \| FAILED \|/);
});
