// A whole pair on one machine: PostgreSQL, agent-db, sshd permitting forwards to
// those two ports only, a pairing bundle, and agent-app. Tracks every process so
// a failing test prints their logs, and stops them all at the end.
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { PgCluster } from './postgres.js';
import { Sshd } from './sshd.js';
import { bundleFields, startAgentApp, startAgentDb, writeBundle } from './agents.js';
import type { AgentAppHandle, AgentDbHandle } from './agents.js';
import type { ManagedProcess } from './proc.js';
import { removeTempDirs, tempDir } from './system.js';

type Tracked = { name: string; current: () => ManagedProcess | null | undefined; stop: () => Promise<void> };

export class Tracker {
  private readonly items: Tracked[] = [];

  add(name: string, current: () => ManagedProcess | null | undefined, stop: () => Promise<void>): void {
    this.items.push({ name, current, stop });
  }

  addProcess(p: ManagedProcess): ManagedProcess {
    this.add(
      p.name,
      () => p,
      () => p.stop(),
    );
    return p;
  }

  /** Print each tracked process's log; call from afterEach.always when !t.passed. */
  printLogs(t: ExecutionContext): void {
    for (const item of this.items) {
      const proc = item.current();
      if (!proc) continue;
      const out = proc.output();
      console.error(
        `\n----- ${item.name} log (${proc.logPath}) for failed test "${t.title}" -----\n${out.slice(-20_000)}`,
      );
    }
  }

  async stopAll(): Promise<void> {
    for (const item of [...this.items].reverse()) {
      await item.stop().catch(() => {});
    }
  }
}

/** Register the usual hooks on an ava test function: logs on failure, stop at the end. */
export function trackWith(test: {
  afterEach: { always: (fn: (t: ExecutionContext) => void) => void };
  after: { always: (fn: () => Promise<void>) => void };
}): Tracker {
  const tracker = new Tracker();
  let failed = false;
  test.afterEach.always((t) => {
    if (!t.passed) {
      failed = true;
      tracker.printLogs(t);
    }
  });
  test.after.always(async () => {
    await tracker.stopAll();
    if (!failed) removeTempDirs();
  });
  return tracker;
}

/** A PostgreSQL cluster for a test, stopped with the rest at the end. */
export async function startCluster(
  label: string,
  tracker: Tracker,
  settings: Record<string, string> = {},
  prepare?: (cluster: PgCluster) => void,
): Promise<PgCluster> {
  const pg = await PgCluster.create(label, settings, prepare);
  tracker.add(
    'postgres',
    () => pg.proc,
    () => pg.stop(),
  );
  return pg;
}

export interface Pair {
  dir: string;
  pg: PgCluster;
  agentDb: AgentDbHandle;
  sshd: Sshd;
  bundlePath: string;
  agentApp: AgentAppHandle;
}

export async function startPair(
  label: string,
  tracker: Tracker,
  options: {
    hostKey?: string;
    agentAppEnv?: Record<string, string>;
    agentAppConfig?: Record<string, unknown>;
    agentDbEnv?: Record<string, string>;
    waitAgentApp?: boolean;
  } = {},
): Promise<Pair> {
  const dir = tempDir(label);
  const pg = await startCluster(label, tracker);
  const agentDb = await startAgentDb(dir, pg, { env: options.agentDbEnv });
  tracker.addProcess(agentDb.proc);
  const sshd = await Sshd.create(label, [agentDb.port, pg.port]);
  tracker.add(
    'sshd',
    () => sshd.proc,
    () => sshd.stop(),
  );
  const bundlePath = writeBundle(
    join(dir, 'pairing.conf'),
    bundleFields({ sshd, pg, agentDb, hostKey: options.hostKey }),
  );
  const agentApp = await startAgentApp(dir, bundlePath, {
    env: options.agentAppEnv,
    config: options.agentAppConfig,
    waitReady: options.waitAgentApp,
  });
  tracker.addProcess(agentApp.proc);
  return { dir, pg, agentDb, sshd, bundlePath, agentApp };
}
