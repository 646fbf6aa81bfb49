// The engine's one reader of VisionSuit's SQLite file. The live file is copied
// in one read transaction by a child process (snapshot-copy.ts), which always
// finishes under a writing app; everything after reads the snapshot. The snapshot is created 0600, checked (integrity_check), hashed
// and made read-only, and it carries the live file's mark (source-mark.ts) as
// it was when copied, so a resume can tell whether the file moved on since.
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { chmod, mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { isUtf8 } from 'node:buffer';
import Database from 'better-sqlite3';
import { VsError } from '../../shared/errors.js';
import { sha256File } from '../../shared/pg-dump.js';
import { diskFullError, isDiskFull } from '../../shared/disk.js';
import { markDifferences, readSourceMark } from './source-mark.js';
import type { SourceMark } from './source-mark.js';

export interface SnapshotInfo {
  path: string;
  sha256: string;
  bytes: number;
  seconds: number;
  /** The live file's mark when the copy was taken; null when the file was written while it was copied. */
  source: SourceMark | null;
  /** The live file's journal mode, and how long its writers' commits had to wait for the copy (0 in WAL mode). */
  journalMode?: string;
  writersHeldMs?: number;
}

const execFileAsync = promisify(execFile);

function openReadOnly(path: string): Database.Database {
  try {
    return new Database(path, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new VsError('VS_ERR_SQLITE_UNREADABLE', `cannot open ${path} read-only: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** `PRAGMA integrity_check`: the list of problems, empty when the file is sound. */
export function integrityProblems(db: Database.Database): string[] {
  const rows = db.pragma('integrity_check') as Array<{ integrity_check: string }>;
  return rows.map((r) => r.integrity_check).filter((s) => s !== 'ok');
}

/**
 * Copy the live file into `dest` in one read transaction, check and hash the
 * copy, and make it read-only. The live file is only ever read. The live
 * file's mark is read before and after the copy; equal marks prove the copy is
 * the file as the mark describes it.
 */
export async function takeSnapshot(
  livePath: string,
  dest: string,
  onProgress?: (fraction: number) => void,
): Promise<SnapshotInfo> {
  const started = Date.now();
  await mkdir(dirname(dest), { recursive: true });
  const before = readSourceMark(livePath);
  const copied = await copyOnce(livePath, dest, before, onProgress);
  // A file written while it was copied (a rehearsal on a live app) still gives a
  // consistent copy, but no mark describes it: such a snapshot is never resumed from.
  const source = markDifferences(before, readSourceMark(livePath)).length === 0 ? before : null;
  // The copy is ours: take it out of WAL mode so it is one self-contained file.
  const copy = new Database(dest);
  try {
    copy.pragma('journal_mode = DELETE');
    const problems = integrityProblems(copy);
    if (problems.length > 0) {
      throw new VsError(
        'VS_ERR_SQLITE_CORRUPT',
        `the snapshot of ${livePath} fails integrity_check: ${problems.slice(0, 5).join('; ')}`,
        {
          details: { problems: problems.length },
        },
      );
    }
  } catch (err) {
    throw isDiskFull(err) ? await diskFullError(dest, 'the snapshot', before.size, err) : err;
  } finally {
    copy.close();
  }
  await chmod(dest, 0o400);
  const bytes = (await stat(dest)).size;
  return {
    path: dest,
    sha256: await sha256File(dest),
    bytes,
    seconds: (Date.now() - started) / 1000,
    source,
    journalMode: copied.journalMode,
    writersHeldMs: copied.journalMode === 'wal' ? 0 : Math.round(copied.heldMs),
  };
}

const COPY_CHILD = fileURLToPath(new URL('./snapshot-copy.js', import.meta.url));

/** What the copying child reports (snapshot-copy.ts), and the schema cookie in the image it wrote. */
export interface ImageRead {
  journalMode: string;
  heldMs: number;
  bytes: number;
  pageSize: number;
  schemaVersion: number;
}

/**
 * Run the copying child on the live file: a full copy into `dest`, or with
 * `patch` (a file for the changed page numbers) only the pages of `dest` that
 * differ from the live file.
 */
export async function readLiveImage(
  livePath: string,
  dest: string,
  patch?: string,
  expectedBytes = 0,
): Promise<ImageRead> {
  try {
    const { stdout } = await execFileAsync(
      process.execPath,
      [COPY_CHILD, livePath, dest, ...(patch ? ['--patch', patch] : [])],
      { maxBuffer: 1 << 20, encoding: 'utf8' },
    );
    return { ...(JSON.parse(stdout) as Omit<ImageRead, 'schemaVersion'>), schemaVersion: headerSchemaVersion(dest) };
  } catch (err) {
    // The child's uncaught error: its "Name: message" line, not the stack or Node's version line.
    const stderr = (err as { stderr?: string }).stderr ?? '';
    const why = /^\w*Error: .*$/m.exec(stderr)?.[0] ?? (stderr.trim() || String(err));
    if (/ENOSPC|SQLITE_FULL/.test(why)) throw await diskFullError(dest, 'the snapshot', expectedBytes, err);
    throw new VsError('VS_ERR_SQLITE_UNREADABLE', `copying ${livePath} failed: ${why}`, { cause: err });
  }
}

/** One copy of the live file into a new 0600 file at `dest`, by the child process. */
async function copyOnce(
  livePath: string,
  dest: string,
  mark: SourceMark,
  onProgress?: (fraction: number) => void,
): Promise<ImageRead> {
  await rm(dest, { force: true });
  await rm(`${dest}-journal`, { force: true });
  // SQLite would create the file 0644: it holds every row, password hashes included.
  await (await open(dest, 'wx', 0o600)).close();
  const expected = mark.size + (mark.wal ? mark.wal.frames * 4096 : 0);
  const progress = setInterval(() => {
    void stat(dest).then(
      (st) => onProgress?.(Math.min(1, expected > 0 ? st.size / expected : 1)),
      () => {},
    );
  }, 500);
  try {
    const read = await readLiveImage(livePath, dest, undefined, expected);
    onProgress?.(1);
    return read;
  } finally {
    clearInterval(progress);
  }
}

/** Where a work directory keeps the record of its snapshot: the snapshot's hash and the live file's mark. */
export const snapshotRecordPath = (workDir: string) => join(workDir, 'snapshot.json');

export async function writeSnapshotRecord(workDir: string, snap: SnapshotInfo): Promise<void> {
  await writeFile(snapshotRecordPath(workDir), JSON.stringify(snap, null, 2) + '\n', { mode: 0o600 });
}

export async function readSnapshotRecord(workDir: string): Promise<SnapshotInfo> {
  return JSON.parse(await readFile(snapshotRecordPath(workDir), 'utf8')) as SnapshotInfo;
}

/**
 * Why the work directory's snapshot cannot serve a resume of the run that
 * copied `runSha256` from `livePath`; undefined when it can: it is that run's
 * snapshot, intact, of the file named now, and that file has not changed since.
 */
export async function staleSnapshot(workDir: string, livePath: string, runSha256: string): Promise<string | undefined> {
  let record: SnapshotInfo;
  try {
    record = await readSnapshotRecord(workDir);
  } catch {
    return `${workDir} holds no record of the file its snapshot was taken from`;
  }
  if (record.sha256 !== runSha256) return "the work directory's snapshot is not the one the target's run copied";
  if (!existsSync(record.path) || (await sha256File(record.path)) !== record.sha256)
    return `the snapshot ${record.path} is gone or changed`;
  if (!record.source)
    return `${livePath} was being written while the snapshot was taken, so nothing shows the snapshot is still the file`;
  const now = readSourceMark(livePath);
  if (now.path !== record.source.path || now.ino !== record.source.ino || now.dev !== record.source.dev) {
    return `the interrupted run copied ${record.source.path}, not ${now.path}`;
  }
  const moved = markDifferences(record.source, now);
  return moved.length > 0 ? `${livePath} changed since it was copied (${moved.join('; ')})` : undefined;
}

/**
 * How to read a column when a statement reads integers as plain numbers (much
 * cheaper than bigint): columns that can hold integers beyond 2^53 (BigInt,
 * an Int widened to BIGINT, integers in Json) come as decimal text instead.
 */
export function exactReadExpr(c: { name: string; type: string }, widened: boolean): string {
  const x = `"${c.name.replace(/"/g, '""')}"`;
  return c.type === 'BigInt' || c.type === 'Json' || widened
    ? `CASE typeof(${x}) WHEN 'integer' THEN CAST(${x} AS TEXT) ELSE ${x} END AS ${x}`
    : x;
}

/** A read-only connection to a snapshot, integers as bigint, with the UTF-8 check the lint uses. */
export function openSnapshot(path: string): Database.Database {
  const db = openReadOnly(path);
  db.defaultSafeIntegers(true);
  // Reads are scans, which a page cache does not speed up; better-sqlite3's
  // default of 16 MB per connection, times the main thread and each worker,
  // was most of the engine's memory above its JavaScript heaps.
  db.pragma('cache_size = -2000');
  return withLintFunctions(db);
}

/** `fn` on a read-only connection to the SQLite file at `path` (openSnapshot), closed after. */
export function withSnapshot<T>(path: string, fn: (db: Database.Database) => T): T {
  const db = openSnapshot(path);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** The SQL functions the lint calls, on a connection that reads rows to lint. */
export function withLintFunctions(db: Database.Database): Database.Database {
  db.function('vs_utf8_ok', { deterministic: true }, (b: unknown) => (Buffer.isBuffer(b) && isUtf8(b) ? 1 : 0));
  return db;
}

export interface TableStats {
  rows: number;
  minRowid: number;
  maxRowid: number;
}

export function tableStats(db: Database.Database, table: string): TableStats {
  const r = db
    .prepare(`SELECT count(*) AS n, min(rowid) AS lo, max(rowid) AS hi FROM "${table.replace(/"/g, '""')}"`)
    .get() as {
    n: bigint;
    lo: bigint | null;
    hi: bigint | null;
  };
  return { rows: Number(r.n), minRowid: Number(r.lo ?? 0n), maxRowid: Number(r.hi ?? 0n) };
}

/**
 * Each table's payload in the file, in bytes (SQLite's dbstat, its b-tree's
 * pages summed): the weight of its copy in the progress views. Empty where the
 * SQLite build lacks dbstat: the views then weigh tables by rows.
 */
export function tableBytes(db: Database.Database, tables: string[]): Map<string, number> {
  const out = new Map<string, number>();
  try {
    const stmt = db.prepare(`SELECT payload FROM dbstat WHERE name = ? AND aggregate = 1`).pluck();
    for (const name of tables) out.set(name, Number((stmt.get(name) as bigint | number | undefined) ?? 0));
  } catch {
    out.clear();
  }
  return out;
}

/** The schema cookie (PRAGMA schema_version) in a database file's header, read without SQLite. */
export function headerSchemaVersion(path: string): number {
  const fd = openSync(path, 'r');
  try {
    const header = Buffer.alloc(44);
    readSync(fd, header, 0, 44, 0);
    return header.readUInt32BE(40);
  } finally {
    closeSync(fd);
  }
}

/** sqlite_sequence high-water marks by table (absent when no AUTOINCREMENT table exists). */
export function sequenceMarks(db: Database.Database): Map<string, bigint> {
  const has = db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'`).get();
  if (!has) return new Map();
  const rows = db.prepare(`SELECT name, seq FROM sqlite_sequence`).all() as Array<{ name: string; seq: bigint }>;
  return new Map(rows.map((r) => [r.name, BigInt(r.seq)]));
}

/**
 * Tables and columns the schema names that the file lacks. Columns are read by
 * name everywhere, so another column order (older installs rebuilt tables) is
 * fine; a missing one means schema.prisma and the file do not match.
 */
export function missingInFile(
  db: Database.Database,
  tables: Array<{ name: string; columns: Array<{ name: string }> }>,
): string[] {
  const out: string[] = [];
  const columnsOf = db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck();
  for (const t of tables) {
    const have = new Set(columnsOf.all(t.name) as string[]);
    if (have.size === 0) out.push(`table ${t.name}`);
    else for (const c of t.columns) if (!have.has(c.name)) out.push(`${t.name}.${c.name}`);
  }
  return out;
}

/** Each table's row count, and rowid ranges of at most `rangeRows` rows (by rowid span), largest first. */
export function planRanges(
  db: Database.Database,
  schema: { loadOrder: string[] },
  rangeRows: number,
): { rows: Map<string, number>; ranges: Array<{ table: string; lo: number; hi: number }> } {
  const out: Array<{ table: string; lo: number; hi: number; rows: number }> = [];
  const rows = new Map<string, number>();
  for (const name of schema.loadOrder) {
    const s = tableStats(db, name);
    rows.set(name, s.rows);
    if (s.rows === 0) continue;
    const parts = Math.max(1, Math.ceil(s.rows / rangeRows));
    const span = Math.ceil((s.maxRowid - s.minRowid + 1) / parts);
    for (let i = 0; i < parts; i++) {
      const lo = s.minRowid + i * span;
      const hi = i === parts - 1 ? s.maxRowid : lo + span - 1;
      out.push({ table: name, lo, hi, rows: Math.round(s.rows / parts) });
    }
  }
  return { rows, ranges: out.sort((a, b) => b.rows - a.rows).map(({ table, lo, hi }) => ({ table, lo, hi })) };
}
