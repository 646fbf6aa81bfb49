// `vsctl rehearse --inventory fleet.yaml`: rehearsals across many VisionSuit
// hosts at once. vsctl reaches each host's agent-app over SSH (pinned host
// key; the SSH connection forwards to the agent's unix socket), starts a
// rehearsal there, follows it in a live table, and merges the reports into
// one: JSON, Markdown and a self-contained HTML page. An unreachable host is
// reported and the rest go on; any host that would fail makes the exit code 1.
import net from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { AgentAppClient } from '../proto/gen/vsmigrate/app/v1/AgentApp.js';
import type { Operation__Output } from '../proto/gen/vsmigrate/app/v1/Operation.js';
import type { OperationEvent__Output } from '../proto/gen/vsmigrate/app/v1/OperationEvent.js';
import type { Report__Output } from '../proto/gen/vsmigrate/app/v1/Report.js';
import { call } from '../shared/grpc.js';
import { VsError, toVsError } from '../shared/errors.js';
import { EXIT } from '../shared/program.js';
import { parseHostKey } from '../shared/ssh-host-key.js';
import { assertPrivateFile } from '../shared/secret-file.js';
import { pipeDuplex } from '../shared/ssh-link.js';
import { backupStamp } from '../shared/env-file.js';
import type { RehearsalReport__Output as RehearsalReport } from '../proto/gen/vsmigrate/app/v1/RehearsalReport.js';
import { connectAgentApp } from './client.js';
import { renderFleetHtml } from './fleet-html.js';
import { connectPinned } from '../shared/ssh-connect.js';

const HostSchema = z.strictObject({
  name: z.string().min(1),
  ssh: z.strictObject({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(22),
    user: z.string().min(1),
    identityFile: z.string().min(1),
    hostKey: z.string().min(1),
  }),
  socketPath: z.string().default('/run/visionsuit-agent-app/vsctl.sock'),
});
const InventorySchema = z.strictObject({ hosts: z.array(HostSchema).min(1) });
export type InventoryHost = z.output<typeof HostSchema>;

export async function readInventory(path: string): Promise<InventoryHost[]> {
  const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new VsError('VS_ERR_USAGE', `cannot read the inventory ${path}: ${err.code ?? err.message}`);
  });
  let raw: unknown;
  try {
    raw = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new VsError(
      'VS_ERR_USAGE',
      `${path} is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message}`,
    );
  }
  const parsed = InventorySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new VsError('VS_ERR_USAGE', `${path}: ${issue.path.join('.') || 'the file'}: ${issue.message}`);
  }
  const names = new Set<string>();
  for (const h of parsed.data.hosts) {
    if (names.has(h.name)) throw new VsError('VS_ERR_USAGE', `${path}: host name ${h.name} appears twice`);
    names.add(h.name);
    try {
      parseHostKey(h.ssh.hostKey);
    } catch (err) {
      throw new VsError('VS_ERR_USAGE', `${path}: host ${h.name}: ssh.hostKey: ${(err as Error).message}`);
    }
  }
  return parsed.data.hosts;
}

export interface HostRow {
  name: string;
  state: 'waiting' | 'connecting' | 'running' | 'done' | 'unreachable' | 'failed';
  step: string;
  rowsDone: number;
  rowsTotal: number;
  findings: number;
  report: RehearsalReport | null;
  error: string;
  operation: string;
}

