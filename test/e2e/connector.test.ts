// The external connector as a real process between real clients (pg, psql) and
// a real PostgreSQL, over a real sshd, with agent-db's health read through the
// link: data equal to a direct connection's, health that follows sshd and
// PostgreSQL, the connection limit, the TLS fallback route, and the drain.
import test from 'ava';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import net from 'node:net';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { Sshd } from '../harness/sshd.js';
import { checkHealth } from '../../shared/grpc.js';
import type { PgCluster } from '../harness/postgres.js';
import {
  BIN,
  bundleFields,
  cleanEnv,
  runProgram,
  startAgentApp,
  startAgentDb,
  startConnector,
  writeBundle,
} from '../harness/agents.js';
import type { ConnectorHandle } from '../harness/agents.js';
import { pollUntil } from '../harness/proc.js';
import { tempDir } from '../harness/system.js';
import { startCluster, trackWith } from '../harness/stage.js';

const tracker = trackWith(test);
const execFileAsync = promisify(execFile);

interface Stage {
  dir: string;
  pg: PgCluster;
  sshd: Sshd;
  bundle: string;
  connector: ConnectorHandle;
}

async function stage(
  label: string,
  options: {
    settings?: Record<string, string>;
    prepare?: (c: PgCluster) => void;
    connector?: Record<string, unknown>;
  } = {},
): Promise<Stage> {
  const dir = tempDir(label);
  const pgc = await startCluster(label, tracker, options.settings, options.prepare);
  const agentDb = await startAgentDb(dir, pgc);
  tracker.addProcess(agentDb.proc);
  const sshd = await Sshd.create(label, [agentDb.port, pgc.port]);
  tracker.add(
    'sshd',
    () => sshd.proc,
    () => sshd.stop(),
  );
  const bundle = writeBundle(join(dir, 'pairing.conf'), bundleFields({ sshd, pg: pgc, agentDb }));
  const connector = await startConnector(dir, bundle, options.connector);
  tracker.addProcess(connector.proc);
  await waitHealth(connector, (h) => h.code === 200 && h.body.status === 'ok');
  return { dir, pg: pgc, sshd, bundle, connector };
}

interface Health {
  code: number;
  body: {
    status: string;
    route: string | null;
    detail: string;
    link: string;
    agentDb: string;
    activity: Record<string, unknown>;
  };
}

async function health(c: ConnectorHandle, path = '/healthz'): Promise<Health> {
  const res = await fetch(`http://127.0.0.1:${c.httpPort}${path}`);
  return { code: res.status, body: (await res.json()) as Health['body'] };
}

/** One sample of a Prometheus metric from the connector's /metrics; labels as `direction="to_server"`. */
async function metric(c: ConnectorHandle, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${c.httpPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(labels ? `${name}{${labels}} ` : `${name} `));
  if (!line) throw new Error(`no ${name}{${labels}} in /metrics`);
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}

function waitHealth(c: ConnectorHandle, ok: (h: Health) => boolean, timeoutMs = 15_000): Promise<Health> {
  let last: Health | null = null;
  return pollUntil(
    `connector health (last: ${JSON.stringify(last)})`,
    async () => {
      last = await health(c);
      return ok(last) ? last : false;
    },
    timeoutMs,
  );
}

const client = (s: Stage, port = s.connector.port) =>
  new pg.Client({
    host: '127.0.0.1',
    port,
    user: s.pg.superuser,
    password: s.pg.password,
    database: 'postgres',
    connectionTimeoutMillis: 20_000,
  });

async function withClient<T>(s: Stage, port: number, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = client(s, port);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** About `mb` MB of COPY text: ids, a random-ish payload, a timestamp. */
function copyRows(mb: number): Readable {
  const line = (i: number) =>
    `${i}\t${createHash('sha512').update(String(i)).digest('hex').repeat(3)}\t2024-01-0${(i % 9) + 1} 12:00:00.${String(i % 1000).padStart(3, '0')}\n`;
  const rows = Math.ceil((mb * 1048576) / line(1).length);
  let i = 0;
  return new Readable({
    read() {
      const parts: string[] = [];
      for (let k = 0; k < 2000 && i < rows; k++) parts.push(line(++i));
      this.push(parts.length ? parts.join('') : null);
    },
  });
}

async function copyOutDigest(c: pg.Client, sql: string): Promise<{ bytes: number; md5: string }> {
  const hash = createHash('md5');
  let bytes = 0;
  const stream = c.query(copyTo(sql));
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    hash.update(chunk);
  }
  return { bytes, md5: hash.digest('hex') };
}

