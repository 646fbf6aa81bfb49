// docs/configuration.md, docs/errors.md and docs/metrics.md, rendered from the
// code itself (the config schemas, the error registry, the metrics registries)
// so the docs cannot drift from it.
import { status } from '@grpc/grpc-js';
import { configLeaves } from '../shared/config.js';
import { ERROR_CODES } from '../shared/errors.js';
import type { z } from 'zod';
import type { Registry } from 'prom-client';
import { connectorMetrics } from '../connector/metrics.js';
import { appMetrics } from '../agent-app/ops/metrics.js';
import { dbMetrics } from '../agent-db/metrics.js';
import type { HealthReport } from '../connector/health.js';

export function renderErrorsDoc(): string {
  const names = Object.fromEntries(
    Object.entries(status)
      .filter(([, v]) => typeof v === 'number')
      .map(([k, v]) => [v, k]),
  );
  return [
    '# Error codes',
    '',
    'Every error an agent or vsctl reports carries one of these stable codes. vsctl prints',
    '`error CODE: message` and the `next:` line below. Match on the code, never on the message.',
    'Generated from `shared/errors.ts` by `npm run docs`; a test keeps it in step.',
    '',
    '| code | gRPC status | what to do next |',
    '| --- | --- | --- |',
    ...Object.entries(ERROR_CODES).map(
      ([code, spec]) =>
        `| \`${code}\` | ${names[spec.grpc]} | ${spec.hint.replaceAll('{replace}', '--replace-target (vsctl) or --replace (migrate-local)').replace(/\|/g, '\\|')} |`,
    ),
    '',
  ].join('\n');
}

interface Program {
  name: string;
  file: string;
  schema: z.ZodType;
}

function section(p: Program): string {
  const rows = configLeaves(p.schema).map(
    (l) =>
      `| \`${l.path.join('.')}\` | \`${l.env}\` | \`${l.flag}=\` | ${l.default === undefined ? '' : `\`${JSON.stringify(l.default)}\``} | ${l.description} |`,
  );
  return [
    `## ${p.name}`,
    '',
    p.file
      ? `Config file: \`${p.file}\` (JSON; \`--config FILE\` names another). Check a configuration with \`--check-config\`.`
      : 'No config file: environment and flags only.',
    '',
    '| key | environment | flag | default | meaning |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

export async function renderConfigReference(): Promise<string> {
  const { AgentDbConfigSchema } = await import('../agent-db/config.js');
  const { AgentAppConfigSchema } = await import('../agent-app/config.js');
  const { VsctlConfigSchema } = await import('../vsctl/config.js');
  const { ConnectorConfigSchema } = await import('../connector/config.js');
  const programs: Program[] = [
    { name: 'vs-agent-db', file: '/etc/visionsuit-agent-db/config.json', schema: AgentDbConfigSchema },
    { name: 'vs-agent-app', file: '/etc/visionsuit-agent-app/config.json', schema: AgentAppConfigSchema },
    {
      name: 'vs-external-connector',
      file: '/etc/visionsuit-external-connector/config.json',
      schema: ConnectorConfigSchema,
    },
    { name: 'vsctl', file: '', schema: VsctlConfigSchema },
  ];
  return [
    '# Configuration reference',
    '',
    'Generated from the schemas by `npm run docs`; a test keeps it in step. Each program',
    'layers its defaults, then its config file, then `VS_*` environment, then flags. Unknown keys,',
    'variables and flags are refused by name. Durations carry `Ms` in their name. Secrets are never',
    'values here: the config names files (mode 0600) that hold them.',
    '',
    ...programs.map(section),
  ].join('\n');
}

/** Every metric of our own (Node's process metrics aside), from the registries themselves. */
export async function renderMetricsDoc(): Promise<string> {
  const quiet: HealthReport = {
    status: 'ok',
    route: 'ssh',
    listen: '127.0.0.1:6432',
    detail: '',
    link: 'up',
    agentDb: 'SERVING',
    activity: {
      openConnections: 0,
      totalConnections: 0,
      refusedConnections: 0,
      bytesToServer: 0,
      bytesToClient: 0,
      lastRoute: 'ssh',
      lastRouteChange: null,
      lastError: null,
    },
  };
  // The registries' metric names and help need no live source: nothing is read until a scrape.
  const idle = { running: null, onEvent: () => {}, list: () => [] };
  const noPostgres = { facts: () => Promise.reject(new Error('no PostgreSQL')), pool: null as never };
  const sections: Array<[string, string, Registry]> = [
    [
      'vs-external-connector',
      'on its HTTP port (`httpPort`, 6433), beside `/readyz` and `/livez`',
      connectorMetrics(() => quiet).registry,
    ],
    [
      'vs-agent-app',
      'on `127.0.0.1:<metricsPort>` when `metricsPort` is set (0, the default: off)',
      appMetrics({ paired: { link: null }, operations: idle }),
    ],
    [
      'vs-agent-db',
      'on `127.0.0.1:<metricsPort>` when `metricsPort` is set (0, the default: off)',
      dbMetrics(noPostgres),
    ],
  ];
  const lines = [
    '# Metrics',
    '',
    'Prometheus text format (prom-client), at `GET /metrics`. Names follow Prometheus conventions:',
    '`vsmigrate_<program>_<what>[_<unit>][_total]`; counters end in `_total`. Each program also exports',
    "Node's process metrics (`process_*`, `nodejs_*`). Generated from the registries by `npm run docs`;",
    'a test keeps this list in step with the code.',
    '',
  ];
  for (const [program, where, registry] of sections) {
    lines.push(
      `## ${program}`,
      '',
      `Served ${where}.`,
      '',
      '| metric | type | labels | meaning |',
      '| --- | --- | --- | --- |',
    );
    for (const m of registry.getMetricsAsArray()) {
      if (!m.name.startsWith('vsmigrate_')) continue;
      // prom-client keeps a metric's label names on the object, outside its typings.
      const labels = (m as unknown as { labelNames: string[] }).labelNames;
      lines.push(`| \`${m.name}\` | ${m.type} | ${labels.map((l) => `\`${l}\``).join(', ')} | ${m.help} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
