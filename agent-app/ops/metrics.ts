// agent-app's metrics: the SSH link, the operation running and its step, rows
// and bytes the copies moved, and each kind of operation's last result and
// duration. Served on a loopback port of its own when `metricsPort` is set.
import type { Registry } from 'prom-client';
import { followingCounter, newRegistry, readGauge } from '../../shared/metrics.js';
import type { Operations } from './operations.js';

/** What the metrics read: the link's state, and the operations (running, their events, the finished ones). */
export interface AppMetricSources {
  paired: { readonly link: { readonly state: string } | null };
  operations: Pick<Operations, 'running' | 'onEvent' | 'list'>;
}

export function appMetrics({ paired, operations }: AppMetricSources): Registry {
  const registry = newRegistry();
  const p = 'vsmigrate_app_';
  readGauge(registry, `${p}link_up`, 'the SSH link to the PostgreSQL host is up (1) or not (0)', () => [
    { labels: {}, value: paired.link?.state === 'up' ? 1 : 0 },
  ]);
  readGauge(
    registry,
    `${p}operation_running`,
    'the operation running now (1), by kind and the step it is at; no sample when none runs',
    () => {
      const op = operations.running;
      return op ? [{ labels: { kind: op.kind ?? '', step: op.step ?? '' }, value: 1 }] : [];
    },
    ['kind', 'step'],
  );
  // Each table's progress arrives as running totals per operation; the counters grow by the differences.
  const copied = { rows: 0, bytes: 0 };
  const seen = new Map<string, { rows: number; bytes: number }>();
  operations.onEvent((id, e) => {
    if (!e.table) return;
    const key = `${id}:${e.table.table}`;
    const before = seen.get(key) ?? { rows: 0, bytes: 0 };
    const now = { rows: Number(e.table.rowsDone), bytes: Number(e.table.bytesDone) };
    copied.rows += Math.max(0, now.rows - before.rows);
    copied.bytes += Math.max(0, now.bytes - before.bytes);
    seen.set(key, now);
  });
  followingCounter(registry, `${p}copied_rows_total`, 'rows the copies of migrations and rehearsals moved', () => [
    { labels: {}, total: copied.rows },
  ]);
  followingCounter(
    registry,
    `${p}copied_bytes_total`,
    'bytes (COPY data) the copies of migrations and rehearsals moved',
    () => [{ labels: {}, total: copied.bytes }],
  );
  const lastRuns = () => {
    const last = new Map<string, { state: string; seconds: number }>();
    for (const op of operations.list(200)) {
      if (!op.kind || op.state === 'running' || last.has(op.kind) || !op.startedAt || !op.finishedAt) continue;
      last.set(op.kind, {
        state: op.state ?? '',
        seconds: (Date.parse(op.finishedAt) - Date.parse(op.startedAt)) / 1000,
      });
    }
    return [...last.entries()];
  };
  readGauge(
    registry,
    `${p}last_run_success`,
    'whether the last finished operation of each kind succeeded (1) or not (0)',
    () => lastRuns().map(([kind, r]) => ({ labels: { kind }, value: r.state === 'succeeded' ? 1 : 0 })),
    ['kind'],
  );
  readGauge(
    registry,
    `${p}last_run_duration_seconds`,
    'how long the last finished operation of each kind took',
    () => lastRuns().map(([kind, r]) => ({ labels: { kind }, value: r.seconds })),
    ['kind'],
  );
  return registry;
}
