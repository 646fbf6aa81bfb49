// The copy of a live SQLite file that a snapshot starts from, run as a child
// process of its own (node snapshot-copy.js LIVE DEST): it always finishes,
// even while the app writes, and never fails the app's writes.
//
// SQLite's online backup API starts over whenever another connection writes
// the source between its steps, so under a steady writer it never ends. Here
// the copy is one read transaction instead:
// - rollback-journal mode: a read transaction holds the file's SHARED lock, so
//   no commit can change it, and the file's bytes are copied as they are. A
//   writer's commit waits (within its busy timeout) for as long as the copy of
//   the bytes takes; that wait is measured and reported.
// - WAL mode: readers do not hold writers back; sqlite3_serialize reads the
//   whole database, WAL included, in one read transaction.
// It runs in a child because SQLite's locks are POSIX record locks, owned by
// the process: closing a descriptor of the live file in agent-app, which may
// hold the freeze's write lock, would drop that lock (see source-mark.ts).
//
// Prints one JSON line: { journalMode, heldMs, bytes }. DEST exists (created
// 0600 by the caller) and is overwritten in place, keeping its mode.
import { closeSync, openSync, readSync, writeFileSync, writeSync } from 'node:fs';
import Database from 'better-sqlite3';

const [live, dest] = process.argv.slice(2) as [string, string];
const db = new Database(live, { readonly: true, fileMustExist: true, timeout: 60_000 });
const journalMode = String(db.pragma('journal_mode', { simple: true }));
let heldMs = 0;
let bytes = 0;
if (journalMode === 'wal') {
  const t0 = performance.now();
  const image = db.serialize();
  heldMs = performance.now() - t0;
  writeFileSync(dest, image);
  bytes = image.length;
} else {
  db.exec('BEGIN');
  db.prepare('SELECT count(*) FROM sqlite_master').get(); // takes the SHARED lock
  const t0 = performance.now();
  const from = openSync(live, 'r');
  const to = openSync(dest, 'w');
  const chunk = Buffer.allocUnsafe(8 << 20);
  for (let n; (n = readSync(from, chunk, 0, chunk.length, bytes)) > 0; bytes += n) writeSync(to, chunk, 0, n);
  closeSync(to);
  // Closing `from` drops this process's locks on the file: the copy is complete by now.
  closeSync(from);
  heldMs = performance.now() - t0;
  db.exec('COMMIT');
}
db.close();
process.stdout.write(JSON.stringify({ journalMode, heldMs, bytes }) + '\n');
