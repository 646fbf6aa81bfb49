// agent-db's metrics, read from PostgreSQL at each scrape: whether it answers,
// its client connections, and each database's size. Served on a loopback port
// of its own when `metricsPort` is set.
import type { Registry } from 'prom-client';
import { Gauge } from 'prom-client';
import { newRegistry } from '../shared/metrics.js';
import type { Postgres } from './postgres.js';

export function dbMetrics(pg: Pick<Postgres, 'facts' | 'pool'>): Registry {
  const registry = newRegistry();
  const p = 'vsmigrate_db_';
  // One read per scrape, shared by the three gauges.
  let reading: Promise<{ up: boolean; connections: number; sizes: Array<[string, number]> }> | null = null;
  const read = () =>
    (reading ??= (async () => {
      try {
        const facts = await pg.facts();
        const sizes = await pg.pool.query<{ datname: string; bytes: string }>(
          'SELECT datname, pg_database_size(datname)::text AS bytes FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY 1',
        );
        return {
          up: true,
          connections: facts.connections,
          sizes: sizes.rows.map((r) => [r.datname, Number(r.bytes)] as [string, number]),
        };
      } catch {
        return { up: false, connections: 0, sizes: [] };
      }
    })().finally(() => setImmediate(() => (reading = null))));
  new Gauge({
    name: `${p}postgres_up`,
    help: 'PostgreSQL answers agent-db (1) or not (0)',
    registers: [registry],
    async collect() {
      this.set((await read()).up ? 1 : 0);
    },
  });
  new Gauge({
    name: `${p}connections`,
    help: 'client connections to PostgreSQL now',
    registers: [registry],
    async collect() {
      this.set((await read()).connections);
    },
  });
  new Gauge({
    name: `${p}database_size_bytes`,
    help: "each database's size on disk",
    labelNames: ['database'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [database, bytes] of (await read()).sizes) this.set({ database }, bytes);
    },
  });
  return registry;
}