/** An SSH connection to the host with its pinned key, and a local socket that forwards to agent-app's. */
async function tunnel(h: InventoryHost, timeoutMs: number): Promise<{ socketPath: string; close: () => void }> {
  const pinned = parseHostKey(h.ssh.hostKey);
  await assertPrivateFile(h.ssh.identityFile, `identity file of ${h.name}`);
  const { client, ready } = connectPinned({
    host: h.ssh.host,
    port: h.ssh.port,
    username: h.ssh.user,
    privateKey: readFileSync(h.ssh.identityFile),
    hostKey: pinned,
    readyTimeoutMs: timeoutMs,
    keepaliveIntervalMs: 5_000,
  });
  await ready.catch((err: unknown) => {
    client.end();
    const vs = toVsError(err);
    throw new VsError(vs.code, `${h.name}: ${vs.message}`, { cause: vs });
  });
  // Errors after the handshake surface on the forwarded streams; the client itself must not crash vsctl.
  client.on('error', () => {});
  const dir = mkdtempSync(join(tmpdir(), 'vsctl-fleet-'));
  const socketPath = join(dir, 'agent.sock');
  const server = net.createServer((sock) => {
    client.openssh_forwardOutStreamLocal(h.socketPath, (err, stream) => {
      if (err) sock.destroy();
      else pipeDuplex(sock, stream);
    });
  });
  await new Promise<void>((ok) => server.listen(socketPath, ok));
  return {
    socketPath,
    close: () => {
      server.close();
      client.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function rehearseHost(h: InventoryHost, row: HostRow, request: object, changed: () => void): Promise<void> {
  row.state = 'connecting';
  changed();
  let t: Awaited<ReturnType<typeof tunnel>>;
  try {
    t = await tunnel(h, 15_000);
  } catch (err) {
    row.state = 'unreachable';
    row.error = toVsError(err).message;
    changed();
    return;
  }
  const client: AgentAppClient = connectAgentApp(t.socketPath);
  try {
    const op = await call<Operation__Output>((md, opts, cb) => client.rehearse(request, md, opts, cb), {
      deadlineMs: 30_000,
    });
    row.operation = op.id;
    row.state = 'running';
    changed();
    await new Promise<void>((done, fail) => {
      const stream = client.watch({ operationId: op.id, afterSequence: '0' });
      const tables = new Map<string, { done: number; total: number }>();
      stream.on('data', (e: OperationEvent__Output) => {
        if (e.step?.state === 'started') row.step = e.step.name;
        if (e.table) {
          tables.set(e.table.table, { done: Number(e.table.rowsDone), total: Number(e.table.rowsTotal) });
          row.rowsDone = [...tables.values()].reduce((a, x) => a + x.done, 0);
          row.rowsTotal = [...tables.values()].reduce((a, x) => a + x.total, 0);
        }
        if (e.finding) row.findings++;
        changed();
      });
      stream.on('error', (err) => fail(toVsError(err)));
      stream.on('end', () => done());
    });
    const rep = await call<Report__Output>((md, opts, cb) => client.getReport({ runId: op.id }, md, opts, cb), {
      deadlineMs: 30_000,
    });
    row.report = rep.rehearsal;
    row.state = row.report ? 'done' : 'failed';
    if (!row.report) row.error = 'the rehearsal ended without a report';
  } catch (err) {
    row.state = 'failed';
    row.error = toVsError(err).message;
  } finally {
    client.close();
    t.close();
    changed();
  }
}

const verdictOf = (r: HostRow) => (r.state === 'unreachable' ? 'unreachable' : (r.report?.verdict ?? 'failed'));

function renderTable(rows: HostRow[]): string {
  const head = ['host', 'state', 'step', 'progress', 'findings', 'projected downtime', 'verdict'];
  const body = rows.map((r) => [
    r.name,
    r.state,
    r.step,
    r.rowsTotal ? `${Math.floor((100 * r.rowsDone) / r.rowsTotal)}%` : '',
    String(r.report?.findings.length ?? r.findings),
    r.report?.projectedDowntime ? `${r.report.projectedDowntime.seconds.toFixed(1)} s` : '',
    r.state === 'done' || r.state === 'unreachable' || r.state === 'failed'
      ? verdictOf(r) + (r.error ? `: ${r.error}` : '')
      : '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(head), ...body.map(line)].join('\n') + '\n';
}

export function renderFleetMarkdown(rows: HostRow[], generatedAt: string): string {
  const lines = [
    `# Fleet rehearsal, ${generatedAt}`,
    '',
    '| host | verdict | projected downtime | findings | reasons |',
    '| --- | --- | ---: | ---: | --- |',
  ];
  for (const r of rows) {
    const reasons = r.error || (r.report?.reasons ?? []).join('; ');
    lines.push(
      `| ${r.name} | ${verdictOf(r)} | ${r.report?.projectedDowntime ? `${r.report.projectedDowntime.seconds.toFixed(1)} s` : ''} | ${r.report?.findings.length ?? ''} | ${reasons.replace(/\|/g, '\\|')} |`,
    );
  }
  return lines.join('\n') + '\n';
}

export interface FleetOptions {
  inventory: string;
  parallel: number;
  outDir: string;
  request: object;
  json: boolean;
}

export async function fleetRehearse(o: FleetOptions, out: NodeJS.WriteStream | NodeJS.WritableStream): Promise<number> {
  const hosts = await readInventory(o.inventory);
  const rows: HostRow[] = hosts.map((h) => ({
    name: h.name,
    state: 'waiting',
    step: '',
    rowsDone: 0,
    rowsTotal: 0,
    findings: 0,
    report: null,
    error: '',
    operation: '',
  }));
  const tty = (out as NodeJS.WriteStream).isTTY === true && !o.json;
  let drawn = 0;
  const printed = new Map<string, string>();
  const hostLine = (r: HostRow) =>
    `${r.name}: ${r.state}${r.step && r.state === 'running' ? ` (${r.step})` : ''}` +
    (r.state === 'done' || r.state === 'unreachable' || r.state === 'failed'
      ? ` → ${verdictOf(r)}${r.error ? `: ${r.error}` : ''}`
      : '');
  const draw = () => {
    if (o.json) return;
    if (tty) {
      const text = renderTable(rows);
      if (drawn) out.write(`\x1b[${drawn}A\x1b[J`);
      out.write(text);
      drawn = text.split('\n').length - 1;
      return;
    }
    // Without a terminal: a line per host each time its state or step changes.
    for (const r of rows) {
      const line = hostLine(r);
      if (printed.get(r.name) === line) continue;
      printed.set(r.name, line);
      out.write(line + '\n');
    }
  };
  let pending: NodeJS.Timeout | null = null;
  const changed = () => {
    if (!tty) return draw();
    pending ??= setTimeout(() => {
      pending = null;
      draw();
    }, 200);
  };
  draw();
  let next = 0;
  const worker = async () => {
    while (next < hosts.length) {
      const i = next++;
      await rehearseHost(hosts[i]!, rows[i]!, o.request, changed);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.parallel, hosts.length)) }, worker));
  if (pending) clearTimeout(pending);
  draw();

  const generatedAt = new Date().toISOString();
  await mkdir(o.outDir, { recursive: true });
  const merged = {
    generatedAt,
    inventory: resolve(o.inventory),
    hosts: rows.map((r) => ({
      name: r.name,
      verdict: verdictOf(r),
      error: r.error,
      operation: r.operation,
      report: r.report,
    })),
  };
  await writeFile(join(o.outDir, 'fleet.json'), JSON.stringify(merged, null, 2) + '\n');
  await writeFile(join(o.outDir, 'fleet.md'), renderFleetMarkdown(rows, generatedAt));
  await writeFile(join(o.outDir, 'fleet.html'), renderFleetHtml(merged));
  const failing = rows.filter((r) => verdictOf(r) !== 'would succeed');
  if (o.json) out.write(JSON.stringify(merged) + '\n');
  else
    out.write(
      `\nreports: ${join(o.outDir, 'fleet.html')}, fleet.md, fleet.json\n${failing.length === 0 ? 'every host would migrate' : `${failing.length} of ${rows.length} host(s) would not: ${failing.map((r) => r.name).join(', ')}`}\n`,
    );
  return failing.length === 0 ? EXIT.ok : EXIT.failure;
}

export const defaultFleetOutDir = () => resolve(`rehearsal-${backupStamp(new Date())}`);
