// Facts about the test machine: binaries, users, free ports. With CI set, a
// missing binary fails the run instead of skipping the tests that need it.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, chmodSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PG_BIN = '/usr/lib/postgresql/15/bin';

const REQUIRED: Record<string, string> = {
  initdb: `${PG_BIN}/initdb`,
  postgres: `${PG_BIN}/postgres`,
  sshd: '/usr/sbin/sshd',
  'ssh-keygen': '/usr/bin/ssh-keygen',
  python3: '/usr/bin/python3',
  'systemd-notify': '/usr/bin/systemd-notify',
  'systemd-analyze': '/usr/bin/systemd-analyze',
  openssl: '/usr/bin/openssl',
  psql: '/usr/bin/psql',
  chromium: '/usr/bin/chromium',
};

/** Path of a required binary; undefined when missing and not in CI (the caller skips). */
export function binary(name: keyof typeof REQUIRED | string): string | undefined {
  const path = REQUIRED[name] ?? name;
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    if (process.env['CI']) throw new Error(`required binary ${name} (${path}) is missing; CI must install it`);
    return undefined;
  }
}

export const isRoot = process.getuid?.() === 0;

export function userIds(name: string): { uid: number; gid: number } | null {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: 'pipe' }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: 'pipe' }).trim());
    return { uid, gid };
  } catch {
    return null;
  }
}

/** A system user for tests (created when missing, as root), with no usable password and no shell. */
export function ensureSystemUser(name: string): { uid: number; gid: number } {
  const existing = userIds(name);
  if (existing) return existing;
  execFileSync('useradd', [
    '--system',
    '--shell',
    '/usr/sbin/nologin',
    '--home-dir',
    '/nonexistent',
    '--no-create-home',
    name,
  ]);
  // '*' rather than the default '!': sshd without PAM refuses "locked" accounts.
  execFileSync('usermod', ['-p', '*', name]);
  return userIds(name)!;
}

/**
 * A free loopback port below the kernel's ephemeral range. A port handed out
 * by listen(0) comes from that range, and between our close and the server's
 * bind any outgoing connection on the machine could take it; ports below the
 * range are only ever taken by an explicit bind.
 */
export async function freePort(): Promise<number> {
  const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  const top = Math.min(low ?? 32768, 32768);
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 10_000 + Math.floor(Math.random() * (top - 10_000));
    const server = net.createServer();
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (ok) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      return port;
    }
  }
  throw new Error('no free port below the ephemeral range');
}

const created: string[] = [];

/** A private temporary directory (0700 unless told otherwise). */
export function tempDir(label: string, mode = 0o700): string {
  const dir = mkdtempSync(join(tmpdir(), `vsm-${label.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}-`));
  chmodSync(dir, mode);
  created.push(dir);
  return dir;
}

/** Remove every temporary directory this process made (kept when a test failed, for its logs). */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export async function canConnect(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, host);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
