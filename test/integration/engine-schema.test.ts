// The generated schema is the one Prisma would create: names of every table,
// enum, index and constraint checked in the catalog, and the load arrangement
// (keys and constraints after the data) ends in exactly the catalog that the
// baseline migration.sql creates on an empty database.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateFixture, FIXTURE_SCHEMA } from '../fixtures/generate.js';
import type { PgCluster } from '../harness/postgres.js';
import { localArgs, migrateLocal, urlFile } from '../harness/engine.js';
import { tempDir } from '../harness/system.js';
import { startCluster, trackWith } from '../harness/stage.js';

const tracker = trackWith(test);
let pg: PgCluster;
let dir: string;
let migrationSql: string;

test.before(async () => {
  dir = tempDir('engine-schema');
  pg = await startCluster('engine-schema', tracker);
  await pg.query('CREATE DATABASE loaded');
  await pg.query('CREATE DATABASE baseline');
  const fx = await generateFixture('tiny', join(dir, 'tiny.db'));
  const r = await migrateLocal([...localArgs(fx.path, FIXTURE_SCHEMA, urlFile(dir, pg, 'loaded'), join(dir, 'work'))]);
  if (r.code !== 0) throw new Error(`migrate-local failed:\n${r.stderr}`);
  migrationSql = readFileSync(join(dir, 'work', 'prisma', 'migrations', '0_init', 'migration.sql'), 'utf8');
  await pg.query(migrationSql, [], 'baseline');
});

const catalog = async (db: string) => ({
  columns: await pg.query(
    `SELECT table_name, column_name, data_type, udt_name, datetime_precision, numeric_precision, numeric_scale, is_nullable, column_default
     FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations' ORDER BY 1, ordinal_position`,
    [],
    db,
  ),
  indexes: await pg.query(
    `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY 1`,
    [],
    db,
  ),
  constraints: await pg.query(
    `SELECT conrelid::regclass::text AS tbl, conname, contype, convalidated, pg_get_constraintdef(oid) AS def
     FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '_prisma_migrations' ORDER BY 1, 2`,
    [],
    db,
  ),
  enums: await pg.query(
    `SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text AS labels FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY 1 ORDER BY 1`,
    [],
    db,
  ),
  sequences: await pg.query(`SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1`, [], db),
});

test('the loaded database and the baseline migration.sql give the same catalog', async (t) => {
  t.deepEqual(await catalog('loaded'), await catalog('baseline'));
});

test("names, types and referential actions are Prisma's", async (t) => {
  const c = await catalog('loaded');
  const idx = new Set(c.indexes.map((r) => r['indexname']));
  for (const name of [
    'User_pkey',
    'User_email_key',
    'Notification_userId_readAt_idx',
    'Notification_userId_type_idx',
    'ImageLike_pkey',
    'ModelVersion_modelId_version_key',
    'StorageObject_bucket_objectName_key',
    'ModerationLog_entityType_entityId_idx',
  ]) {
    t.true(idx.has(name), `index ${name}`);
  }
  const cons = c.constraints;
  t.is(cons.filter((r) => r['contype'] === 'p').length, 30);
  t.is(
    c.indexes.filter(
      (r) => String(r['indexdef']).startsWith('CREATE UNIQUE INDEX') && !String(r['indexname']).endsWith('_pkey'),
    ).length,
    12,
  );
  t.is(c.indexes.filter((r) => !String(r['indexdef']).startsWith('CREATE UNIQUE')).length, 13);
  const fks = cons.filter((r) => r['contype'] === 'f');
  t.is(fks.length, 38);
  t.true(
    fks.every((r) => r['convalidated'] === true),
    'every foreign key is validated',
  );
  t.true(fks.every((r) => String(r['def']).includes('ON UPDATE CASCADE')));
  const onDelete = (def: string) => /ON DELETE (CASCADE|RESTRICT|SET NULL)/.exec(def)?.[1];
  const counts = fks.reduce<Record<string, number>>(
    (a, r) => ((a[onDelete(String(r['def']))!] = (a[onDelete(String(r['def']))!] ?? 0) + 1), a),
    {},
  );
  // The schema decides: CuratorApplication.userId has no onDelete, so RESTRICT
  // (the old SQLite migration said CASCADE).
  t.deepEqual(counts, { CASCADE: 17, RESTRICT: 13, 'SET NULL': 8 });
  const gallery = fks.find((r) => r['conname'] === 'Gallery_ownerId_fkey')!;
  t.is(gallery['def'], 'FOREIGN KEY ("ownerId") REFERENCES "User"(id) ON UPDATE CASCADE ON DELETE RESTRICT');
  t.regex(String(fks.find((r) => r['conname'] === 'CuratorApplication_userId_fkey')!['def']), /ON DELETE RESTRICT/);
  t.is(c.enums.length, 8);
  t.deepEqual(
    c.enums.find((r) => r['typname'] === 'NotificationType'),
    { typname: 'NotificationType', labels: '{ANNOUNCEMENT,MODERATION,MODERATION_QUEUE,LIKE,COMMENT}' },
  );
  const col = (table: string, column: string) =>
    c.columns.find((r) => r['table_name'] === table && r['column_name'] === column)!;
  t.like(col('User', 'createdAt'), {
    data_type: 'timestamp without time zone',
    datetime_precision: 3,
    is_nullable: 'NO',
    column_default: 'CURRENT_TIMESTAMP',
  });
  t.like(col('User', 'role'), {
    data_type: 'USER-DEFINED',
    udt_name: 'UserRole',
    column_default: `'USER'::"UserRole"`,
  });
  t.like(col('GeneratorSettings', 'baseModels'), { data_type: 'jsonb', column_default: `'[]'::jsonb` });
  t.like(col('ImageAsset', 'cfgScale'), { data_type: 'double precision', is_nullable: 'YES' });
  t.like(col('StorageObject', 'size'), { data_type: 'bigint' });
  t.like(col('RankingSettings', 'id'), {
    data_type: 'integer',
    column_default: `nextval('"RankingSettings_id_seq"'::regclass)`,
  });
  t.like(col('User', 'passwordHash'), { column_default: `''::text` });
  t.deepEqual(
    c.sequences.map((r) => r['sequencename']),
    ['GeneratorQueueBlock_id_seq', 'GeneratorQueueState_id_seq', 'GeneratorSettings_id_seq', 'RankingSettings_id_seq'],
  );
});

test("the baseline row carries the checksum of migration.sql; SQLite's history is not copied", async (t) => {
  const rows = await pg.query<{
    migration_name: string;
    checksum: string;
    finished_at: Date | null;
    applied_steps_count: number;
  }>(`SELECT * FROM "_prisma_migrations"`, [], 'loaded');
  t.is(rows.length, 1);
  t.is(rows[0]!.migration_name, '0_init');
  const { createHash } = await import('node:crypto');
  t.is(rows[0]!.checksum, createHash('sha256').update(migrationSql).digest('hex'));
  t.truthy(rows[0]!.finished_at);
  t.is(rows[0]!.applied_steps_count, 1);
  t.deepEqual(
    await pg.query(`SELECT nspname FROM pg_namespace WHERE nspname = '_vsmigrate'`, [], 'loaded'),
    [],
    'the run state is gone',
  );
  const unvacuumed = await pg.query(
    `SELECT relname FROM pg_stat_user_tables WHERE relname <> '_prisma_migrations' AND (last_vacuum IS NULL OR last_analyze IS NULL)`,
    [],
    'loaded',
  );
  t.deepEqual(unvacuumed, [], 'every table had its VACUUM ANALYZE');
});
