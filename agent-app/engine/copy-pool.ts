// The copy's pool of worker threads (copy-worker.ts): every unfinished rowid
// range, the biggest range of a table no other worker is copying first, with
// progress per table and a stop at the next chunk when asked.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { VsError } from '../../shared/errors.js';
import type { FromWorker, ToWorker, WorkerInit } from './copy-worker.js';
import type { EngineEvent } from './events.js';
import type { LintPlan } from './lint.js';
import type { Schema } from './prisma-schema.js';
import type { Range, TargetConfig } from './target.js';
import { workerTables } from './worker-tables.js';

export interface CopyPoolOptions {
  schema: Schema;
  target: TargetConfig;
  /** Copy workers; default: the machine's cores. */
  jobs?: number;
  chunkBytes?: number;
  /** A limit on the copy's rate, shared by the workers; 0 or absent: none. */
  maxBytesPerSecond?: number;
  /** The nice value of the worker threads; 0 or absent: unchanged. */
  workerNice?: number;
  /** Checked between chunks; true stops at the next safe point. */
  shouldStop?: () => boolean;
}

export type TableTotals = Map<string, { rows: number; done: number; bytes: number; started: number; finished: number }>;

/** Run the copy over every unfinished range with a pool of worker threads. */
export async function copyRanges(
  opts: CopyPoolOptions,
  snapshotPath: string,
  plan: LintPlan,
  ranges: Range[],
  totals: TableTotals,
  emit: (e: EngineEvent) => void,
  onTableCopied: (table: string) => void,
): Promise<boolean> {
  const left = (r: Range) => ((r.hi - r.lastRowid) / Math.max(1, r.hi - r.lo + 1)) * (totals.get(r.table)?.rows ?? 0);
  const pending = ranges.filter((r) => r.lastRowid < r.hi).sort((a, b) => left(b) - left(a));
  const rangesLeft = new Map<string, number>();
  for (const r of pending) rangesLeft.set(r.table, (rangesLeft.get(r.table) ?? 0) + 1);
  for (const table of totals.keys()) if (!rangesLeft.has(table)) onTableCopied(table);
  if (pending.length === 0) return false;
  const jobs = Math.max(1, Math.min(opts.jobs ?? availableParallelism(), pending.length));
  const init: WorkerInit = {
    snapshotPath,
    target: opts.target,
    tables: workerTables(opts.schema, plan),
    chunkBytes: opts.chunkBytes ?? 16 * 1024 * 1024,
    maxBytesPerSecond: opts.maxBytesPerSecond ? opts.maxBytesPerSecond / jobs : 0,
    nice: opts.workerNice ?? 0,
  };
  const workerUrl = new URL('./copy-worker.js', import.meta.url);
  let stopped = false;
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let running = 0;
      let failed = false;
      const busy = new Map<Worker, string>();
      // The biggest range of a table no other worker is copying, else the biggest left.
      const take = (): Range | undefined => {
        const tables = new Set(busy.values());
        const i = pending.findIndex((r) => !tables.has(r.table));
        return pending.splice(i >= 0 ? i : 0, 1)[0];
      };
      const next = (w: Worker) => {
        busy.delete(w);
        if (failed) return;
        if (opts.shouldStop?.()) stopped = true;
        const range = stopped ? undefined : take();
        if (!range) {
          if (running === 0) resolve();
          return;
        }
        running++;
        busy.set(w, range.table);
        const t = totals.get(range.table)!;
        if (!t.started) t.started = Date.now();
        w.postMessage({ type: 'task', range } satisfies ToWorker);
      };
      for (let i = 0; i < jobs; i++) {
        // As the verification's workers (source-sums.ts): short-lived garbage, a small young generation.
        const w = new Worker(workerUrl, { workerData: init, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
        workers.push(w);
        w.on('message', (m: FromWorker) => {
          if (m.type === 'ready') next(w);
          else if (m.type === 'progress') {
            const t = totals.get(m.table)!;
            t.done += m.rows;
            t.bytes += m.bytes;
            emit({ type: 'table', table: m.table, rowsDone: t.done, rowsTotal: t.rows, bytesDone: t.bytes });
            if (opts.shouldStop?.()) {
              stopped = true;
              for (const other of workers) other.postMessage({ type: 'stop' } satisfies ToWorker);
            }
          } else if (m.type === 'done') {
            running--;
            if (m.stopped) stopped = true;
            else {
              const n = rangesLeft.get(m.table)! - 1;
              rangesLeft.set(m.table, n);
              if (n === 0) onTableCopied(m.table);
            }
            totals.get(m.table)!.finished = Date.now();
            next(w);
            if (running === 0 && (stopped || pending.length === 0)) resolve();
          } else if (m.type === 'error') {
            failed = true;
            reject(
              new VsError(
                m.code === 'VS_ERR_INTERNAL' ? 'VS_ERR_COPY_FAILED' : (m.code as 'VS_ERR_COPY_FAILED'),
                m.message,
              ),
            );
          }
        });
        w.on('error', (err) => {
          failed = true;
          reject(new VsError('VS_ERR_COPY_FAILED', `a copy worker died: ${err.message}`, { cause: err }));
        });
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return stopped;
}
