// Worker threads of a rehearsal run below the live app: Linux applies
// setpriority(pid 0) to the calling thread only, so this lowers one worker,
// never the agent's own thread (which could not raise it back without
// CAP_SYS_NICE, which the agent-app unit does not grant).
import { setPriority } from 'node:os';

export function lowerPriority(nice: number): void {
  try {
    setPriority(0, nice);
  } catch {
    // not permitted: the worker runs at the agent's priority
  }
}
