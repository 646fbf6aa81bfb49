// The external connector's share of `npm run bench`, against OpenSSH's own
// `ssh -L` to the same sshd, side by side in rounds (median of 3): pgbench -S
// with 8 clients (throughput) and 1 client (latency), and a COPY of ~600 MB in
// and out. The connector runs as its own process over a real sshd.
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
const SECONDS = Number(process.env['VSMIGRATE_BENCH_PGBENCH_SECONDS'] ?? 10);
const ROUNDS = Number(process.env['VSMIGRATE_BENCH_ROUNDS'] ?? 3);

/** One route's figures in one round. */
export interface RouteRun {
  tps8: number;
  latency1Ms: number;
  copyInS: number;
  copyOutS: number;
}

export interface ConnectorBench {
  /** pgbench -S, 8 clients, straight to PostgreSQL: the ceiling on loopback. */
  tpsDirect: number;
  /** Each round runs the connector and `ssh -L` one after the other. */
  rounds: Array<{ connector: RouteRun; opensshForward: RouteRun }>;
  copyMB: number;
  /** The cipher, MAC and key exchange both routes negotiated (both are OpenSSH's client, defaults). */
  algorithms: string;
  ratios: { tps: number; latency: number; copyIn: number; copyOut: number };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

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

/** What OpenSSH's client negotiates with the sshd: kex, cipher and MAC, from its verbose log. */
async function negotiated(dir: string, sshd: Sshd): Promise<string> {
  const ssh = spawn(
    'ssh',
    [
      '-v',
      '-N',
      '-F',
      '/dev/null',
      '-o',
      `UserKnownHostsFile=${join(dir, 'known_hosts')}`,
      '-o',
      'StrictHostKeyChecking=yes',
      '-i',
      join(dir, 'openssh.key'),
      '-p',
      String(sshd.port),
      `${sshd.user}@127.0.0.1`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  ssh.stderr.on('data', (d: Buffer) => (log += d.toString()));
  await new Promise((r) => setTimeout(r, 3_000));
  ssh.kill();
  const kex = /kex: algorithm: (\S+)/.exec(log)?.[1] ?? '?';
  const cipher = /kex: client->server cipher: (\S+) MAC: (\S+)/.exec(log);
  return `kex ${kex}, cipher ${cipher?.[1] ?? '?'}, MAC ${cipher?.[2] ?? '?'}`;
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
    const pgbench = async (port: number, clients: number) => {
      const out = await mustRun(
        'pgbench',
        ['-n', '-S', '-c', String(clients), '-j', String(Math.min(clients, 2)), '-T', String(SECONDS)],
        env(port),
      );
      return {
        tps: Number(/tps = ([\d.]+)/.exec(out)?.[1] ?? NaN),
        latencyMs: Number(/latency average = ([\d.]+) ms/.exec(out)?.[1] ?? NaN),
      };
    };
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
    const route = async (name: string, port: number): Promise<RouteRun> => {
      const tps8 = (await pgbench(port, 8)).tps;
      const latency1Ms = (await pgbench(port, 1)).latencyMs;
      await mustRun('psql', ['-X', '-q', '-c', 'TRUNCATE copybench'], env(pg.port));
      const copyInS = await timed(port, `\\copy copybench FROM '${file}'`);
      const copyOutS = await timed(port, `\\copy copybench TO '/dev/null'`);
      say(
        `  ${name}: ${tps8.toFixed(0)} tps (8 clients), ${latency1Ms.toFixed(3)} ms (1 client), COPY ${copyMB.toFixed(0)} MB in ${copyInS.toFixed(1)} s, out ${copyOutS.toFixed(1)} s`,
      );
      return { tps8, latency1Ms, copyInS, copyOutS };
    };

    say(`pgbench -S, 8 clients, ${SECONDS} s: direct ...`);
    const tpsDirect = (await pgbench(pg.port, 8)).tps;
    say(`  ${tpsDirect.toFixed(0)} tps`);
    const rounds: ConnectorBench['rounds'] = [];
    const algorithms = await withOpensshForward(dir, sshd, pg.port, async (sshPort) => {
      for (let i = 1; i <= ROUNDS; i++) {
        // The order alternates, so that neither route always runs on a cooler or warmer machine.
        const first = i % 2 === 1 ? 'connector' : 'ssh -L';
        say(`round ${i} of ${ROUNDS}: ${first} first; each: pgbench 8 clients, 1 client, COPY in and out`);
        const run = {} as { connector: RouteRun; opensshForward: RouteRun };
        for (const name of first === 'connector' ? ['connector', 'ssh -L'] : ['ssh -L', 'connector'])
          if (name === 'connector') run.connector = await route(name, connector.port);
          else run.opensshForward = await route(name, sshPort);
        rounds.push(run);
      }
      return negotiated(dir, sshd);
    });
    const ratio = (f: (r: RouteRun) => number, inverse = false) =>
      median(
        rounds.map((r) => (inverse ? f(r.opensshForward) / f(r.connector) : f(r.connector) / f(r.opensshForward))),
      );
    return {
      tpsDirect,
      rounds,
      copyMB,
      algorithms,
      ratios: {
        tps: ratio((r) => r.tps8),
        latency: ratio((r) => r.latency1Ms),
        // Throughput ratios: time of ssh -L over time of the connector.
        copyIn: ratio((r) => r.copyInS, true),
        copyOut: ratio((r) => r.copyOutS, true),
      },
    };
  } finally {
    await connector.proc.stop();
    await sshd.stop();
    await agentDb.proc.stop();
    await pg.stop();
    for (const d of [dir, pg.dir, sshd.dir]) rmSync(d, { recursive: true, force: true });
  }
}
