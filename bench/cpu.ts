// CPU seconds by step and by process, for the benchmark's run (a): this
// process (the engine, its worker threads and the SSH link), PostgreSQL (every
// backend) and sshd. Processes are sampled every 100 ms from /proc, so a
// backend that exits between two samples loses at most that slice.
import { readFileSync, readdirSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux
const KINDS = { postgres: 'postgres', sshd: 'sshd' } as const;

export type CpuByStep = Record<string, Record<string, number>>;

/** utime + stime of a process in ticks, and its command name; null when it is gone. */
function readStat(pid: string): { comm: string; ticks: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = s.lastIndexOf(')');
    const fields = s.slice(close + 2).split(' ');
    return { comm: s.slice(s.indexOf('(') + 1, close), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

export class CpuSampler {
  private readonly seen = new Map<string, number>();
  /** What each process seen is: one of ours, or null. */
  private readonly kinds = new Map<string, string | null>();
  private readonly steps: CpuByStep = {};
  private step = '';
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.sample();
    this.step = 'start';
    this.timer = setInterval(() => this.sample(), 100);
  }

  /** Attribute what follows to `step`. */
  mark(step: string): void {
    this.sample();
    this.step = step;
  }

  stop(): CpuByStep {
    clearInterval(this.timer);
    this.sample();
    delete this.steps['start'];
    return this.steps;
  }

  private sample(): void {
    const self = String(process.pid);
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      // A process once found to be none of ours is not read again: reading
      // every process's stat ten times a second cost this process about 1.5
      // CPU seconds during a copy, which the measurement then counted.
      if (this.kinds.get(pid) === null) continue;
      const st = readStat(pid);
      if (!st) {
        this.kinds.delete(pid);
        continue;
      }
      let kind = this.kinds.get(pid);
      if (kind === undefined) {
        kind =
          pid === self
            ? 'vsmigrate'
            : (Object.entries(KINDS).find(([, prefix]) => st.comm.startsWith(prefix))?.[0] ?? null);
        this.kinds.set(pid, kind);
      }
      if (!kind) continue;
      const before = this.seen.get(pid);
      this.seen.set(pid, st.ticks);
      // A process first seen now: its ticks so far belong to the steps before, unless it started in this one.
      const delta = before === undefined ? (this.step ? st.ticks : 0) : st.ticks - before;
      if (delta <= 0 || !this.step) continue;
      const row = (this.steps[this.step] ??= {});
      row[kind] = (row[kind] ?? 0) + delta / TICKS_PER_SECOND;
    }
  }
}

/** "copy: vsmigrate 22.0, postgres 19.5, sshd 1.3; ..." */
export function formatCpu(steps: CpuByStep): string {
  return Object.entries(steps)
    .map(([step, kinds]) => [step, Object.entries(kinds).filter(([, s]) => s >= 0.05)] as const)
    .filter(([, kinds]) => kinds.length > 0)
    .map(([step, kinds]) => `${step}: ${kinds.map(([k, s]) => `${k} ${s.toFixed(1)}`).join(', ')}`)
    .join('; ');
}
