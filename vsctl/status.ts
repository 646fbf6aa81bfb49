// `vsctl status`: agent-app, the SSH link, agent-db and PostgreSQL in one view.
import type { AppStatus__Output } from '../proto/gen/vsmigrate/app/v1/AppStatus.js';
import type { ErrorInfo__Output } from '../proto/gen/vsmigrate/db/v1/ErrorInfo.js';
import { call } from '../shared/grpc.js';
import { EXIT } from '../shared/program.js';
import { withAgentApp } from './client.js';
import type { VsctlConfig } from './config.js';

export interface Verdict {
  healthy: boolean;
  problems: Array<{ code: string; message: string; hint: string }>;
}

/** Healthy means: paired, link up, agent-db serving, PostgreSQL reachable, the app's Prisma files fit its DATABASE_URL. */
export function verdict(s: AppStatus__Output): Verdict {
  const problems: Verdict['problems'] = [];
  const add = (e: ErrorInfo__Output | null | undefined, fallback: { code: string; message: string; hint: string }) =>
    problems.push(e && e.code ? { code: e.code, message: e.message, hint: e.hint } : fallback);
  if (!s.agent?.paired) {
    problems.push({
      code: 'VS_ERR_NOT_PAIRED',
      message: 'this host is not paired with a PostgreSQL host',
      hint: 'run `vsctl pair --bundle vs-conf.txt`',
    });
  } else if (s.link?.state !== 'up') {
    add(s.link?.lastError, {
      code: 'VS_ERR_LINK_DOWN',
      message: `the SSH link is ${s.link?.state}`,
      hint: 'agent-app reconnects by itself',
    });
  } else if (!s.agentDb?.reachable || s.agentDb.health !== 'SERVING') {
    add(s.agentDb?.error, {
      code: 'VS_ERR_PG_UNREACHABLE',
      message: `agent-db health is ${s.agentDb?.health}`,
      hint: 'check PostgreSQL on the PostgreSQL host',
    });
  }
  if (s.agentDb?.status && !s.agentDb.status.postgresReachable) {
    add(s.agentDb.status.error, { code: 'VS_ERR_PG_UNREACHABLE', message: 'PostgreSQL is not reachable', hint: '' });
  }
  if (s.prisma?.problem?.code) add(s.prisma.problem, { code: '', message: '', hint: '' });
  return { healthy: problems.length === 0, problems };
}

const mib = (bytes: string | number) => `${(Number(bytes) / 1024 ** 2).toFixed(1)} MiB`;
const gib = (bytes: string | number) => `${(Number(bytes) / 1024 ** 3).toFixed(1)} GiB`;

function table(rows: Array<[string, string, string]>): string {
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  return rows.map(([a, b, c]) => `  ${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}`.trimEnd()).join('\n');
}

export function renderStatus(s: AppStatus__Output, v: Verdict): string {
  const rows: Array<[string, string, string]> = [];
  const a = s.agent!;
  rows.push([
    'agent-app',
    a.state,
    `version ${a.version}, up ${Math.round(a.uptimeSeconds)} s, ${a.paired ? 'paired' : 'not paired'}`,
  ]);
  const l = s.link!;
  rows.push([
    'ssh link',
    l.state,
    l.state === 'unpaired'
      ? ''
      : `${l.sshUser}@${l.sshHost}:${l.sshPort}, host key ${l.hostKeyFingerprint}, since ${l.since}, reconnects ${l.reconnects}` +
        (l.lastError?.code && l.state !== 'up'
          ? `\n${' '.repeat(4)}last error ${l.lastError.code}: ${l.lastError.message}`
          : ''),
  ]);
  const d = s.agentDb!;
  const st = d.status;
  rows.push([
    'agent-db',
    d.reachable ? d.health : 'unreachable',
    st?.agentVersion ? `version ${st.agentVersion}` : (d.error?.message ?? ''),
  ]);
  if (st && st.postgresReachable) {
    rows.push([
      'postgresql',
      'reachable',
      `${st.serverVersion}, ssl ${st.ssl ? 'on' : 'off'}, password_encryption ${st.passwordEncryption}, listen_addresses ${st.listenAddresses}, ` +
        `connections ${st.connections}/${st.maxConnections}, disk ${gib(st.diskFreeBytes)} free of ${gib(st.diskTotalBytes)}`,
    ]);
  } else {
    rows.push(['postgresql', 'unknown', st?.error?.message ?? 'not reachable through agent-db']);
  }
  const c = s.connector!;
  rows.push([
    'connector',
    c.configured ? c.status : 'not running',
    c.configured
      ? `route ${c.route}, listen ${c.listen}, ${c.openConnections} open, ${mib(c.bytesToServer)} to / ${mib(c.bytesToClient)} from PostgreSQL` +
        (c.lastRouteChange ? `, route since ${c.lastRouteChange}` : '') +
        (c.lastError?.message ? `\n${' '.repeat(4)}last error: ${c.lastError.message}` : '')
      : 'no answer from its health endpoint (connectorHealthUrl)',
  ]);
  const pf = s.prisma;
  if (pf?.schemaPath)
    rows.push([
      'prisma files',
      pf.problem?.code ? 'mismatch' : 'ok',
      `provider "${pf.provider || '?'}"${pf.migrationsProvider ? `, migrations "${pf.migrationsProvider}"` : ''}, DATABASE_URL on ${pf.databaseUrl}`,
    ]);
  const op = s.currentOperation;
  if (op?.id)
    rows.push(['operation', op.kind, `${op.id}, at step ${op.step || 'start'}; follow it: vsctl watch ${op.id}`]);
  const lines = [table(rows), ''];
  if (v.healthy) lines.push('verdict: healthy');
  else
    for (const p of v.problems)
      lines.push(`verdict: unhealthy: ${p.code}: ${p.message}${p.hint ? `\n  next: ${p.hint}` : ''}`);
  return lines.join('\n') + '\n';
}

export async function statusCommand(config: VsctlConfig, json: boolean, out: NodeJS.WritableStream): Promise<number> {
  return withAgentApp(config.socketPath, async (client) => {
    const s = await call<AppStatus__Output>((md, opts, cb) => client.getStatus({}, md, opts, cb), {
      deadlineMs: config.timeoutMs,
    });
    const v = verdict(s);
    out.write(json ? JSON.stringify({ ...s, verdict: v }, null, 2) + '\n' : renderStatus(s, v));
    return v.healthy ? EXIT.ok : EXIT.unhealthy;
  });
}
