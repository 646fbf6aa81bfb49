// A target that already holds tables is refused unless --replace, which backs it up first.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { generateFixture, FIXTURE_SCHEMA } from '../fixtures/generate.js';
import { localArgs, migrateLocal, urlFile } from '../harness/engine.js';
import { tempDir } from '../harness/system.js';
import { startCluster, trackWith } from '../harness/stage.js';

const tracker = trackWith(test);

test('a non-empty target is refused, then replaced with --replace after a pg_dump backup', async (t) => {
  const dir = tempDir('engine-target');
  const pg = await startCluster('engine-target', tracker);
  await pg.query('CREATE DATABASE busy');
  await pg.query(
    `CREATE TABLE precious (id int PRIMARY KEY, note text); INSERT INTO precious VALUES (1, 'keep me')`,
    [],
    'busy',
  );
  const fx = await generateFixture('tiny', join(dir, 'tiny.db'));
  const args = [...localArgs(fx.path, FIXTURE_SCHEMA, urlFile(dir, pg, 'busy'), join(dir, 'work'))];

  const refused = await migrateLocal(args);
  t.is(refused.code, 1);
  t.regex(refused.stderr, /error VS_ERR_TARGET_NOT_EMPTY: the target database already holds 1 table\(s\) \(precious\)/);
  // The hint names migrate-local's own flag, not vsctl's --replace-target.
  t.regex(refused.stderr, /next: .*pass --replace to replace it/);
  t.notRegex(refused.stderr, /--replace-target/);
  t.deepEqual(await pg.query(`SELECT note FROM precious`, [], 'busy'), [{ note: 'keep me' }], 'nothing was touched');

  const replaced = await migrateLocal([...args, '--replace', '--json']);
  t.is(replaced.code, 0, replaced.stderr);
  const summary = JSON.parse(replaced.stdout);
  t.true(existsSync(summary.backup), 'the backup file exists');
  const listing = execFileSync('pg_restore', ['--list', summary.backup], { encoding: 'utf8' });
  t.regex(listing, /TABLE DATA public precious/, 'the backup holds the replaced table');
  t.deepEqual(await pg.query(`SELECT to_regclass('public.precious') AS t`, [], 'busy'), [{ t: null }]);
  t.is(Number((await pg.query<{ n: string }>(`SELECT count(*) AS n FROM "User"`, [], 'busy'))[0]!.n), 3);
});
