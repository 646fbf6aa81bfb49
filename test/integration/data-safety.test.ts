// Regression tests for the data-safety issue's engine paths, each named after
// the defect and reproducing it as the probe did: with migrate-local as a real
// process, real PostgreSQL, real SQLite files and real full file systems.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { generateFixture, FIXTURE_SCHEMA } from '../fixtures/generate.js';
import { BIN, cleanEnv, runProgram } from '../harness/agents.js';
import { localArgs, migrateLocal, urlFile } from '../harness/engine.js';
import { ManagedProcess, pollUntil } from '../harness/proc.js';
import { isRoot, tempDir } from '../harness/system.js';
import { startCluster, trackWith } from '../harness/stage.js';
import type { PgCluster } from '../harness/postgres.js';

const tracker = trackWith(test);

const count = async (pg: PgCluster, db: string, table: string) =>
  Number((await pg.query<{ n: string }>(`SELECT count(*)::text AS n FROM "${table}"`, [], db))[0]!.n);

/** Start migrate-local slowly (1 MB chunks, one job) and SIGKILL it once `ready` holds. */
async function killMidRun(
  dir: string,
  label: string,
  args: string[],
  ready: (p: ManagedProcess) => Promise<boolean>,
): Promise<void> {
  const p = tracker.addProcess(
    new ManagedProcess(
      `migrate-local (${label})`,
      process.execPath,
      [BIN.agentApp, 'migrate-local', ...args, '--chunk-mb', '1', '--jobs', '1'],
      { logPath: join(dir, `${label}.log`), env: cleanEnv() },
    ),
  );
  await pollUntil(
    label,
    async () => {
      if (!p.running) throw new Error(`finished before the kill (${label}):\n${p.output()}`);
      return ready(p);
    },
    60_000,
    10,
  );
  p.signal('SIGKILL');
  await p.waitForExit();
}

const copying = (pg: PgCluster, db: string) => async () => {
  const r = await pg
    .query<{ n: string | null }>('SELECT sum(rows)::text AS n FROM _vsmigrate.range', [], db)
    .catch(() => [{ n: null }]);
  return Number(r[0]?.n ?? 0) > 0;
};