test('pg and psql through the connector: queries and a 100 MB COPY each way equal a direct connection', async (t) => {
  const s = await stage('conn-data');
  // A TCP check that connects and leaves (HAProxy-style) is not a refused connection.
  const probe = net.connect(s.connector.port, '127.0.0.1');
  await once(probe, 'connect');
  probe.end();
  await once(probe, 'close');
  const sql = `SELECT n, md5(n::text) AS h, now()::date AS d, repeat('é', n % 50) AS u FROM generate_series(1, 2000) n`;
  const via = await withClient(s, s.connector.port, (c) => c.query(sql));
  const direct = await withClient(s, s.pg.port, (c) => c.query(sql));
  t.deepEqual(via.rows, direct.rows);

  await withClient(s, s.connector.port, async (c) => {
    await c.query('CREATE TABLE big (id bigint PRIMARY KEY, payload text NOT NULL, at timestamp(3) NOT NULL)');
    await pipeline(copyRows(100), c.query(copyFrom('COPY big FROM STDIN')));
  });
  const out = 'COPY (SELECT * FROM big ORDER BY id) TO STDOUT';
  // /metrics scraped around the COPY out: the bytes to the client grow by its size, framing aside,
  // and the connection counters by the one connection this test opened.
  const before = {
    toClient: await metric(s.connector, 'vsmigrate_connector_bytes_total', 'direction="to_client"'),
    total: await metric(s.connector, 'vsmigrate_connector_connections_total'),
    refused: await metric(s.connector, 'vsmigrate_connector_connections_refused_total'),
  };
  const viaOut = await withClient(s, s.connector.port, (c) => copyOutDigest(c, out));
  const grown =
    (await metric(s.connector, 'vsmigrate_connector_bytes_total', 'direction="to_client"')) - before.toClient;
  t.is((await metric(s.connector, 'vsmigrate_connector_connections_total')) - before.total, 1);
  t.is((await metric(s.connector, 'vsmigrate_connector_connections_refused_total')) - before.refused, 0);
  t.is(await metric(s.connector, 'vsmigrate_connector_connections_open'), 0);
  const directOut = await withClient(s, s.pg.port, (c) => copyOutDigest(c, out));
  t.true(directOut.bytes > 100 * 1048576, `${directOut.bytes} bytes`);
  t.deepEqual(viaOut, directOut);
  // CopyData framing is 5 bytes a row; the rest of the session (startup, auth, the query) a few KB.
  t.true(
    grown >= directOut.bytes && grown <= directOut.bytes * 1.05,
    `to_client grew ${grown}, the COPY was ${directOut.bytes}`,
  );
  t.true(
    (await metric(s.connector, 'vsmigrate_connector_bytes_total', 'direction="to_server"')) > 100 * 1048576,
    'the COPY in counted',
  );

  const psql = await execFileAsync(
    'psql',
    [
      '-X',
      '-At',
      '-h',
      '127.0.0.1',
      '-p',
      String(s.connector.port),
      '-U',
      s.pg.superuser,
      '-d',
      'postgres',
      '-c',
      'SELECT count(*), sum(id) FROM big',
    ],
    {
      env: cleanEnv({ PGPASSWORD: s.pg.password }),
    },
  );
  const [count] = await withClient(s, s.pg.port, (c) =>
    c.query<{ n: string; s: string }>('SELECT count(*)::text AS n, sum(id)::text AS s FROM big'),
  ).then((r) => r.rows);
  t.is(psql.stdout.trim(), `${count!.n}|${count!.s}`);

  const h = await health(s.connector);
  t.is(h.body.route, 'ssh');
  t.true(Number(h.body.activity['bytesToServer']) > 100 * 1048576);
  t.true(Number(h.body.activity['bytesToClient']) > 100 * 1048576);
  t.like(h.body.activity, { refusedConnections: 0, lastError: null });

  // vsctl status shows the connector's route and activity, read by agent-app.
  const app = await startAgentApp(s.dir, s.bundle, {
    config: { connectorHealthUrl: `http://127.0.0.1:${s.connector.httpPort}/healthz` },
  });
  tracker.addProcess(app.proc);
  const st = await runProgram(BIN.vsctl, ['status', '--json', `--socket-path=${app.socketPath}`]);
  const connector = (JSON.parse(st.stdout) as { connector: Record<string, unknown> }).connector;
  t.like(connector, {
    configured: true,
    status: 'ok',
    route: 'ssh',
    listen: `127.0.0.1:${s.connector.port}`,
    openConnections: 0,
  });
  t.true(Number(connector['bytesToServer']) > 100 * 1048576);
  const table = await runProgram(BIN.vsctl, ['status', `--socket-path=${app.socketPath}`]);
  t.regex(table.stdout, /connector\s+ok\s+route ssh, listen 127\.0\.0\.1:\d+, 0 open/);
});

