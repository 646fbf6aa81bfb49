// The connector's metrics: connections open, accepted and refused, bytes each
// way, the route a new connection takes and how often it changed, the SSH
// link and agent-db's view of PostgreSQL.
import type { Registry } from 'prom-client';
import { Counter } from 'prom-client';
import { followingCounter, newRegistry, readGauge } from '../shared/metrics.js';
import type { HealthReport } from './health.js';

export interface ConnectorMetrics {
  registry: Registry;
  /** Note the health report of now: counts a change of route. */
  observe(report: HealthReport): void;
}

export function connectorMetrics(report: () => HealthReport): ConnectorMetrics {
  const registry = newRegistry();
  const p = 'vsmigrate_connector_';
  readGauge(registry, `${p}connections_open`, 'client connections open now', () => [
    { labels: {}, value: report().activity.openConnections },
  ]);
  followingCounter(registry, `${p}connections_total`, 'client connections accepted and carried', () => [
    { labels: {}, total: report().activity.totalConnections },
  ]);
  followingCounter(
    registry,
    `${p}connections_refused_total`,
    'client connections refused (no route, over the limit, a route that failed)',
    () => [{ labels: {}, total: report().activity.refusedConnections }],
  );
  followingCounter(
    registry,
    `${p}bytes_total`,
    'bytes carried, by direction: to_server (client to PostgreSQL) and to_client',
    () => {
      const a = report().activity;
      return [
        { labels: { direction: 'to_server' }, total: a.bytesToServer },
        { labels: { direction: 'to_client' }, total: a.bytesToClient },
      ];
    },
    ['direction'],
  );
  readGauge(
    registry,
    `${p}route`,
    'the route a new connection takes now: 1 for it (ssh or tls), 0 for the other; both 0 when none can',
    () => {
      const r = report().route;
      return [
        { labels: { route: 'ssh' }, value: r === 'ssh' ? 1 : 0 },
        { labels: { route: 'tls' }, value: r === 'tls' ? 1 : 0 },
      ];
    },
    ['route'],
  );
  const changes = new Counter({
    name: `${p}route_changes_total`,
    help: 'times the route a new connection takes changed (including to none)',
    registers: [registry],
  });
  readGauge(registry, `${p}link_up`, 'the SSH link to the PostgreSQL host is up (1) or not (0)', () => [
    { labels: {}, value: report().link === 'up' ? 1 : 0 },
  ]);
  readGauge(
    registry,
    `${p}agent_db_serving`,
    "agent-db reports PostgreSQL serving (1) or not (0), through the link's health Watch",
    () => [{ labels: {}, value: report().agentDb === 'SERVING' ? 1 : 0 }],
  );
  let route: HealthReport['route'] | undefined;
  return {
    registry,
    observe(r) {
      if (route !== undefined && r.route !== route) changes.inc();
      route = r.route;
    },
  };
}
