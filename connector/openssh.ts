// The connector's data path on OpenSSH's client. Measured on this machine
// (bench/connector.ts), the in-process ssh2 path carried 0.46 of what `ssh -L`
// carries on `pgbench -S`, and a Node relay in front of `ssh -L` 0.62: every
// byte that passes through this process's event loop costs. So the bytes do
// not pass through it. A supervised OpenSSH master connection (`ssh -N -M`)
// holds the SSH session, with the host key pinned through a known_hosts file
// written from the pairing's pinned key (the pairing stays the one place that
// knows the pin) and the pairing's forwarding-only key. Each client connection
// is handed over as a file descriptor to a mux client (`ssh -S CTL -W host:port`),
// which passes it on to the master; from then on the master moves the bytes
// between the client's socket and the SSH channel, as `ssh -L` does.
//
// Byte counts and idleness come from the kernel (`ss -ti`: bytes_received and
// bytes_acked of each client socket), since no byte is seen here.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type net from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from '../shared/logger.js';
import type { PinnedHostKey } from '../shared/ssh-host-key.js';

const execFileAsync = promisify(execFile);

export interface OpensshEndpoint {
  host: string;
  port: number;
  user: string;
  privateKey: Buffer;
  hostKey: PinnedHostKey;
}

/** The key type inside an SSH public key blob (known_hosts wants it, not an rsa-sha2-* signature name). */
function blobType(blob: Buffer): string {
  return blob.subarray(4, 4 + blob.readUInt32BE(0)).toString('latin1');
}

export class OpensshMaster {
  private proc: ChildProcess | null = null;
  private stopped = false;
  private restartTimer: NodeJS.Timeout | null = null;
  private backoffMs = 1_000;
  private _up = false;
  readonly controlPath: string;
  private readonly options: string[];

  constructor(
    private readonly endpoint: OpensshEndpoint,
    private readonly dir: string,
    private readonly connectTimeoutMs: number,
    private readonly log: Logger,
    private readonly onState: (up: boolean) => void = () => {},
  ) {
    this.controlPath = join(dir, 'ctl');
    const keyFile = join(dir, 'id');
    const knownHosts = join(dir, 'known_hosts');
    this.options = [
      '-F',
      '/dev/null',
      '-o',
      'BatchMode=yes',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      `UserKnownHostsFile=${knownHosts}`,
      '-o',
      'GlobalKnownHostsFile=/dev/null',
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      `IdentityFile=${keyFile}`,
      '-o',
      'ServerAliveInterval=5',
      '-o',
      'ServerAliveCountMax=3',
      '-o',
      `ConnectTimeout=${Math.max(1, Math.ceil(connectTimeoutMs / 1000))}`,
      '-o',
      'ControlPersist=no',
      '-S',
      this.controlPath,
      '-p',
      String(endpoint.port),
      '-l',
      endpoint.user,
    ];
  }

  get up(): boolean {
    return this._up;
  }

  start(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    writeFileSync(join(this.dir, 'id'), this.endpoint.privateKey, { mode: 0o600 });
    const host = this.endpoint.port === 22 ? this.endpoint.host : `[${this.endpoint.host}]:${this.endpoint.port}`;
    const key = this.endpoint.hostKey;
    writeFileSync(join(this.dir, 'known_hosts'), `${host} ${blobType(key.blob)} ${key.blob.toString('base64')}\n`, {
      mode: 0o600,
    });
    this.spawnMaster();
  }

  private setUp(up: boolean): void {
    if (up === this._up) return;
    this._up = up;
    this.log.info({ up }, up ? 'OpenSSH master connection up' : 'OpenSSH master connection down');
    this.onState(up);
  }

  private spawnMaster(): void {
    if (this.stopped) return;
    rmSync(this.controlPath, { force: true });
    const proc = spawn('ssh', ['-N', '-M', ...this.options, this.endpoint.host], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.proc = proc;
    let stderr = '';
    proc.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    proc.on('exit', (code, signal) => {
      this.proc = null;
      this.setUp(false);
      if (this.stopped) return;
      this.log.warn(
        { code, signal, stderr: stderr.trim().split('\n').at(-1) ?? '', retryMs: this.backoffMs },
        'OpenSSH master connection ended; reconnecting',
      );
      this.restartTimer = setTimeout(() => this.spawnMaster(), this.backoffMs);
      this.backoffMs = Math.min(this.backoffMs * 2, 10_000);
    });
    void this.waitReady(proc);
  }

  /** Up once the master answers on its control socket. */
  private async waitReady(proc: ChildProcess): Promise<void> {
    const deadline = Date.now() + this.connectTimeoutMs + 5_000;
    while (this.proc === proc && Date.now() < deadline) {
      if (existsSync(this.controlPath)) {
        const ok = await execFileAsync('ssh', ['-S', this.controlPath, '-O', 'check', this.endpoint.host]).then(
          () => true,
          () => false,
        );
        if (ok && this.proc === proc) {
          this.backoffMs = 1_000;
          this.setUp(true);
          return;
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    if (this.proc === proc) proc.kill();
  }

  /** Hand `socket` to a mux client that has the master carry it to host:port. */
  carry(socket: net.Socket, host: string, port: number): ChildProcess {
    return spawn('ssh', ['-S', this.controlPath, '-W', `${host}:${port}`, this.endpoint.host], {
      stdio: [socket, socket, 'ignore'],
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.proc?.kill();
    this.setUp(false);
  }
}

export interface SocketBytes {
  /** Bytes the client sent (to the server). */
  received: number;
  /** Bytes the client acknowledged (from the server). */
  acked: number;
}

/**
 * The kernel's byte counters of the TCP connections on local port `port`, by
 * peer port: established ones, and ones the client has closed while this
 * process still holds the socket (CLOSE-WAIT), so the last bytes are counted.
 */
export async function socketBytes(port: number): Promise<Map<number, SocketBytes>> {
  const out = new Map<number, SocketBytes>();
  let text: string;
  try {
    ({ stdout: text } = await execFileAsync('ss', ['-tinH', `( sport = :${port} )`]));
  } catch {
    return out;
  }
  let peer = -1;
  for (const line of text.split('\n')) {
    const addr = /^\S*\s*\d+\s+\d+\s+\S+:\d+\s+\S+:(\d+)/.exec(line);
    if (addr) {
      peer = Number(addr[1]);
      continue;
    }
    if (peer < 0) continue;
    const received = Number(/bytes_received:(\d+)/.exec(line)?.[1] ?? 0);
    const acked = Number(/bytes_acked:(\d+)/.exec(line)?.[1] ?? 0);
    // bytes_acked counts from 1 (the SYN), as the kernel reports it.
    out.set(peer, { received, acked: Math.max(0, acked - 1) });
    peer = -1;
  }
  return out;
}
