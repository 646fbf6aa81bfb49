// A copy worker (one per core, in a worker thread): reads rowid ranges of the
// snapshot, converts each value with the column's converter, and streams them
// into PostgreSQL with COPY, committing a checkpoint with every chunk.
import { parentPort, workerData } from 'node:worker_threads';
import type { Statement } from 'better-sqlite3';
import { lowerPriority } from './thread-priority.js';
import { Rejection } from './convert.js';
import type { ColumnConverter, SqliteValue } from './convert.js';
import { BINARY_HEADER, BINARY_TRAILER, BinaryRows, binaryConverterFor, binarySupported } from './copy-binary.js';
import type { BinaryConverter } from './copy-binary.js';
import { q } from './pg-ddl.js';
import { exactReadExpr, openSnapshot } from './snapshot.js';
import { ChunkWriter, connect } from './target.js';
import { columnFacts, copyConverters } from './worker-tables.js';
import type { WorkerTable } from './worker-tables.js';
import type { Range, TargetConfig } from './target.js';
import { VsError, toVsError } from '../../shared/errors.js';

export interface WorkerInit {
  snapshotPath: string;
  target: TargetConfig;
  tables: Record<string, WorkerTable>;
  chunkBytes: number;
  /** This worker's share of a rate limit (rehearsals); 0: as fast as it goes. */
  maxBytesPerSecond: number;
  /** The nice value of this thread (rehearsals: below the live app); 0: unchanged. */
  nice: number;
}

export type ToWorker = { type: 'task'; range: Range } | { type: 'stop' };
export type FromWorker =
  | { type: 'ready' }
  | { type: 'progress'; table: string; lo: number; rows: number; bytes: number }
  | { type: 'done'; table: string; lo: number; stopped: boolean }
  | { type: 'error'; code: string; message: string };

const WRITE_PIECE = 256 * 1024;
/**
 * Rows per read. better-sqlite3's all() over pages costs less per row than
 * iterate(): on the large fixture, 1.6-1.9 CPU seconds against 1.8-2.2 for
 * ImageAsset, 2.0-2.4 against 2.0-2.8 for Notification. Pages this small die
 * young; pages of 2048 rows raised the peak RSS by 50 MB.
 */
const PAGE_ROWS = 128;

/** A rowid range's rows, (after, last] in rowid order, a page at a time. */
function* pages(stmt: Statement, after: number, last: number): Generator<SqliteValue[][]> {
  for (;;) {
    const page = stmt.all(after, last) as SqliteValue[][];
    if (page.length > 0) yield page;
    if (page.length < PAGE_ROWS) return;
    after = page[page.length - 1]![0] as number;
  }
}

