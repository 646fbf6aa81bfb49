// A real unix datagram socket that stands in for systemd's notify socket. Node
// cannot bind one, so a tiny python3 process does and reports each message.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { ManagedProcess, pollUntil } from './proc.js';
import { binary } from './system.js';

const SCRIPT = fileURLToPath(new URL('../../../test/harness/notify-listener.py', import.meta.url));

export interface NotifyMessage {
  t: number;
  /** The raw datagram: newline-separated assignments. */
  message: string;
}

export class NotifySocket {
  readonly proc: ManagedProcess;

  private constructor(
    readonly path: string,
    dir: string,
  ) {
    this.proc = new ManagedProcess('notify-socket', binary('python3')!, [SCRIPT, path], {
      logPath: join(dir, 'notify.log'),
    });
  }

  static async create(dir: string): Promise<NotifySocket> {
    const n = new NotifySocket(join(dir, 'notify.sock'), dir);
    await pollUntil('the notify socket to listen', async () => n.proc.output().includes('"listening"'));
    return n;
  }

  messages(): NotifyMessage[] {
    return this.proc
      .output()
      .split('\n')
      .filter((l) => l.includes('"message"'))
      .map((l) => JSON.parse(l) as NotifyMessage);
  }

  /** Messages that carry the assignment (e.g. "READY=1"). */
  withAssignment(assignment: string): NotifyMessage[] {
    return this.messages().filter((m) => m.message.split('\n').includes(assignment));
  }

  waitFor(assignment: string, timeoutMs = 15_000): Promise<NotifyMessage> {
    return pollUntil(`${assignment} on the notify socket`, async () => this.withAssignment(assignment)[0], timeoutMs);
  }

  stop(): Promise<void> {
    return this.proc.stop();
  }
}