test('a resumed run migrates a stale snapshot: killed, the file written, then rerun; and rerun on another file with --replace', async (t) => {
  const dir = tempDir('stale-snapshot');
  const pg = await startCluster('stale-snapshot', tracker);
  await pg.query('CREATE DATABASE stale');
  const fx = await generateFixture('medium', join(dir, 'medium.db'));
  const work = join(dir, 'work');
  const args = [...localArgs(fx.path, FIXTURE_SCHEMA, urlFile(dir, pg, 'stale'), work)];

  // Killed mid-copy; the app then writes three rows to the file (as a backend restarted by a reboot would).
  await killMidRun(dir, 'first', args, copying(pg, 'stale'));
  const tagsBefore = (
    new Database(fx.path, { readonly: true }).prepare('SELECT count(*) AS n FROM "Tag"').get() as { n: number }
  ).n;
  const live = new Database(fx.path);
  for (let i = 0; i < 3; i++)
    live
      .prepare(`INSERT INTO "Tag" (id, label, isAdult, createdAt, updatedAt) VALUES (?, ?, 0, 0, 0)`)
      .run(`after-kill-${i}`, `after kill ${i}`);
  live.close();

  const rerun = await migrateLocal([...args, '--json']);
  t.is(rerun.code, 0, rerun.stderr);
  t.regex(
    rerun.stderr,
    /snapshot cannot be reused: .*medium\.db changed since it was copied \(its change counter moved/,
  );
  t.notRegex(rerun.stderr, /snapshot: skipped/);
  t.is(await count(pg, 'stale', 'Tag'), tagsBefore + 3, 'the rows written after the kill are in PostgreSQL');
  t.is((await pg.query('SELECT id FROM "Tag" WHERE id LIKE \'after-kill-%\'', [], 'stale')).length, 3);

  // Killed again, then the same work dir and target given another file: never the first file's data.
  await pg.query('CREATE DATABASE other');
  const otherArgs = [...localArgs(fx.path, FIXTURE_SCHEMA, urlFile(dir, pg, 'other'), join(dir, 'work-other'))];
  await killMidRun(dir, 'second', otherArgs, copying(pg, 'other'));
  const tiny = await generateFixture('tiny', join(dir, 'tiny.db'));
  const swapped = await migrateLocal(['--sqlite', tiny.path, ...otherArgs.slice(2), '--replace', '--json']);
  t.is(swapped.code, 0, swapped.stderr);
  t.regex(swapped.stderr, /the interrupted run copied .*medium\.db, not .*tiny\.db/);
  const summary = JSON.parse(swapped.stdout) as { rows: number; backup?: string };
  t.is(summary.rows, tiny.rows, 'the database holds the file named now');
  t.is(summary.backup, undefined, 'clearing our own partial run needs no backup');
  t.is(
    await count(pg, 'other', 'User'),
    (new Database(tiny.path, { readonly: true }).prepare('SELECT count(*) AS n FROM "User"').get() as { n: number }).n,
  );
});

test('--replace on a target that holds _vsmigrate state skips the backup: now backed up, and restore-local puts it back', async (t) => {
  const dir = tempDir('replace-state');
  const pg = await startCluster('replace-state', tracker);
  await pg.query('CREATE DATABASE mixed');
  // A run's state (from an agent that did not record its tables) beside somebody's table.
  await pg.query(
    `CREATE SCHEMA _vsmigrate; CREATE TABLE _vsmigrate.run (source_sha256 text NOT NULL, schema_sha256 text NOT NULL, plan_sha256 text NOT NULL);
     INSERT INTO _vsmigrate.run VALUES ('a', 'b', 'c');
     CREATE TABLE precious (id int PRIMARY KEY, note text); INSERT INTO precious SELECT g, 'row ' || g FROM generate_series(1, 500) g`,
    [],
    'mixed',
  );
  const fx = await generateFixture('tiny', join(dir, 'tiny.db'));
  const url = urlFile(dir, pg, 'mixed');
  const args = [...localArgs(fx.path, FIXTURE_SCHEMA, url, join(dir, 'work'))];

  const refused = await migrateLocal(args);
  t.is(refused.code, 1);
  t.regex(refused.stderr, /VS_ERR_TARGET_NOT_EMPTY: .*precious/);
  t.is(await count(pg, 'mixed', 'precious'), 500, 'nothing was touched');

  const replaced = await migrateLocal([...args, '--replace', '--json']);
  t.is(replaced.code, 0, replaced.stderr);
  const { backup } = JSON.parse(replaced.stdout) as { backup: string };
  t.truthy(backup, 'a backup was taken');
  t.regex(execFileSync('pg_restore', ['--list', backup], { encoding: 'utf8' }), /TABLE DATA public precious/);
  t.is(statSync(backup).mode & 0o777, 0o600, 'the dump is private from creation');

  // The undo: the dump goes back; what the migration left is itself backed up first.
  const restored = await runProgram(
    BIN.agentApp,
    ['restore-local', '--dump', backup, '--database-url-file', url, '--force'],
    cleanEnv(),
  );
  t.is(restored.code, 0, restored.stderr);
  t.regex(restored.stderr, /backed up what the target holds now: .*before-restore-.*\.dump/);
  t.is(await count(pg, 'mixed', 'precious'), 500);
  t.deepEqual(await pg.query(`SELECT to_regclass('public."User"') AS t`, [], 'mixed'), [{ t: null }]);
  const noForce = await runProgram(
    BIN.agentApp,
    ['restore-local', '--dump', backup, '--database-url-file', url],
    cleanEnv(),
  );
  t.is(noForce.code, 2);
  t.regex(noForce.stderr, /VS_ERR_USAGE: .*--force/);
});

test("migrate-local's default work dir leaks the data: now private, every file in it closed to others", async (t) => {
  const dir = tempDir('work-dir', 0o755);
  const pg = await startCluster('work-dir', tracker);
  await pg.query('CREATE DATABASE privy');
  const fx = await generateFixture('tiny', join(dir, 'tiny.db'));
  const state = join(dir, 'state');
  const args = [
    '--sqlite',
    fx.path,
    '--prisma-schema',
    FIXTURE_SCHEMA,
    '--database-url-file',
    urlFile(dir, pg, 'privy'),
    '--json',
  ];
  const r = await migrateLocal(args, { XDG_STATE_HOME: state });
  t.is(r.code, 0, r.stderr);
  const work = (JSON.parse(r.stdout) as { workDir: string }).workDir;
  t.true(work.startsWith(join(state, 'vsmigrate')), work);
  t.is(statSync(work).mode & 0o777, 0o700);
  const files: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (lstatSync(p).isDirectory()) walk(p);
      else files.push(p);
    }
  };
  walk(work);
  t.true(files.some((f) => f.endsWith('snapshot.db')) && files.some((f) => f.endsWith('report.json')));
  for (const f of files) t.is(statSync(f).mode & 0o077, 0, `${f} is closed to group and others`);

  // A work dir somebody else can enter, or a symlink planted in its place, is refused before anything is read.
  const open = join(dir, 'open');
  mkdirSync(open, { mode: 0o755 });
  const planted = join(dir, 'planted');
  symlinkSync(open, planted);
  for (const [path, why] of [
    [open, /its mode 0755 lets group or others in/],
    [planted, /not a directory \(a symlink/],
  ] as const) {
    const bad = await migrateLocal([...args, '--work-dir', path]);
    t.is(bad.code, 1, bad.stderr);
    t.regex(bad.stderr, /VS_ERR_WORK_DIR_UNSAFE/);
    t.regex(bad.stderr, why);
    t.false(existsSync(join(path, 'snapshot.db')));
  }
});

