// Worker threads of a rehearsal run below the live app, for CPU and for I/O.
// Linux applies setpriority(pid 0) and ioprio_set(IOPRIO_WHO_PROCESS, tid) to
// one thread, so this lowers the calling worker, never the agent's own thread
// (which could not raise itself back without CAP_SYS_NICE, which the
// agent-app unit does not grant). Node has no ioprio_set: util-linux's ionice
// sets it for this thread's id, read from /proc/thread-self.
import { execFileSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** The best-effort I/O class at its lowest priority: the app's I/O goes first. */
export const REHEARSAL_IO = { class: 2, level: 7 };

export function lowerPriority(nice: number): void {
  try {
    setPriority(0, nice);
  } catch {
    // not permitted: the worker runs at the agent's priority
  }
  try {
    const tid = readlinkSync('/proc/thread-self').split('/').pop()!;
    execFileSync('ionice', ['-c', String(REHEARSAL_IO.class), '-n', String(REHEARSAL_IO.level), '-p', tid], {
      stdio: 'ignore',
      timeout: 5_000,
    });
  } catch {
    // no ionice, or not permitted: the worker's I/O keeps the agent's priority
  }
}