test('sshDataPath "ssh2": the in-process link\'s channels carry the bytes instead of OpenSSH, with the same results', async (t) => {
  const s = await stage('conn-ssh2', { connector: { sshDataPath: 'ssh2' } });
  const sql = `SELECT n, md5(n::text) AS h FROM generate_series(1, 5000) n`;
  const via = await withClient(s, s.connector.port, (c) => c.query(sql));
  const direct = await withClient(s, s.pg.port, (c) => c.query(sql));
  t.deepEqual(via.rows, direct.rows);
  t.false(
    execFileSync('ps', ['-eo', 'args'])
      .toString()
      .includes(join(s.dir, 'ssh', 'ctl')),
    'no OpenSSH master runs for it',
  );
});

test('sshd restarted: /healthz and /readyz turn 503 while /livez stays 200, and back; new connections work again without restarting the connector', async (t) => {
  const s = await stage('conn-sshd');
  await s.sshd.kill();
  const down = await waitHealth(s.connector, (h) => h.code === 503, 5_000);
  t.is(down.body.status, 'down');
  t.is(down.body.route, null);
  t.is(await checkHealth(`127.0.0.1:${s.connector.grpcPort}`, { deadlineMs: 10_000 }), 'NOT_SERVING');
  // A connection while no route exists is refused at once, with a reason.
  const err = await withClient(s, s.connector.port, (c) => c.query('SELECT 1')).catch(
    (e: Error & { code?: string }) => e,
  );
  t.true(err instanceof Error);
  t.is((err as { code?: string }).code, '08006');
  t.regex((err as Error).message, /no route to PostgreSQL/);
  const head = await fetch(`http://127.0.0.1:${s.connector.httpPort}/primary`, { method: 'HEAD' });
  t.is(head.status, 503);
  t.is(await head.text(), '');

  // The process is alive, only unable to serve: a process monitor must not restart it.
  const live = await fetch(`http://127.0.0.1:${s.connector.httpPort}/livez`);
  t.is(live.status, 200);
  t.is(((await live.json()) as { status: string }).status, 'alive');
  t.is((await health(s.connector, '/readyz')).code, 503);
  t.is(await metric(s.connector, 'vsmigrate_connector_link_up'), 0);
  t.is(await metric(s.connector, 'vsmigrate_connector_route', 'route="ssh"'), 0);

  await s.sshd.start();
  const up = await waitHealth(s.connector, (h) => h.code === 200 && h.body.status === 'ok');
  t.is((await health(s.connector, '/readyz')).code, 200);
  t.is(await metric(s.connector, 'vsmigrate_connector_link_up'), 1);
  t.is(await metric(s.connector, 'vsmigrate_connector_route', 'route="ssh"'), 1);
  t.true((await metric(s.connector, 'vsmigrate_connector_route_changes_total')) >= 2, 'ssh → none → ssh');
  t.is(up.body.route, 'ssh');
  t.is(await checkHealth(`127.0.0.1:${s.connector.grpcPort}`, { deadlineMs: 10_000 }), 'SERVING');
  const r = await withClient(s, s.connector.port, (c) => c.query<{ one: number }>('SELECT 1 AS one'));
  t.is(r.rows[0]!.one, 1);
  t.true(s.connector.proc.running);
});

test("PostgreSQL stopped while the link stays up: health follows agent-db's NOT_SERVING, and recovers", async (t) => {
  const s = await stage('conn-pgdown');
  await s.pg.stop();
  const down = await waitHealth(s.connector, (h) => h.code === 503);
  t.is(down.body.agentDb, 'NOT_SERVING');
  t.is(down.body.link, 'up');
  t.regex(down.body.detail, /NOT_SERVING/);
  await s.pg.start();
  const up = await waitHealth(s.connector, (h) => h.code === 200);
  t.is(up.body.agentDb, 'SERVING');
  const opts = await fetch(`http://127.0.0.1:${s.connector.httpPort}/healthz`, { method: 'OPTIONS' });
  t.is(opts.status, 200);
  t.is(await opts.text(), '');
});

