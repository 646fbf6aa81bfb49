// A snapshot of a file the app keeps writing: it finishes, in rollback-journal
// and in WAL mode, the writer gets no errors, and the longest commit the writer
// saw during the snapshot is measured. SQLite's online backup API, used before,
// started over at every commit and never finished under such a writer.
import test from 'ava';
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { takeSnapshot } from '../../agent-app/engine/snapshot.js';
import { tempDir } from '../harness/system.js';
import { trackWith } from '../harness/stage.js';

trackWith(test);

// Commits one insert every 50 ms (20 a second) with a 5 s busy timeout, as the
// app does; on SIGTERM prints how many commits, how many failed, and the longest.
const WRITER = `
import Database from 'better-sqlite3';
const db = new Database(process.argv[1], { timeout: 5000 });
const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
let commits = 0, errors = 0, maxMs = 0;
const timer = setInterval(() => {
  const t0 = performance.now();
  try { insert.run('w'.repeat(200)); commits++; } catch (err) { errors++; console.error(err.message); }
  maxMs = Math.max(maxMs, performance.now() - t0);
}, 50);
process.on('SIGTERM', () => { clearInterval(timer); console.log(JSON.stringify({ commits, errors, maxMs })); process.exit(0); });
console.log('ready');
`;

for (const mode of ['delete', 'wal'] as const) {
  test(`${mode} journal mode: the snapshot of a file written 20 times a second finishes; the writer never fails`, async (t) => {
    t.timeout(120_000);
    const dir = tempDir(`snapshot-live-${mode}`);
    const live = join(dir, 'dev.db');
    const db = new Database(live);
    db.pragma(`journal_mode = ${mode}`);
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    // About 100 MB: long enough a copy for many commits to meet it.
    const fill = db.prepare('INSERT INTO t (v) VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 300_000; i++) fill.run(`row ${i} `.padEnd(300, 'x'));
    })();
    db.close();

    const writer = spawn(process.execPath, ['--input-type=module', '-e', WRITER, live], { cwd: process.cwd() });
    t.teardown(() => writer.kill('SIGKILL'));
    let out = '';
    writer.stdout.on('data', (d: Buffer) => (out += d.toString()));
    writer.stderr.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise<void>((resolve) => writer.stdout.once('data', () => resolve()));
    await new Promise((r) => setTimeout(r, 500));
    const snap = await takeSnapshot(live, join(dir, 'snapshot.db'));
    await new Promise((r) => setTimeout(r, 500));
    const exited = new Promise<void>((resolve) => writer.on('exit', () => resolve()));
    writer.kill('SIGTERM');
    await exited;
    const stats = JSON.parse(out.trim().split('\n').at(-1)!) as { commits: number; errors: number; maxMs: number };
    t.log(
      `${mode}: snapshot ${snap.seconds.toFixed(2)} s of ${(snap.bytes / 1e6).toFixed(0)} MB; writers held back ${snap.writersHeldMs} ms; ` +
        `writer: ${stats.commits} commits, ${stats.errors} failed, longest ${stats.maxMs.toFixed(0)} ms`,
    );
    t.is(stats.errors, 0, out);
    t.true(stats.commits >= 10, 'the writer kept writing through the snapshot');
    t.true(stats.maxMs < 5_000, 'no commit waited out the busy timeout');
    t.is(snap.journalMode, mode);
    if (mode === 'wal') t.is(snap.writersHeldMs, 0);
    else t.true(snap.writersHeldMs! > 0 && snap.writersHeldMs! < 5_000, 'the copy held commits back, briefly');
    // Consistent: the writer's rows are contiguous ids, so a snapshot of one moment holds a prefix of them.
    const copy = new Database(snap.path, { readonly: true });
    const { n, top } = copy.prepare('SELECT count(*) AS n, max(id) AS top FROM t').get() as { n: number; top: number };
    copy.close();
    t.is(n, top);
    t.true(n > 300_000, 'it holds commits made before it');
    t.is(snap.source, null, 'a file written during the copy has no mark: never resumed from');
  });
}
