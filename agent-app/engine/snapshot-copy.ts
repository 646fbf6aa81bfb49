// The copy of a live SQLite file that a snapshot starts from, run as a child
// process of its own; it always finishes, even while the app writes, and never
// fails the app's writes.
//
//   node snapshot-copy.js LIVE DEST                  DEST becomes a copy of LIVE
//   node snapshot-copy.js LIVE DEST --patch CHANGED  DEST holds an earlier image of
//       LIVE; only the pages that differ are written, and their numbers go to
//       the file CHANGED (a JSON array): the catch-up's image of the live file
//
// SQLite's online backup API starts over whenever another connection writes
// the source between its steps, so under a steady writer it never ends. Here
// the copy is one read transaction instead:
// - rollback-journal mode: a read transaction holds the file's SHARED lock, so
//   no commit can change it, and the file's bytes are read as they are. A
//   writer's commit waits (within its busy timeout) for as long as the read
//   takes; that wait is measured and reported.
// - WAL mode: readers do not hold writers back; sqlite3_serialize reads the
//   whole database, WAL included, in one read transaction. The image's header
//   is set to rollback-journal mode (bytes 18-19), as a copy taken out of WAL
//   mode has it, so that it opens read-only without a -shm file.
// It runs in a child because SQLite's locks are POSIX record locks, owned by
// the process: closing a descriptor of the live file in agent-app, which may
// hold the freeze's write lock, would drop that lock (see source-mark.ts).
//
// Prints one JSON line: { journalMode, heldMs, bytes, pageSize, changedPages }.
// DEST exists (created 0600 by the caller) and is written in place, keeping its mode.
import { closeSync, ftruncateSync, fstatSync, openSync, readSync, writeFileSync, writeSync } from 'node:fs';
import Database from 'better-sqlite3';

const [live, dest, flag, changedFile] = process.argv.slice(2) as [string, string, string?, string?];
const patch = flag === '--patch';
const db = new Database(live, { readonly: true, fileMustExist: true, timeout: 60_000 });
const journalMode = String(db.pragma('journal_mode', { simple: true }));
const CHUNK = 8 << 20;
let heldMs = 0;
let bytes = 0;
const changed: number[] = [];
const to = openSync(dest, 'r+');
const old = Buffer.allocUnsafe(CHUNK);

/** Write `data` (the live image's bytes at `at`) into DEST: all of it, or in patch mode the pages that differ. */
function put(data: Buffer, at: number, pageSize: number): void {
  if (!patch) {
    writeSync(to, data, 0, data.length, at);
    return;
  }
  const n = readSync(to, old, 0, data.length, at);
  for (let off = 0; off < data.length; off += pageSize) {
    const end = Math.min(off + pageSize, data.length);
    if (off + pageSize <= n && data.compare(old, off, end, off, end) === 0) continue;
    changed.push((at + off) / pageSize + 1);
    writeSync(to, data, off, end - off, at + off);
  }
}

/** The page size from a database header (1 means 65536). */
const pageSizeOf = (header: Buffer) => {
  const v = header.readUInt16BE(16);
  return v === 1 ? 65536 : v;
};

let pageSize = 4096;
if (journalMode === 'wal') {
  const t0 = performance.now();
  const image = db.serialize();
  heldMs = performance.now() - t0;
  image[18] = 1;
  image[19] = 1;
  pageSize = pageSizeOf(image);
  for (; bytes < image.length; bytes += CHUNK) put(image.subarray(bytes, bytes + CHUNK), bytes, pageSize);
  bytes = image.length;
} else {
  db.exec('BEGIN');
  db.prepare('SELECT count(*) FROM sqlite_master').get(); // takes the SHARED lock
  const t0 = performance.now();
  const from = openSync(live, 'r');
  const chunk = Buffer.allocUnsafe(CHUNK);
  for (let n; (n = readSync(from, chunk, 0, chunk.length, bytes)) > 0; bytes += n) {
    if (bytes === 0) pageSize = pageSizeOf(chunk);
    put(chunk.subarray(0, n), bytes, pageSize);
  }
  // Closing `from` drops this process's locks on the file: the copy is complete by now.
  closeSync(from);
  heldMs = performance.now() - t0;
  db.exec('COMMIT');
}
// Pages past the live file's end (it shrank: a VACUUM) are gone from the image, and changed.
const had = fstatSync(to).size;
if (had > bytes) {
  for (let p = bytes / pageSize + 1; p <= had / pageSize; p++) changed.push(p);
  ftruncateSync(to, bytes);
}
closeSync(to);
db.close();
if (patch && changedFile) writeFileSync(changedFile, JSON.stringify(changed));
process.stdout.write(JSON.stringify({ journalMode, heldMs, bytes, pageSize, changedPages: changed.length }) + '\n');