async function main(): Promise<void> {
  const init = workerData as WorkerInit;
  if (init.nice) lowerPriority(init.nice);
  const port = parentPort!;
  const db = openSnapshot(init.snapshotPath);
  // Each chunk commits with its checkpoint, so a commit lost in a server crash
  // loses both together: waiting for the WAL flush buys nothing here.
  const pg = await connect(init.target, { synchronous_commit: 'off' });
  let stopping = false;

  const prepared = new Map<
    string,
    {
      convs: ColumnConverter[];
      binary: BinaryConverter[] | null;
      quarantine: Set<number>;
      repairs: Map<number, Map<number, SqliteValue>>;
    }
  >();
  const tableFor = (name: string) => {
    let p = prepared.get(name);
    if (p) return p;
    const t = init.tables[name]!;
    const facts = columnFacts(t);
    const convs = copyConverters(t, facts);
    const binary = t.columns.every(binarySupported)
      ? t.columns.map((c, i) => binaryConverterFor(c, facts[i]!.labels, convs[i]!, facts[i]!.widened))
      : null;
    const index = new Map(t.columns.map((c, i) => [c.name, i]));
    const repairs = new Map(
      t.repairs.map(([rowid, cols]) => [rowid, new Map(cols.map(([c, v]) => [index.get(c)!, v]))]),
    );
    p = { convs, binary, quarantine: new Set(t.quarantine), repairs };
    prepared.set(name, p);
    return p;
  };

  // The rate limit: after each piece, sleep until the bytes sent fit the rate.
  const throttleStart = Date.now();
  let throttled = 0;
  const throttle = async (bytes: number) => {
    if (init.maxBytesPerSecond <= 0) return;
    throttled += bytes;
    const ahead = (throttled / init.maxBytesPerSecond) * 1000 - (Date.now() - throttleStart);
    if (ahead > 0) await new Promise((r) => setTimeout(r, ahead));
  };

  const copyRange = async (range: Range) => {
    const t = init.tables[range.table]!;
    const { convs, binary, quarantine, repairs } = tableFor(range.table);
    const n = t.columns.length;
    const cols = t.columns.map((c) => exactReadExpr(c, t.widened.includes(c.name))).join(', ');
    const stmt = db
      .prepare(
        `SELECT rowid, ${cols} FROM ${q(t.name)} WHERE rowid > ? AND rowid <= ? ORDER BY rowid LIMIT ${PAGE_ROWS}`,
      )
      .raw(true);
    stmt.safeIntegers(false); // see exactReadExpr
    const writer = new ChunkWriter(
      pg,
      t.name,
      t.columns.map((c) => c.name),
      range.lo,
      binary ? { header: BINARY_HEADER, trailer: BINARY_TRAILER } : null,
    );
    const rows = new BinaryRows();
    let open = false;
    // Fields and separators collect in one array, joined once per piece:
    // measured here, 5x cheaper than concatenating strings row by row.
    let parts: string[] = [];
    let pieceChars = 0;
    let chunkRows = 0;
    let chunkBytes = 0;
    let lastRowid = range.lastRowid;
    const flushPiece = async () => {
      if (binary) {
        if (rows.off === 0) return;
        const piece = rows.take();
        chunkBytes += piece.length;
        await writer.write(piece);
        await throttle(piece.length);
        return;
      }
      if (parts.length === 0) return;
      const piece = parts.join('');
      parts = [];
      pieceChars = 0;
      const size = Buffer.byteLength(piece);
      chunkBytes += size;
      await writer.write(piece);
      await throttle(size);
    };
    const fail = (i: number, rowid: number, r: Rejection) =>
      new VsError(
        'VS_ERR_COPY_FAILED',
        `${t.name} rowid ${rowid}, column ${t.columns[i]!.name}: ${r.rule} (${r.excerpt}) was not caught by the lint`,
      );
    const commit = async () => {
      await flushPiece();
      await writer.commit(lastRowid, chunkRows, chunkBytes);
      port.postMessage({
        type: 'progress',
        table: t.name,
        lo: range.lo,
        rows: chunkRows,
        bytes: chunkBytes,
      } satisfies FromWorker);
      open = false;
      chunkRows = 0;
      chunkBytes = 0;
    };
    const last = n - 1;
    for (const page of pages(stmt, range.lastRowid, range.hi)) {
      for (const row of page) {
        const rowid = row[0] as number;
        if (!open) {
          await writer.begin();
          open = true;
        }
        lastRowid = rowid;
        if (quarantine.size > 0 && quarantine.has(rowid)) continue;
        const fix = repairs.size > 0 ? repairs.get(rowid) : undefined;
        if (binary) {
          rows.row(n);
          for (let i = 0; i < n; i++) {
            const r = binary[i]!(fix?.has(i) ? fix.get(i)! : row[i + 1]!, rows);
            if (r) throw fail(i, rowid, r);
          }
        } else {
          for (let i = 0; i < n; i++) {
            const out = convs[i]!(fix?.has(i) ? fix.get(i)! : row[i + 1]!);
            if (typeof out !== 'string') throw fail(i, rowid, out);
            parts.push(out, i === last ? '\n' : '\t');
            pieceChars += out.length + 1;
          }
        }
        chunkRows++;
        if ((binary ? rows.off : pieceChars) >= WRITE_PIECE) {
          await flushPiece();
          if (chunkBytes >= init.chunkBytes) {
            await commit();
            if (stopping) return true;
          }
        }
      }
    }
    // Everything up to the range's end has been read: the checkpoint says so.
    lastRowid = range.hi;
    if (!open) await writer.begin();
    await commit();
    return false;
  };

  port.on('message', (msg: ToWorker) => {
    if (msg.type === 'stop') {
      stopping = true;
      return;
    }
    copyRange(msg.range).then(
      (stopped) =>
        port.postMessage({ type: 'done', table: msg.range.table, lo: msg.range.lo, stopped } satisfies FromWorker),
      (err: unknown) => {
        const vs = toVsError(err);
        const detail = vs.code === 'VS_ERR_INTERNAL' && vs.cause instanceof Error ? `: ${vs.cause.message}` : '';
        port.postMessage({ type: 'error', code: vs.code, message: vs.message + detail } satisfies FromWorker);
      },
    );
  });
  port.postMessage({ type: 'ready' } satisfies FromWorker);
}

main().catch((err: unknown) => {
  const vs = toVsError(err);
  parentPort!.postMessage({ type: 'error', code: vs.code, message: vs.message } satisfies FromWorker);
});
