// The process lifecycle of an agent: starting → running → draining → stopped,
// or failed. main.ts registers what must be stopped (in start order; they stop in
// reverse), then calls running(), which installs the signal handlers and only
// then sends READY=1.
//
// With systemd's watchdog (WatchdogSec=), WATCHDOG=1 goes out from a timer on
// the event loop at half the interval: a loop that is stuck sends nothing, and
// systemd restarts the process.
//
// The first SIGTERM or SIGINT sends STOPPING=1 and runs the stop hooks within the
// drain budget (shorter than the unit's TimeoutStopSec), then exits 0. A second
// signal exits at once.
import type { Logger } from './logger.js';
import type { Notifier } from './notify.js';

export type LifecycleState = 'starting' | 'running' | 'draining' | 'stopped' | 'failed';

export interface ProcessLike {
  on(signal: 'SIGTERM' | 'SIGINT', listener: () => void): unknown;
  exit(code: number): never | void;
}

interface StopHook {
  name: string;
  /** Stop within the given milliseconds; the hook may use less. */
  stop: (budgetMs: number) => Promise<unknown>;
}

export class Lifecycle {
  private _state: LifecycleState = 'starting';
  private readonly hooks: StopHook[] = [];
  private readonly startedAt = Date.now();
  private shutdownPromise: Promise<void> | null = null;

  constructor(private readonly deps: { log: Logger; notifier: Notifier; drainBudgetMs: number; proc: ProcessLike }) {}

  get state(): LifecycleState {
    return this._state;
  }

  get uptimeSeconds(): number {
    return (Date.now() - this.startedAt) / 1000;
  }

  /** Register something to stop on shutdown. Hooks run in reverse order of registration. */
  onStop(name: string, stop: (budgetMs: number) => Promise<unknown>): void {
    this.hooks.push({ name, stop });
  }

  /** Everything is bound and serving: install signal handlers, then READY=1. */
  async running(status: string): Promise<void> {
    const onSignal = (signal: string) => {
      if (this.shutdownPromise) {
        this.deps.log.warn({ signal }, 'second signal: exiting at once');
        this.deps.proc.exit(1);
        return;
      }
      void this.shutdown(`signal ${signal}`);
    };
    this.deps.proc.on('SIGTERM', () => onSignal('SIGTERM'));
    this.deps.proc.on('SIGINT', () => onSignal('SIGINT'));
    this._state = 'running';
    this.deps.log.info({ status }, 'running');
    await this.deps.notifier.ready(status);
    const interval = this.deps.notifier.watchdogIntervalMs;
    if (interval) {
      // Unref'd: the watchdog never keeps a process alive that would otherwise exit.
      setInterval(() => void this.deps.notifier.watchdog(), interval / 2).unref();
      this.deps.log.info({ watchdogMs: interval }, 'watchdog pings every half interval');
    }
  }

  /** Drain and exit: 0 when every hook stopped in time, 1 otherwise. */
  shutdown(reason: string): Promise<void> {
    if (this.shutdownPromise) return this.shutdownPromise;
    this.shutdownPromise = this.drain(reason);
    return this.shutdownPromise;
  }

  private async drain(reason: string): Promise<void> {
    this._state = 'draining';
    const deadline = Date.now() + this.deps.drainBudgetMs;
    this.deps.log.info({ reason, drainBudgetMs: this.deps.drainBudgetMs }, 'draining');
    await this.deps.notifier.stopping();
    let clean = true;
    for (const hook of [...this.hooks].reverse()) {
      const budget = Math.max(0, deadline - Date.now());
      const started = Date.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        const outcome = await Promise.race([
          hook.stop(budget).then(() => 'stopped' as const),
          new Promise<'timeout'>((resolve) => {
            timer = setTimeout(() => resolve('timeout'), budget);
          }),
        ]);
        if (outcome === 'timeout') {
          clean = false;
          this.deps.log.error({ hook: hook.name, budgetMs: budget }, 'stop hook ran out of drain budget');
        } else {
          this.deps.log.info({ hook: hook.name, ms: Date.now() - started }, 'stopped');
        }
      } catch (err) {
        clean = false;
        this.deps.log.error({ hook: hook.name, err }, 'stop hook failed');
      } finally {
        clearTimeout(timer);
      }
    }
    this._state = clean ? 'stopped' : 'failed';
    this.deps.log.info({ state: this._state }, 'exiting');
    this.deps.proc.exit(clean ? 0 : 1);
  }
}