test('200 connections at once, then one over the limit: refused with SQLSTATE 53300, the others unaffected', async (t) => {
  const s = await stage('conn-limit', { settings: { max_connections: '240' }, connector: { maxConnections: 200 } });
  const clients = Array.from({ length: 200 }, () => client(s));
  try {
    await Promise.all(clients.map((c) => c.connect()));
    const h = await health(s.connector);
    t.is(h.body.activity['openConnections'], 200);
    const extra = await withClient(s, s.connector.port, (c) => c.query('SELECT 1')).catch((e: Error) => e);
    t.true(extra instanceof Error);
    t.is((extra as { code?: string }).code, '53300');
    t.regex((extra as Error).message, /too many connections.*limit is 200/);
    const answers = await Promise.all(clients.map((c, i) => c.query<{ n: number }>('SELECT $1::int AS n', [i])));
    t.deepEqual(
      answers.map((a) => a.rows[0]!.n),
      clients.map((_, i) => i),
    );
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
  }
});

/** A CA and a server certificate for `localhost` signed by it, in PEM files under dir. */
function makeCa(dir: string, name: string): { ca: string; cert: Buffer; key: Buffer } {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: d, stdio: 'pipe' });
  run([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    `/CN=${name} test CA`,
  ]);
  run([
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=localhost',
  ]);
  execFileSync(
    'sh',
    [
      '-c',
      `printf 'subjectAltName=DNS:localhost\\n' > ext && openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile ext`,
    ],
    { cwd: d, stdio: 'pipe' },
  );
  return { ca: join(d, 'ca.crt'), cert: readFileSync(join(d, 'server.crt')), key: readFileSync(join(d, 'server.key')) };
}

test('TLS fallback: while SSH is down new connections go direct and health says degraded; a certificate from another CA is refused', async (t) => {
  const dir = tempDir('conn-tls-ca');
  const good = makeCa(dir, 'good');
  const other = makeCa(dir, 'other');
  const s = await stage('conn-tls', {
    settings: { ssl: 'on', ssl_cert_file: 'server.crt', ssl_key_file: 'server.key' },
    prepare: (c) => {
      // Relative names are read from the data directory.
      c.ownedFile('data/server.crt', good.cert, 0o644);
      c.ownedFile('data/server.key', good.key, 0o600);
    },
  });
  // The stage's connector has no fallback; two more are configured with one each.
  const trusting = await startConnector(join(s.dir, 'trusting'), s.bundle, {
    tlsFallback: { host: 'localhost', port: s.pg.port, caFile: good.ca },
  });
  tracker.addProcess(trusting.proc);
  const wrongCa = await startConnector(join(s.dir, 'wrong-ca'), s.bundle, {
    tlsFallback: { host: 'localhost', port: s.pg.port, caFile: other.ca },
  });
  tracker.addProcess(wrongCa.proc);
  await waitHealth(trusting, (h) => h.body.status === 'ok');
  await waitHealth(wrongCa, (h) => h.body.status === 'ok');

  await s.sshd.kill();
  const degraded = await waitHealth(trusting, (h) => h.body.route === 'tls');
  t.is(degraded.code, 200);
  t.is(degraded.body.status, 'degraded');
  const r = await withClient(s, trusting.port, (c) =>
    c.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()'),
  );
  t.true(r.rows[0]!.ssl, 'the server saw a TLS connection');
  t.is((await health(trusting)).body.activity['lastRoute'], 'tls');

  const refused = await waitHealth(wrongCa, (h) => h.code === 503);
  t.regex(String((refused.body.activity['lastError'] as { message: string }).message), /certificate/i);
  const err = await withClient(s, wrongCa.port, (c) => c.query('SELECT 1')).catch((e: Error) => e);
  t.true(err instanceof Error);

  await s.sshd.start();
  const back = await waitHealth(trusting, (h) => h.body.status === 'ok');
  t.is(back.body.route, 'ssh');
});

test('SIGTERM: new connections are refused, open ones finish within the budget, then it exits 0', async (t) => {
  const s = await stage('conn-drain', { connector: { drainTimeoutMs: 20_000 } });
  const open = client(s);
  await open.connect();
  await open.query('BEGIN');
  s.connector.proc.signal('SIGTERM');
  await waitHealth(s.connector, (h) => h.code === 503 && h.body.detail === 'shutting down');
  const late = await withClient(s, s.connector.port, (c) => c.query('SELECT 1')).catch((e: Error) => e);
  t.true(late instanceof Error);
  const r = await open.query<{ n: number }>('SELECT 41 + 1 AS n');
  t.is(r.rows[0]!.n, 42);
  await open.query('COMMIT');
  await open.end();
  const exit = await s.connector.proc.waitForExit(10_000);
  t.is(exit.code, 0);
});
