// The external connector's share of `npm run bench`: pgbench -S (select-only,
// 8 clients, 30 s) through the connector against the same run straight to
// PostgreSQL on loopback, and a COPY of ~600 MB in and out both ways. The
// connector runs as its own process over a real sshd, as in production.
import { spawn } from 'node:child_process';
import { createWriteStream, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { PgCluster } from '../test/harness/postgres.js';
import { Sshd } from '../test/harness/sshd.js';
import { mustRun } from './spawn.js';
import { bundleFields, startAgentDb, startConnector, writeBundle } from '../test/harness/agents.js';
import { canConnect, freePort, tempDir } from '../test/harness/system.js';
import { pollUntil } from '../test/harness/proc.js';

const say = (s: string) => process.stderr.write(s + '\n');
const SECONDS = Number(process.env['VSMIGRATE_BENCH_PGBENCH_SECONDS'] ?? 30);

export interface ConnectorBench {
  tpsDirect: number;
  tpsConnector: number;
  /** The same through OpenSSH's own `ssh -L` to the same sshd: what any SSH route costs here. */
  tpsOpensshForward: number;
  copyMB: number;
  copyIn: { direct: number; connector: number };
  copyOut: { direct: number; connector: number };
}

/** A ~600 MB COPY text file of (id, text, timestamp) rows, written once per run. */
async function copyFile(path: string): Promise<number> {
  const out = createWriteStream(path);
  const pad = 'x'.repeat(200);
  for (let i = 1; i <= 2_600_000; i += 10_000) {
    const parts: string[] = [];
    for (let k = i; k < i + 10_000; k++)
      parts.push(
        `${k}\t${pad}${k}\t2024-01-01 00:00:${String(k % 60).padStart(2, '0')}.${String(k % 1000).padStart(3, '0')}\n`,
      );
    if (!out.write(parts.join(''))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return statSync(path).size / 1048576;
}

/** Run fn against a local port that OpenSSH's client forwards to PostgreSQL through sshd. */
async function withOpensshForward<T>(
  dir: string,
  sshd: Sshd,
  pgPort: number,
  fn: (port: number) => Promise<T>,
): Promise<T> {
  writeFileSync(join(dir, 'openssh.key'), sshd.clientKey.privateKey, { mode: 0o600 });
  writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${sshd.port} ${sshd.hostKeyPublic}\n`);
  const port = await freePort();
  const ssh = spawn(
    'ssh',
    [
      '-N',
      '-o',
      `UserKnownHostsFile=${join(dir, 'known_hosts')}`,
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'ExitOnForwardFailure=yes',
      '-i',
      join(dir, 'openssh.key'),
      '-p',
      String(sshd.port),
      '-L',
      `127.0.0.1:${port}:127.0.0.1:${pgPort}`,
      `${sshd.user}@127.0.0.1`,
    ],
    { stdio: 'ignore' },
  );
  try {
    await pollUntil('ssh -L to listen', () => canConnect(port));
    return await fn(port);
  } finally {
    ssh.kill();
  }
}

export async function benchConnector(): Promise<ConnectorBench> {
  const dir = tempDir('bench-connector');
  const pg = await PgCluster.create('bench-connector', { max_connections: '50' });
  const agentDb = await startAgentDb(dir, pg);
  const sshd = await Sshd.create('bench-connector', [agentDb.port, pg.port]);
  const bundle = writeBundle(join(dir, 'pairing.conf'), bundleFields({ sshd, pg, agentDb }));
  const connector = await startConnector(dir, bundle);
  try {
    const env = (port: number) => ({
      ...process.env,
      PGHOST: '127.0.0.1',
      PGPORT: String(port),
      PGUSER: pg.superuser,
      PGPASSWORD: pg.password,
      PGDATABASE: 'postgres',
    });
    await mustRun('pgbench', ['-i', '-q', '-s', '10'], env(pg.port));
    const tps = async (port: number) => {
      const out = await mustRun('pgbench', ['-n', '-S', '-c', '8', '-j', '2', '-T', String(SECONDS)], env(port));
      return Number(/tps = ([\d.]+)/.exec(out)?.[1] ?? NaN);
    };
    say(`pgbench -S, 8 clients, ${SECONDS} s: direct ...`);
    const tpsDirect = await tps(pg.port);
    say(`  ${tpsDirect.toFixed(0)} tps; through the connector ...`);
    const tpsConnector = await tps(connector.port);
    say(`  ${tpsConnector.toFixed(0)} tps; through OpenSSH's ssh -L to the same sshd, for reference ...`);
    const tpsOpensshForward = await withOpensshForward(dir, sshd, pg.port, tps);
    say(`  ${tpsOpensshForward.toFixed(0)} tps`);

    const file = join(dir, 'copy.txt');
    const copyMB = await copyFile(file);
    await mustRun(
      'psql',
      ['-X', '-q', '-c', 'CREATE TABLE copybench (id bigint, body text, at timestamp(3))'],
      env(pg.port),
    );
    const timed = async (port: number, command: string) => {
      const t0 = Date.now();
      await mustRun('psql', ['-X', '-q', '-c', command], env(port));
      return (Date.now() - t0) / 1000;
    };
    const copyIn = { direct: 0, connector: 0 };
    const copyOut = { direct: 0, connector: 0 };
    for (const [name, port] of [
      ['direct', pg.port],
      ['connector', connector.port],
    ] as const) {
      await mustRun('psql', ['-X', '-q', '-c', 'TRUNCATE copybench'], env(pg.port));
      copyIn[name] = await timed(port, `\\copy copybench FROM '${file}'`);
      copyOut[name] = await timed(port, `\\copy copybench TO '/dev/null'`);
      say(`COPY ${copyMB.toFixed(0)} MB ${name}: in ${copyIn[name].toFixed(1)} s, out ${copyOut[name].toFixed(1)} s`);
    }
    return { tpsDirect, tpsConnector, tpsOpensshForward, copyMB, copyIn, copyOut };
  } finally {
    await connector.proc.stop();
    await sshd.stop();
    await agentDb.proc.stop();
    await pg.stop();
    for (const d of [dir, pg.dir, sshd.dir]) rmSync(d, { recursive: true, force: true });
  }
}
