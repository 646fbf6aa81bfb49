// What shows later that a live SQLite file has not changed since it was read:
// its identity (device, inode), the file change counter of its header (which
// every write transaction in rollback-journal mode increments), its size and
// modification time (a WAL checkpoint rewrites the file without touching the
// counter), and, in WAL mode, the WAL's salts and number of committed frames
// (every commit appends frames; a reset of the WAL draws new salts).
//
// A hash of the file cannot serve: a snapshot never has its source's bytes,
// and hashing the live file takes as long as reading it. The mark is read
// from the file's bytes, not through SQLite, so it takes no lock.
//
// The database file's header is read by a child process. SQLite's locks are
// POSIX record locks, which belong to the process: closing any descriptor of
// the file in this process drops every lock this process holds on it, the
// freeze's write lock included (SQLite's own connections defer such closes;
// Node's fs cannot). The -wal file carries no lock, so it is read here.
import { execFileSync } from 'node:child_process';
import { openSync, closeSync, readSync, realpathSync, statSync, existsSync } from 'node:fs';
import { VsError } from '../../shared/errors.js';

export interface SourceMark {
  /** The file's real path (symlinks resolved). */
  path: string;
  dev: number;
  ino: number;
  size: number;
  mtimeNs: string;
  /** Bytes 24-27 of the database header. */
  changeCounter: number;
  /** The WAL's state, when a WAL with a valid header exists. */
  wal: { salts: string; frames: number; checkpointSeq: number } | null;
}

function readAt(fd: number, length: number, position: number): Buffer {
  const buf = Buffer.alloc(length);
  const n = readSync(fd, buf, 0, length, position);
  return buf.subarray(0, n);
}

/**
 * The WAL's salts and the number of frames up to its last valid commit frame,
 * as SQLite's recovery counts them: a frame counts while its salts match the
 * header's and its cumulative checksum is right.
 */
export function walState(walPath: string): SourceMark['wal'] {
  if (!existsSync(walPath)) return null;
  const fd = openSync(walPath, 'r');
  try {
    const header = readAt(fd, 32, 0);
    if (header.length < 32) return null;
    const magic = header.readUInt32BE(0);
    if (magic !== 0x377f0682 && magic !== 0x377f0683) return null;
    const bigEndian = magic === 0x377f0683;
    const pageSize = header.readUInt32BE(8);
    const word = (b: Buffer, i: number) => (bigEndian ? b.readUInt32BE(i) : b.readUInt32LE(i));
    let s0 = 0;
    let s1 = 0;
    const sum = (b: Buffer) => {
      for (let i = 0; i < b.length; i += 8) {
        s0 = (s0 + word(b, i) + s1) >>> 0;
        s1 = (s1 + word(b, i + 4) + s0) >>> 0;
      }
    };
    sum(header.subarray(0, 24));
    if (s0 !== header.readUInt32BE(24) || s1 !== header.readUInt32BE(28)) return null;
    const salts = header.subarray(16, 24);
    let frames = 0;
    for (let i = 0; ; i++) {
      const frame = readAt(fd, 24 + pageSize, 32 + i * (24 + pageSize));
      if (frame.length < 24 + pageSize || !frame.subarray(8, 16).equals(salts)) break;
      sum(frame.subarray(0, 8));
      sum(frame.subarray(24));
      if (s0 !== frame.readUInt32BE(16) || s1 !== frame.readUInt32BE(20)) break;
      if (frame.readUInt32BE(4) !== 0) frames = i + 1; // a commit frame ends a transaction
    }
    return { salts: salts.toString('hex'), frames, checkpointSeq: header.readUInt32BE(12) };
  } finally {
    closeSync(fd);
  }
}

/** The mark of the database file at `path` now. */
export function readSourceMark(path: string): SourceMark {
  try {
    return markOf(path);
  } catch (err) {
    throw new VsError('VS_ERR_SQLITE_UNREADABLE', `cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** Prints the first 100 bytes of the file argv[1] in hex. */
const READ_HEADER = `const fs = require('fs'); const b = Buffer.alloc(100);
const n = fs.readSync(fs.openSync(process.argv[1], 'r'), b, 0, 100, 0); process.stdout.write(b.subarray(0, n).toString('hex'));`;

function markOf(path: string): SourceMark {
  const real = realpathSync(path);
  const st = statSync(real, { bigint: true });
  const header = Buffer.from(
    execFileSync(process.execPath, ['-e', READ_HEADER, real], { encoding: 'utf8', timeout: 10_000 }),
    'hex',
  );
  return {
    path: real,
    dev: Number(st.dev),
    ino: Number(st.ino),
    size: Number(st.size),
    mtimeNs: String(st.mtimeNs),
    changeCounter: header.length >= 28 ? header.readUInt32BE(24) : 0,
    wal: walState(`${real}-wal`),
  };
}

/** What differs between two marks of one file, in words; empty when nothing does. */
export function markDifferences(before: SourceMark, now: SourceMark): string[] {
  const out: string[] = [];
  if (before.path !== now.path || before.dev !== now.dev || before.ino !== now.ino)
    out.push(`it is another file (${before.path}, inode ${before.ino} then ${now.path}, inode ${now.ino})`);
  if (before.changeCounter !== now.changeCounter)
    out.push(`its change counter moved from ${before.changeCounter} to ${now.changeCounter}`);
  if (before.size !== now.size || before.mtimeNs !== now.mtimeNs)
    out.push('it was written (size or modification time changed)');
  const w = (m: SourceMark) => (m.wal ? `${m.wal.salts}/${m.wal.checkpointSeq}/${m.wal.frames}` : 'none');
  if (w(before) !== w(now))
    out.push(
      `its WAL moved (${before.wal ? `${before.wal.frames} committed frames` : 'no WAL'} then ${now.wal ? `${now.wal.frames}` : 'no WAL'})`,
    );
  return out;
}
