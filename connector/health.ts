// What the connector knows about its routes, and how it says so: agent-db's
// health read through the link (AgentDbWatch: so PostgreSQL's own state is
// known, not only the tunnel's); HTTP /livez apart from /readyz (and the
// aliases /healthz and /primary), and /metrics; in the
// house style of VisionSuit's agents: 200 when new connections can be served,
// 503 when not, a JSON body {status, route, activity}; HEAD and OPTIONS without
// a body, for HAProxy-style checks.
import { once } from 'node:events';
import http from 'node:http';
import type { ServingStatus } from '../shared/grpc.js';
import type { Logger } from '../shared/logger.js';
import type { SshLink } from '../shared/ssh-link.js';
import type { AgentDbWatch } from '../shared/agent-db-watch.js';
import type { Registry } from 'prom-client';
import { answerMetrics } from '../shared/metrics.js';
import type { Activity, Connector, Route } from './connector.js';

export type HealthStatus = 'ok' | 'degraded' | 'down';

export interface HealthReport {
  status: HealthStatus;
  route: Route | null;
  /** Where the app connects (host:port). */
  listen: string;
  detail: string;
  link: string;
  agentDb: ServingStatus;
  activity: Activity;
}

/** The connector's health: can a new connection be served now, and how. */
export function healthOf(
  connector: Connector,
  link: SshLink | null,
  agentDb: AgentDbWatch | null,
  draining: boolean,
): HealthReport {
  const base = {
    listen: connector.address,
    link: link?.state ?? 'not paired',
    agentDb: agentDb?.current ?? 'UNKNOWN',
    activity: connector.activity,
  } as const;
  if (draining) return { status: 'down', route: null, detail: 'shutting down', ...base };
  const route = connector.currentRoute();
  if (route === 'ssh') {
    if (base.agentDb === 'SERVING')
      return { status: 'ok', route, detail: 'SSH link up; PostgreSQL serving (agent-db)', ...base };
    if (base.agentDb === 'NOT_SERVING')
      return { status: 'down', route, detail: 'SSH link up, but agent-db reports PostgreSQL NOT_SERVING', ...base };
    return {
      status: 'degraded',
      route,
      detail: "SSH link up; agent-db does not answer, so PostgreSQL's state is unknown",
      ...base,
    };
  }
  // The link up but no SSH route: OpenSSH's master connection, which carries the bytes, is down.
  const ssh = link?.state === 'up' ? "SSH link up, but OpenSSH's data connection is down" : `SSH link ${base.link}`;
  if (route === 'tls')
    return { status: 'degraded', route, detail: `${ssh}; new connections go direct over TLS`, ...base };
  return {
    status: 'down',
    route: null,
    detail: link ? `${ssh}; no fallback route answers` : 'not paired: no pairing file',
    ...base,
  };
}

/** The paths that answer "can a new connection be served now": 200 or 503. */
const READINESS = new Set(['/readyz', '/healthz', '/primary']);

/**
 * HTTP on 127.0.0.1: /readyz (and its aliases /healthz, /primary) 200 when a
 * new connection can be served, 503 when not, for load balancers; /livez 200
 * whenever the process answers at all (its event loop runs), for a process
 * monitor that restarts on failure; /metrics, Prometheus text.
 */
export async function serveHealthHttp(
  port: number,
  report: () => HealthReport,
  log: Logger,
  metrics?: Registry,
): Promise<{ server: http.Server; port: number }> {
  const started = Date.now();
  const server = http.createServer((req, res) => {
    // One answer per connection: a monitor reusing an idle keep-alive
    // connection just as it times out would see a failed check.
    res.setHeader('connection', 'close');
    const path = (req.url ?? '/').split('?')[0]!;
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'OPTIONS') {
      res.writeHead(405, { allow: 'GET, HEAD, OPTIONS', 'content-length': '0' }).end();
      return;
    }
    if (path === '/metrics' && metrics) {
      answerMetrics(metrics, res, head, log);
      return;
    }
    let code: number;
    let body: string;
    if (path === '/livez') {
      code = 200;
      body = JSON.stringify({ status: 'alive', uptimeSeconds: Math.round((Date.now() - started) / 1000) });
    } else if (READINESS.has(path)) {
      const r = report();
      code = r.status === 'down' ? 503 : 200;
      body = JSON.stringify(r);
    } else {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(head ? undefined : JSON.stringify({ error: 'not found; try /readyz, /livez or /metrics' }));
      return;
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(code, { allow: 'GET, HEAD, OPTIONS', 'content-length': '0' }).end();
      return;
    }
    res.writeHead(code, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
    });
    res.end(head ? undefined : body);
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const bound = (server.address() as { port: number }).port;
  log.info({ port: bound }, 'HTTP health listening');
  return { server, port: bound };
}
