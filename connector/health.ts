// What the connector knows about its routes, and how it says so: agent-db's
// health read through the link with grpc.health.v1 Watch (so PostgreSQL's own
// state is known, not only the tunnel's), and HTTP /healthz and /primary in the
// house style of VisionSuit's agents: 200 when new connections can be served,
// 503 when not, a JSON body {status, route, activity}; HEAD and OPTIONS without
// a body, for HAProxy-style checks.
import { EventEmitter, once } from 'node:events';
import http from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { loadContract, tokenMetadata } from '../shared/grpc.js';
import type { ServingStatus } from '../shared/grpc.js';
import type { Logger } from '../shared/logger.js';
import type { SshLink } from '../shared/ssh-link.js';
import type { Activity, Connector, Route } from './connector.js';

/** agent-db's health as its Watch stream reports it; UNKNOWN while the stream is broken. */
export class AgentDbWatch extends EventEmitter {
  private status: ServingStatus = 'UNKNOWN';
  private call: grpc.ClientReadableStream<unknown> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly client: InstanceType<ReturnType<typeof loadContract>['health']['grpc']['health']['v1']['Health']>;

  constructor(
    target: string,
    private readonly token: string,
    private readonly retryMs: number,
    private readonly log: Logger,
  ) {
    super();
    const { health } = loadContract();
    this.client = new health.grpc.health.v1.Health(target, grpc.credentials.createInsecure());
  }

  get current(): ServingStatus {
    return this.status;
  }

  start(): void {
    if (this.closed || this.call) return;
    const call = this.client.watch({ service: '' }, tokenMetadata(this.token));
    this.call = call as grpc.ClientReadableStream<unknown>;
    call.on('data', (m: { status?: string }) => this.set((m.status as ServingStatus) ?? 'UNKNOWN'));
    const broken = () => {
      if (this.call !== call) return;
      this.call = null;
      this.set('UNKNOWN');
      if (!this.closed) this.timer = setTimeout(() => this.start(), this.retryMs);
    };
    call.on('error', broken);
    call.on('end', broken);
  }

  /** Re-open the stream now (the link came back). */
  restart(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.call?.cancel();
    this.call = null;
    this.start();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.call?.cancel();
    this.client.close();
  }

  private set(status: ServingStatus): void {
    if (status === this.status) return;
    this.log.info({ agentDbHealth: status, was: this.status }, 'agent-db health changed');
    this.status = status;
    this.emit('health', status);
  }
}

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
export function healthOf(connector: Connector, link: SshLink | null, agentDb: AgentDbWatch | null, draining: boolean): HealthReport {
  const base = { listen: connector.address, link: link?.state ?? 'not paired', agentDb: agentDb?.current ?? 'UNKNOWN', activity: connector.activity } as const;
  if (draining) return { status: 'down', route: null, detail: 'shutting down', ...base };
  const route = connector.currentRoute();
  if (route === 'ssh') {
    if (base.agentDb === 'SERVING') return { status: 'ok', route, detail: 'SSH link up; PostgreSQL serving (agent-db)', ...base };
    if (base.agentDb === 'NOT_SERVING') return { status: 'down', route, detail: 'SSH link up, but agent-db reports PostgreSQL NOT_SERVING', ...base };
    return { status: 'degraded', route, detail: "SSH link up; agent-db does not answer, so PostgreSQL's state is unknown", ...base };
  }
  if (route === 'tls') return { status: 'degraded', route, detail: `SSH link ${base.link}; new connections go direct over TLS`, ...base };
  return { status: 'down', route: null, detail: link ? `SSH link ${base.link}; no fallback route answers` : 'not paired: no pairing file', ...base };
}

/** HTTP health on 127.0.0.1. */
export async function serveHealthHttp(port: number, report: () => HealthReport, log: Logger): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) => {
    // One answer per connection: a monitor reusing an idle keep-alive
    // connection just as it times out would see a failed check.
    res.setHeader('connection', 'close');
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/healthz' && path !== '/primary') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(req.method === 'HEAD' ? undefined : JSON.stringify({ error: 'not found; try /healthz' }));
      return;
    }
    const r = report();
    const code = r.status === 'down' ? 503 : 200;
    if (req.method === 'OPTIONS') {
      res.writeHead(code, { allow: 'GET, HEAD, OPTIONS', 'content-length': '0' }).end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD, OPTIONS', 'content-length': '0' }).end();
      return;
    }
    const body = JSON.stringify(r);
    res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const bound = (server.address() as { port: number }).port;
  log.info({ port: bound }, 'HTTP health listening');
  return { server, port: bound };
}
