// The live file's mark (what shows later that it has not changed) on real
// SQLite files in both journal modes: every commit moves it, reads do not,
// and in WAL mode a commit is seen in the WAL's committed frames before any
// checkpoint touches the database file.
import test from 'ava';
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { WriteLock } from '../../agent-app/host/freeze.js';
import { markDifferences, readSourceMark } from '../../agent-app/engine/source-mark.js';
import { tempDir } from '../harness/system.js';
import { trackWith } from '../harness/stage.js';

trackWith(test);

for (const mode of ['delete', 'wal'] as const) {
  test(`${mode} journal mode: a commit moves the mark, a read does not`, (t) => {
    const path = join(tempDir(`mark-${mode}`), 'dev.db');
    const db = new Database(path);
    db.pragma(`journal_mode = ${mode}`);
    // No checkpoint behind our back: a WAL commit must be seen in the WAL itself.
    db.pragma('wal_autocheckpoint = 0');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
    db.prepare('INSERT INTO t (v) VALUES (?)').run('first');
    const m1 = readSourceMark(path);
    if (mode === 'wal') t.true(m1.wal !== null && m1.wal.frames > 0, 'the WAL holds the commits');
    else t.is(m1.wal, null);

    const reader = new Database(path, { readonly: true });
    t.is((reader.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, 1);
    reader.close();
    t.deepEqual(markDifferences(m1, readSourceMark(path)), [], 'a read changes nothing');

    db.prepare('INSERT INTO t (v) VALUES (?)').run('second');
    const moved = markDifferences(m1, readSourceMark(path));
    t.true(moved.length > 0);
    if (mode === 'wal')
      t.true(
        moved.some((d) => d.startsWith('its WAL moved')),
        moved.join('; '),
      );
    else
      t.true(
        moved.some((d) => d.startsWith('its change counter moved')),
        moved.join('; '),
      );
    db.close();
  });
}

test('another file at the same path is another file', (t) => {
  const dir = tempDir('mark-replaced');
  const path = join(dir, 'dev.db');
  new Database(path).exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
  const m = readSourceMark(path);
  const other = join(dir, 'other.db');
  new Database(other).exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
  const now = readSourceMark(other);
  t.regex(markDifferences(m, now)[0]!, /it is another file/);
});

test("reading the mark keeps the freeze's write lock: another process still cannot write", (t) => {
  // SQLite's locks are POSIX record locks, held by the process: a close() of any descriptor of the
  // file in the process that holds the write lock would drop it. The rogue writer is another process.
  const path = join(tempDir('mark-lock'), 'dev.db');
  const setup = new Database(path);
  setup.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
  setup.close();
  const lock = new WriteLock(path);
  t.teardown(() => lock.release());
  readSourceMark(path);
  const rogue = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import Database from 'better-sqlite3';
       try { new Database(process.argv[1], { timeout: 200 }).exec('INSERT INTO t DEFAULT VALUES'); console.log('written'); }
       catch (err) { console.log(err.code); }`,
      path,
    ],
    { encoding: 'utf8', cwd: process.cwd() },
  );
  t.is(rogue.stdout.trim(), 'SQLITE_BUSY', rogue.stderr);
});
