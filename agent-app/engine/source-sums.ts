// The SQLite side of the verification: a table read from the snapshot as the
// copy reads it (quarantined rows left out, repairs applied), each row turned
// into its canonical fields and hashed (canonical.ts). Whole tables are summed
// by worker threads over rowid ranges, one per core; the verification's
// bisection sums small key ranges on the main thread with the same class.
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { VsError } from '../../shared/errors.js';
import { HashSum, canonicalValue } from './canonical.js';
import type { SqliteValue } from './convert.js';
import { q } from './pg-ddl.js';
import { exactReadExpr } from './snapshot.js';
import type { WorkerTable } from './worker-tables.js';

export interface Sum {
  n: number;
  sum: bigint;
}

export class SnapshotTable {
  private readonly quarantine: Set<number>;
  private readonly repairs: Map<number, Map<string, SqliteValue>>;
  private readonly readColumns: string;

  constructor(
    private readonly db: Database.Database,
    private readonly t: WorkerTable,
  ) {
    this.quarantine = new Set(t.quarantine);
    this.repairs = new Map(t.repairs.map(([rowid, cols]) => [rowid, new Map(cols)]));
    this.readColumns = t.columns.map((c) => exactReadExpr(c, t.widened.includes(c.name))).join(', ');
  }

  private select(where: string, order: string): Database.Statement {
    const stmt = this.db.prepare(
      `SELECT rowid AS __rowid, ${this.readColumns} FROM ${q(this.t.name)} ${where}${order ? ` ORDER BY ${order}` : ''}`,
    );
    stmt.safeIntegers(false);
    return stmt;
  }

  /** Rows matching `where` (with `?` parameters), in `order` when given; integers as plain numbers (see exactReadExpr). */
  rows(where: string, params: unknown[], order = ''): Iterable<Record<string, SqliteValue>> {
    return this.select(where, order).iterate(...bindable(params)) as Iterable<Record<string, SqliteValue>>;
  }

  /** The canonical fields of a row, after repairs; null when the row is quarantined. */
  fields(row: Record<string, SqliteValue>): Array<string | null> | null {
    const rowid = Number(row['__rowid']);
    if (this.quarantine.has(rowid)) return null;
    const fix = this.repairs.get(rowid);
    return this.t.columns.map((c) => canonicalValue(c, fix?.has(c.name) ? fix.get(c.name)! : (row[c.name] ?? null)));
  }

  /** Count and sum of row hashes of the rows matching `where`, in no particular order (a table scan). */
  sum(where: string, params: unknown[]): Sum {
    // Rows as arrays, one array of fields reused: the per-row cost is what a whole table's sum is made of.
    const columns = this.t.columns;
    const fields: Array<string | null> = new Array(columns.length);
    const s = new HashSum();
    for (const row of this.select(where, '')
      .raw(true)
      .iterate(...bindable(params)) as Iterable<SqliteValue[]>) {
      const rowid = row[0] as number;
      if (this.quarantine.size > 0 && this.quarantine.has(rowid)) continue;
      const fix = this.repairs.size > 0 ? this.repairs.get(rowid) : undefined;
      for (let i = 0; i < columns.length; i++) {
        const c = columns[i]!;
        fields[i] = canonicalValue(c, fix?.has(c.name) ? fix.get(c.name)! : row[i + 1]!);
      }
      s.addRow(fields);
    }
    return { n: s.n, sum: s.sum };
  }
}

const bindable = (params: unknown[]) => params.map((p) => (typeof p === 'bigint' ? String(p) : p));

export interface SumTask {
  table: string;
  lo: number;
  hi: number;
}

export type SumReply = { id: number; n: number; sum: string } | { id: number; error: string };

/** Worker threads that sum rowid ranges of the snapshot. */
export class SumPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: Array<{ id: number; task: SumTask }> = [];
  private readonly waiting = new Map<number, { resolve: (s: Sum) => void; reject: (e: Error) => void }>();
  private nextId = 0;

  constructor(snapshotPath: string, tables: Record<string, WorkerTable>, size: number, nice = 0) {
    const url = new URL('./sum-worker.js', import.meta.url);
    for (let i = 0; i < size; i++) {
      // A small young generation: a worker's garbage is short-lived row text,
      // and V8's default would let each worker grow by tens of MB before collecting.
      const w = new Worker(url, {
        workerData: { snapshotPath, tables, nice },
        resourceLimits: { maxYoungGenerationSizeMb: 8 },
      });
      w.on('message', (m: SumReply) => {
        const p = this.waiting.get(m.id)!;
        this.waiting.delete(m.id);
        if ('error' in m) p.reject(new VsError('VS_ERR_INTERNAL', `summing the snapshot failed: ${m.error}`));
        else p.resolve({ n: m.n, sum: BigInt(m.sum) });
        this.idle.push(w);
        this.pump();
      });
      w.on('error', (err) => {
        for (const p of this.waiting.values()) p.reject(err);
        this.waiting.clear();
      });
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  /** Sum one rowid range; ranges are taken in the order asked. */
  sum(task: SumTask): Promise<Sum> {
    const id = this.nextId++;
    const p = new Promise<Sum>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    this.queue.push({ id, task });
    this.pump();
    return p;
  }

  private pump(): void {
    while (this.idle.length && this.queue.length) this.idle.pop()!.postMessage(this.queue.shift()!);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
