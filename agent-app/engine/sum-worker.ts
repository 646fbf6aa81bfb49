// A worker thread of the verification (source-sums.ts): sums rowid ranges of the snapshot.
import { parentPort, workerData } from 'node:worker_threads';
import { lowerPriority } from './thread-priority.js';
import { SnapshotTable } from './source-sums.js';
import type { SumReply, SumTask } from './source-sums.js';
import { openSnapshot } from './snapshot.js';
import type { WorkerTable } from './worker-tables.js';

const init = workerData as { snapshotPath: string; tables: Record<string, WorkerTable>; nice: number };
if (init.nice) lowerPriority(init.nice);
const db = openSnapshot(init.snapshotPath);
const tables = new Map<string, SnapshotTable>();

parentPort!.on('message', ({ id, task }: { id: number; task: SumTask }) => {
  let reply: SumReply;
  try {
    let t = tables.get(task.table);
    if (!t) tables.set(task.table, (t = new SnapshotTable(db, init.tables[task.table]!)));
    const s = t.sum('WHERE rowid >= ? AND rowid <= ?', [task.lo, task.hi]);
    reply = { id, n: s.n, sum: s.sum.toString() };
  } catch (err) {
    reply = { id, error: (err as Error).message };
  }
  parentPort!.postMessage(reply);
});
