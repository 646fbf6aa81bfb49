// vsctl's side of long operations: start one (migrate, rollback, install),
// follow its events (a live view on a terminal, plain lines in a log, one JSON
// object per line with --json), re-attach after a disconnect, list, cancel.
// Following survives an agent-app restart: it re-attaches from the last event
// it printed.
import type { ClientReadableStream } from '@grpc/grpc-js';
import type { AgentAppClient } from '../proto/gen/vsmigrate/app/v1/AgentApp.js';
import type { Operation__Output } from '../proto/gen/vsmigrate/app/v1/Operation.js';
import type { OperationEvent__Output } from '../proto/gen/vsmigrate/app/v1/OperationEvent.js';
import type { ListRunsResponse__Output } from '../proto/gen/vsmigrate/app/v1/ListRunsResponse.js';
import type { Report__Output } from '../proto/gen/vsmigrate/app/v1/Report.js';
import { call } from '../shared/grpc.js';
import { VsError, fromServiceError } from '../shared/errors.js';
import { EXIT } from '../shared/program.js';
import { withAgentApp } from './client.js';
import { LiveView } from '../shared/live-view.js';
import type { VsctlConfig } from './config.js';

type Out = NodeJS.WriteStream | NodeJS.WritableStream;

function printOperationEnd(op: Operation__Output, out: Out): void {
  const verdict =
    { succeeded: 'succeeded', failed: 'FAILED', cancelled: 'cancelled', rolled_back: 'ROLLED BACK' }[op.state] ??
    op.state;
  out.write(
    `\n${op.kind} ${op.id}: ${verdict}${op.error?.code ? `\n  ${op.error.code}: ${op.error.message}\n  next: ${op.error.hint}` : ''}\n`,
  );
}

/** Follow an operation to its end; re-attach after a dropped stream (an agent restart) for up to `reattachMs`. */
export async function follow(
  client: AgentAppClient,
  id: string,
  json: boolean,
  out: Out,
  reattachMs = 120_000,
): Promise<Operation__Output> {
  const view = new LiveView(out);
  let after = 0;
  let lostAt = 0;
  for (;;) {
    const ended = await new Promise<Operation__Output | 'dropped'>((resolve, reject) => {
      const stream: ClientReadableStream<OperationEvent__Output> = client.watch({
        operationId: id,
        afterSequence: String(after),
      });
      let finished: Operation__Output | null = null;
      stream.on('data', (e: OperationEvent__Output) => {
        lostAt = 0;
        after = Number(e.sequence);
        if (json) out.write(JSON.stringify(e) + '\n');
        else view.event(e);
        if (e.finished) finished = e.finished;
      });
      stream.on('error', (err) => {
        const vs = fromServiceError(err);
        if (vs.code === 'VS_ERR_AGENT_UNREACHABLE') resolve('dropped');
        else reject(vs);
      });
      stream.on('end', () => resolve(finished ?? 'dropped'));
    });
    if (ended !== 'dropped') return ended;
    // The stream ended without the end of the operation: the agent went away, or the
    // operation is paused until the agent's next start. Ask, and wait for it.
    lostAt ||= Date.now();
    if (Date.now() - lostAt > reattachMs)
      throw new VsError(
        'VS_ERR_AGENT_UNREACHABLE',
        `lost ${id} and could not re-attach within ${reattachMs / 1000} s; run: vsctl watch ${id}`,
      );
    if (!json)
      view.event({ log: { level: 'warn', message: 'lost the agent; re-attaching ...' } } as OperationEvent__Output);
    await new Promise((r) => setTimeout(r, 1_000));
    try {
      const op = (
        await call<ListRunsResponse__Output>((md, opts, cb) => client.listRuns({ limit: 200 }, md, opts, cb), {
          deadlineMs: 3_000,
        })
      ).runs.find((r) => r.id === id);
      if (op && op.state !== 'running') {
        // It ended while we were away: print what we missed, then the end.
        continue;
      }
    } catch {
      // still away
    }
  }
}

export async function startAndFollow(
  config: VsctlConfig,
  json: boolean,
  detach: boolean,
  out: Out,
  start: (client: AgentAppClient) => Promise<Operation__Output>,
): Promise<number> {
  return withAgentApp(config.socketPath, async (client) => {
    const op = await start(client);
    if (!json) out.write(`${op.kind} ${op.id} started; follow it again any time with: vsctl watch ${op.id}\n`);
    if (detach) {
      if (json) out.write(JSON.stringify(op) + '\n');
      return EXIT.ok;
    }
    return followToEnd(client, op.id, json, out);
  });
}

/** Follow an operation, print how it ended, and exit 0 only when it succeeded. */
async function followToEnd(client: AgentAppClient, id: string, json: boolean, out: Out): Promise<number> {
  const end = await follow(client, id, json, out);
  if (!json) printOperationEnd(end, out);
  return end.state === 'succeeded' ? EXIT.ok : EXIT.failure;
}

export async function watchCommand(config: VsctlConfig, id: string, json: boolean, out: Out): Promise<number> {
  return withAgentApp(config.socketPath, (client) => followToEnd(client, id, json, out));
}

export async function runsCommand(config: VsctlConfig, json: boolean, out: Out): Promise<number> {
  return withAgentApp(config.socketPath, async (client) => {
    const r = await call<ListRunsResponse__Output>((md, opts, cb) => client.listRuns({ limit: 50 }, md, opts, cb), {
      deadlineMs: config.timeoutMs,
    });
    if (json) out.write(JSON.stringify(r.runs, null, 2) + '\n');
    else if (r.runs.length === 0) out.write('no operations yet\n');
    else {
      for (const op of r.runs) {
        out.write(
          `${op.id.padEnd(38)} ${op.kind.padEnd(9)} ${op.state.padEnd(12)} ${op.startedAt}  ${op.state === 'running' ? `at ${op.step}` : (op.error?.code ?? '')}\n`,
        );
      }
    }
    return EXIT.ok;
  });
}

/** cancel and proceed: one RPC on a running operation, and what it means. */
async function nudge(
  config: VsctlConfig,
  id: string,
  out: Out,
  method: 'cancel' | 'proceed',
  meaning: string,
): Promise<number> {
  return withAgentApp(config.socketPath, async (client) => {
    const op = await call<Operation__Output>((md, opts, cb) => client[method]({ operationId: id }, md, opts, cb), {
      deadlineMs: config.timeoutMs,
    });
    out.write(
      op.state === 'running' ? `${id}: ${meaning} (vsctl watch ${id})\n` : `${id} is not running (${op.state})\n`,
    );
    return EXIT.ok;
  });
}

export const cancelCommand = (config: VsctlConfig, id: string, out: Out) =>
  nudge(config, id, out, 'cancel', 'cancel requested; it stops at its next safe point');

export const proceedCommand = (config: VsctlConfig, id: string, out: Out) =>
  nudge(config, id, out, 'proceed', 'go-ahead given; the freeze starts after the current catch-up round');

export async function reportCommand(config: VsctlConfig, id: string, json: boolean, out: Out): Promise<number> {
  return withAgentApp(config.socketPath, async (client) => {
    const r = await call<Report__Output>((md, opts, cb) => client.getReport({ runId: id }, md, opts, cb), {
      deadlineMs: config.timeoutMs,
    });
    out.write((json ? r.json : r.markdown) || `${id} has no report\n`);
    return EXIT.ok;
  });
}