/** A tmpfs of `size` at a new directory (root only); unmounted when the tests end. */
function smallFileSystem(dir: string, size: string): string {
  const mnt = join(dir, `fs-${size}`);
  mkdirSync(mnt);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', mnt]);
  tracker.add(
    `tmpfs ${mnt}`,
    () => null,
    async () => {
      execFileSync('umount', ['-l', mnt]);
    },
  );
  return mnt;
}

test('an ENOSPC during the snapshot was reported as an unreadable SQLite file: now a full disk, with its numbers', async (t) => {
  if (!isRoot) return t.pass('needs root (it mounts a small tmpfs)');
  const dir = tempDir('snapshot-enospc');
  const pg = await startCluster('snapshot-enospc', tracker);
  await pg.query('CREATE DATABASE fulldisk');
  const fx = await generateFixture('medium', join(dir, 'medium.db'));
  const mnt = smallFileSystem(dir, '2m');
  const r = await migrateLocal([
    ...localArgs(fx.path, FIXTURE_SCHEMA, urlFile(dir, pg, 'fulldisk'), join(mnt, 'work')),
  ]);
  t.is(r.code, 1);
  t.regex(
    r.stderr,
    new RegExp(
      `VS_ERR_DISK_FULL: no space left on the file system mounted at ${mnt} while writing .*snapshot\\.db \\(the snapshot\\): [0-9.]+ MB free, about [0-9.]+ MB needed`,
    ),
  );
  t.notRegex(r.stderr, /VS_ERR_SQLITE_UNREADABLE|check that this user/);
});

test('an ENOSPC writing the report after a verified run blocked the rerun: now the rerun writes it', async (t) => {
  if (!isRoot) return t.pass('needs root (it mounts a small tmpfs)');
  const dir = tempDir('report-enospc');
  const pg = await startCluster('report-enospc', tracker);
  await pg.query('CREATE DATABASE reported');
  const fx = await generateFixture('medium', join(dir, 'medium.db'));
  const mnt = smallFileSystem(dir, `${Math.ceil(statSync(fx.path).size / 1048576) + 8}m`);
  const work = join(mnt, 'work');
  const args = [...localArgs(fx.path, FIXTURE_SCHEMA, urlFile(dir, pg, 'reported'), work)];
  const p = tracker.addProcess(
    new ManagedProcess(
      'migrate-local (disk fills)',
      process.execPath,
      [BIN.agentApp, 'migrate-local', ...args, '--jobs', '1'],
      { logPath: join(dir, 'fill.log'), env: cleanEnv() },
    ),
  );
  // Once the baseline is written, something else fills the disk.
  await pollUntil(
    'baseline written',
    async () => existsSync(join(work, 'prisma', 'migrations', 'migration_lock.toml')),
    60_000,
    10,
  );
  const filler = join(mnt, 'filler');
  try {
    execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=64k'], { stdio: 'ignore' });
  } catch {
    // dd stops at ENOSPC, as meant
  }
  const exit = await p.waitForExit(180_000);
  t.is(exit.code, 1, p.output());
  t.regex(
    p.output(),
    /VS_ERR_REPORT_WRITE: the database is complete and verified, but its report could not be written: no space left on the file system mounted at/,
  );
  t.truthy(
    (await pg.query("SELECT 1 FROM pg_namespace WHERE nspname = '_vsmigrate'", [], 'reported')).length,
    "the run's state stays",
  );

  execFileSync('rm', ['-f', filler]);
  const rerun = await migrateLocal(args);
  t.is(rerun.code, 0, rerun.stderr);
  t.true(existsSync(join(work, 'report.json')));
  t.deepEqual(await pg.query("SELECT 1 FROM pg_namespace WHERE nspname = '_vsmigrate'", [], 'reported'), []);
});
