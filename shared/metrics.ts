// Prometheus metrics (prom-client): each program keeps its own registry, with
// Node's process metrics, and gauges and counters read from the program's own
// state at scrape time. Names follow Prometheus conventions:
// vsmigrate_<program>_<what>[_<unit>][_total]. docs/metrics.md lists them all,
// and a test keeps that list in step with the registries.
import http from 'node:http';
import { once } from 'node:events';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Logger } from './logger.js';

/** A registry with Node's process metrics. */
export function newRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * A counter that follows a running total kept elsewhere (bytes carried,
 * connections accepted): at each scrape it grows by what the total grew.
 */
export function followingCounter<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  read: () => Array<{ labels: Partial<Record<L, string>>; total: number }>,
  labelNames: L[] = [],
): Counter<L> {
  const seen = new Map<string, number>();
  return new Counter<L>({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      for (const { labels, total } of read()) {
        const key = JSON.stringify(labels);
        const grown = total - (seen.get(key) ?? 0);
        if (grown > 0) this.inc(labels, grown);
        seen.set(key, total);
      }
    },
  });
}

/** A gauge read at each scrape. */
export function readGauge<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  read: () => Array<{ labels: Partial<Record<L, string>>; value: number }>,
  labelNames: L[] = [],
): Gauge<L> {
  return new Gauge<L>({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const { labels, value } of read()) this.set(labels, value);
    },
  });
}

/**
 * Answer GET (or HEAD) /metrics, for an HTTP server that already has one; a
 * collection that fails is logged and answered 500, never left hanging.
 */
export function answerMetrics(registry: Registry, res: http.ServerResponse, head: boolean, log: Logger): void {
  registry.metrics().then(
    (body) => {
      res.writeHead(200, {
        'content-type': registry.contentType,
        'content-length': Buffer.byteLength(body),
        'cache-control': 'no-store',
      });
      res.end(head ? undefined : body);
    },
    (err: unknown) => {
      log.warn({ errMessage: (err as Error).message }, 'metrics could not be collected');
      if (!res.headersSent) res.writeHead(500, { 'content-length': '0' });
      res.end();
    },
  );
}

/** A loopback HTTP server that answers GET /metrics only (agent-app's and agent-db's). */
export async function serveMetrics(
  port: number,
  registry: Registry,
  log: Logger,
): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) => {
    res.setHeader('connection', 'close');
    if ((req.url ?? '/').split('?')[0] !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-length': '0' }).end();
      return;
    }
    answerMetrics(registry, res, req.method === 'HEAD', log);
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const bound = (server.address() as { port: number }).port;
  log.info({ port: bound }, 'metrics listening');
  return { server, port: bound };
}
