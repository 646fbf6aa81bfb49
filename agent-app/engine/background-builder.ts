// Builds keys and indexes of tables whose copy is complete, and runs their
// VACUUM ANALYZE, on a connection of its own while other tables still copy:
// at the copy's tail a core would idle otherwise.
import type { Client } from 'pg';
import type { NamedStatement } from './pg-ddl.js';
import * as target from './target.js';
import type { TargetConfig } from './target.js';

/** A key or index to build, or a table to VACUUM ANALYZE. */
export type BuildTask = NamedStatement | { vacuum: string };

export const runTask = async (t: BuildTask, c: Client) =>
  'vacuum' in t ? target.vacuumAnalyze(c, t.vacuum) : void (await target.runStep(c, t));

export class BackgroundBuilder {
  private readonly queue: BuildTask[] = [];
  private closing = false;
  private wake: (() => void) | null = null;
  readonly done: Promise<void>;

  constructor(config: TargetConfig) {
    this.done = this.loop(config);
  }

  add(tasks: BuildTask[]): void {
    this.queue.push(...tasks);
    this.wake?.();
  }

  /** Stop after the task in flight; what was not started is returned. */
  async close(): Promise<BuildTask[]> {
    this.closing = true;
    this.wake?.();
    await this.done;
    return this.queue.splice(0);
  }

  private async loop(config: TargetConfig): Promise<void> {
    // No parallel workers: the copy keeps every core busy, and a parallel
    // build's extra processes only add their own sorting and merging.
    const c = await target.connect(config, { ...target.BUILD_SETTINGS, max_parallel_maintenance_workers: '0' });
    try {
      while (!this.closing) {
        const next = this.queue.shift();
        if (next) await runTask(next, c);
        else await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
      }
    } finally {
      await c.end().catch(() => {});
    }
  }
}
