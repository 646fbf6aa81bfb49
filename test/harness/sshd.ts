// A real OpenSSH sshd for tests: its own host key and config, on a free loopback
// port, with one authorized key restricted by the line `vs-agent-db bootstrap`
// writes (forwarding to the named loopback ports only; no shell, no pty).
import { execFileSync } from 'node:child_process';
import { chownSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedProcess, pollUntil, signalTree } from './proc.js';
import { binary, canConnect, ensureSystemUser, freePort, isRoot, tempDir } from './system.js';
import { userInfo } from 'node:os';
import { createWriteStream } from 'node:fs';
import { SshLink } from '../../shared/ssh-link.js';
import { parseHostKey } from '../../shared/ssh-host-key.js';
import { createLogger } from '../../shared/logger.js';
import { restrictedKeyLine } from '../../agent-db/bootstrap.js';

export const TEST_SSH_USER = 'vsm-test-link';

export interface KeyPair {
  privateKey: Buffer;
  publicKey: string;
}

export function generateKeyPair(dir: string, name: string): KeyPair {
  const path = join(dir, name);
  execFileSync(binary('ssh-keygen')!, ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', path]);
  return { privateKey: readFileSync(path), publicKey: readFileSync(`${path}.pub`, 'utf8').trim() };
}

export interface SshdOptions {
  user?: string;
  /** Allow forwarding to unix sockets (an operator's vsctl reaching agent-app), instead of to TCP ports. */
  streamLocal?: boolean;
  /** sshd's AuthorizedKeysFile pattern (%h is the home directory). */
  authorizedKeysFile?: string;
  /**
   * Run from a copy of Debian's stock sshd_config (it allows every kind of
   * forwarding) whose Include points at this directory instead of
   * /etc/ssh/sshd_config.d; only what a test server needs is added after it.
   */
  stockIncludeDir?: string;
}

/** Debian's sshd_config as the openssh-server package ships it. */
export const STOCK_SSHD_CONFIG = '/usr/share/openssh/sshd_config';

export class Sshd {
  proc: ManagedProcess | null = null;
  readonly hostKeyPublic: string;
  readonly clientKey: KeyPair;
  readonly user: string;

  private constructor(
    readonly dir: string,
    readonly port: number,
    permitOpen: number[],
    options: SshdOptions,
  ) {
    this.user = options.user ?? (isRoot ? ensureSystemUser(TEST_SSH_USER) && TEST_SSH_USER : userInfo().username);
    execFileSync(binary('ssh-keygen')!, ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_ed25519')]);
    this.hostKeyPublic = readFileSync(join(dir, 'host_ed25519.pub'), 'utf8').trim();
    this.clientKey = generateKeyPair(dir, 'client_ed25519');
    let authorized = options.authorizedKeysFile;
    if (!authorized) {
      authorized = join(dir, 'authorized_keys');
      const line = options.streamLocal
        ? `restrict,port-forwarding,command="/usr/sbin/nologin" ${this.clientKey.publicKey}\n`
        : restrictedKeyLine(this.clientKey.publicKey, permitOpen);
      writeFileSync(authorized, line, { mode: 0o644 });
    }
    const own = [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_ed25519')}`,
      `AuthorizedKeysFile ${authorized}`,
      `AllowUsers ${this.user}`,
      'PidFile none',
    ];
    if (options.stockIncludeDir) {
      const stock = readFileSync(STOCK_SSHD_CONFIG, 'utf8');
      if (!/^Include \/etc\/ssh\/sshd_config\.d\/\*\.conf$/m.test(stock))
        throw new Error(`${STOCK_SSHD_CONFIG} has no Include line to point elsewhere`);
      mkdirSync(options.stockIncludeDir, { recursive: true });
      writeFileSync(
        join(dir, 'sshd_config'),
        stock.replace(/^Include \/etc\/ssh\/sshd_config\.d\/\*\.conf$/m, `Include ${options.stockIncludeDir}/*.conf`) +
          ['', '# Added for the test server', ...own, 'LogLevel VERBOSE', ''].join('\n'),
      );
      return;
    }
    writeFileSync(
      join(dir, 'sshd_config'),
      [
        ...own,
        'UsePAM no',
        'StrictModes no',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PubkeyAuthentication yes',
        'PermitRootLogin no',
        'AllowTcpForwarding local',
        'AllowAgentForwarding no',
        `AllowStreamLocalForwarding ${options.streamLocal ? 'local' : 'no'}`,
        'X11Forwarding no',
        'PermitTTY no',
        'LogLevel VERBOSE',
        '',
      ].join('\n'),
    );
  }

  /** A host key this server does not have, for mismatch tests. */
  static otherHostKey(): string {
    const dir = tempDir('other-host-key');
    execFileSync(binary('ssh-keygen')!, ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'k')]);
    return readFileSync(join(dir, 'k.pub'), 'utf8').trim();
  }

  /**
   * Start sshd permitting forwards to the given loopback ports only, with its
   * own client key; or, with `authorizedKeysFile`, for a user whose keys are
   * installed there by someone else (vs-agent-db bootstrap).
   */
  static async create(label: string, permitOpen: number[], options: SshdOptions = {}): Promise<Sshd> {
    if (isRoot && !existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755 });
    const dir = tempDir(`sshd-${label}`, 0o755);
    const sshd = new Sshd(dir, await freePort(), permitOpen, options);
    if (isRoot) chownSync(dir, 0, 0);
    await sshd.start();
    return sshd;
  }

  async start(): Promise<void> {
    this.proc = new ManagedProcess('sshd', binary('sshd')!, ['-D', '-e', '-f', join(this.dir, 'sshd_config')], {
      logPath: join(this.dir, 'sshd.log'),
    });
    await pollUntil('sshd to listen', async () => {
      if (!this.proc!.running) throw new Error(`sshd exited:\n${this.proc!.output()}`);
      return canConnect(this.port);
    });
  }

  /** Kill sshd and every session process it forked, as a host crash would. */
  async kill(): Promise<void> {
    if (!this.proc) return;
    signalTree(this.proc.pid, 'SIGKILL');
    await this.proc.waitForExit();
    await pollUntil('sshd sessions to be gone', async () => !(await canConnect(this.port)), 5_000);
  }

  async stop(): Promise<void> {
    if (!this.proc) return;
    signalTree(this.proc.pid, 'SIGTERM');
    await this.proc.stop();
  }

  output(): string {
    return this.proc?.output() ?? '';
  }
}

/**
 * An SSH link to this sshd with its client key and pinned host key, forwarding
 * to one loopback port on the far side (as "postgres"), up before it returns.
 * Its log goes to `logPath`.
 */
export async function openLink(sshd: Sshd, remotePort: number, logPath: string): Promise<SshLink> {
  const link = new SshLink({
    host: '127.0.0.1',
    port: sshd.port,
    username: sshd.user,
    privateKey: sshd.clientKey.privateKey,
    hostKey: parseHostKey(sshd.hostKeyPublic),
    forwards: [{ name: 'postgres', remoteHost: '127.0.0.1', remotePort }],
    keepaliveIntervalMs: 5000,
    keepaliveCountMax: 3,
    connectTimeoutMs: 10_000,
    reconnectInitialMs: 500,
    reconnectMaxMs: 5000,
    log: createLogger({ name: 'link', level: 'warn', destination: createWriteStream(logPath) as never }),
  });
  await link.start();
  await link.waitUntilUp(15_000);
  return link;
}
