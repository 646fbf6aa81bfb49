// sd_notify, and nothing else. Node has no unix datagram sockets, so messages go
// through the `systemd-notify` binary (the unit needs NotifyAccess=all). Without
// NOTIFY_SOCKET in the environment every call does nothing.
//
// READY=1 and STATUS= go through the `systemd-notify` package. It has no way to
// send other assignments (STOPPING=1, WATCHDOG=1), so those spawn the same
// binary with the assignment as its argument, which `systemd-notify` accepts.
import { spawn } from 'node:child_process';
import systemdNotify from 'systemd-notify';
import type { Logger } from './logger.js';

export interface Notifier {
  readonly enabled: boolean;
  /** systemd's watchdog interval for this process (WatchdogSec=), or null when there is none. */
  readonly watchdogIntervalMs: number | null;
  ready(status?: string): Promise<void>;
  stopping(): Promise<void>;
  watchdog(): Promise<void>;
  status(text: string): Promise<void>;
}

export function createNotifier(env: Readonly<Record<string, string | undefined>>, log: Logger): Notifier {
  const socket = env['NOTIFY_SOCKET'];
  if (!socket) {
    const nothing = async () => {};
    return {
      enabled: false,
      watchdogIntervalMs: null,
      ready: nothing,
      stopping: nothing,
      watchdog: nothing,
      status: nothing,
    };
  }
  // systemd sets WATCHDOG_USEC (and WATCHDOG_PID, for the main process) when the unit has WatchdogSec=.
  const usec = Number(env['WATCHDOG_USEC']);
  const forUs = !env['WATCHDOG_PID'] || Number(env['WATCHDOG_PID']) === process.pid;
  const watchdogIntervalMs = Number.isFinite(usec) && usec > 0 && forUs ? usec / 1000 : null;
  const assign = (assignment: string) =>
    new Promise<void>((resolve) => {
      const child = spawn('systemd-notify', [`MAINPID=${process.pid}`, assignment], {
        env: { ...process.env, NOTIFY_SOCKET: socket },
        stdio: 'ignore',
      });
      child.on('error', (err) => {
        log.warn({ err, assignment }, 'sd_notify failed');
        resolve();
      });
      child.on('close', () => resolve());
    });

  // The package spawns with process.env; main.ts hands process.env in as `env`,
  // so both see the same NOTIFY_SOCKET.
  const viaPackage = async (opts: { ready?: boolean; status?: string }) => {
    try {
      await systemdNotify(opts);
    } catch (err) {
      log.warn({ err }, 'sd_notify failed');
    }
  };

  return {
    enabled: true,
    watchdogIntervalMs,
    ready: (status) => viaPackage(status ? { ready: true, status } : { ready: true }),
    status: (text) => viaPackage({ status: text }),
    stopping: () => assign('STOPPING=1'),
    watchdog: () => assign('WATCHDOG=1'),
  };
}
