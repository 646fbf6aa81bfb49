#!/usr/bin/env node
// vsctl: the operator's command. A thin client of agent-app.
import { VsError } from '../shared/errors.js';
import { loadConfig, splitConfigArgs } from '../shared/config.js';
import { EXIT, configReference, fail } from '../shared/program.js';
import { VsctlConfigSchema } from './config.js';
import { statusCommand } from './status.js';
import { pairCommand, preflightCommand } from './pair.js';
import { cancelCommand, reportCommand, runsCommand, startAndFollow, watchCommand } from './operation.js';
import { defaultFleetOutDir, fleetRehearse } from './fleet.js';
import { call } from '../shared/grpc.js';
import type { Operation__Output } from '../proto/gen/vsmigrate/app/v1/Operation.js';

const PROGRAM = 'vsctl';
const USAGE = `usage: vsctl <command> [--json] [--socket-path=PATH]

Commands:
  status                 agent-app, the SSH link, agent-db and PostgreSQL, with a verdict
  pair --bundle FILE     check a vs-conf.txt from \`vs-agent-db bootstrap\` end to end and keep it
  preflight [--sqlite FILE]
                         the non-destructive checks before a migration, with a verdict
  migrate [--replace-target] [--policy RULE=ACTION ...] [--detach]
                         the migration: preflight, freeze, snapshot, copy, verify, switch,
                         health probe; rolls back by itself on any failure after the freeze
  rollback [RUN] [--accept-loss] [--detach]
                         back to SQLite after a migration (refused when PostgreSQL has
                         writes since the switch, unless --accept-loss)
  install [--detach]     a new deployment straight onto PostgreSQL (no SQLite)
  rehearse [--keep] [--max-rate MB_PER_S] [--policy RULE=ACTION ...] [--detach]
                         the migration into a scratch database while the app keeps serving:
                         findings, timings, the projected downtime; nothing is stopped or edited
  rehearse --inventory FLEET.yaml [--parallel N] [--out DIR] [--max-rate MB_PER_S] [--policy ...]
                         rehearse every host of the inventory over SSH (N at a time, default 4);
                         a live table, then DIR/fleet.{html,md,json}; exit 1 when any host would fail
  verify [RUN]           verify again that the database equals a migration's snapshot
                         (default: the last migration that succeeded)
  runs                   the operations this agent knows
  watch ID               follow an operation (again), from its first event
  cancel ID              stop an operation at its next safe point
  report ID [--json]     an operation's report

Exit codes:
  0  healthy / done
  1  the command failed (the error code is printed)
  2  usage or configuration error
  3  agent-app could not be reached
  4  unhealthy (status) or blocked (preflight): each problem is listed with its code

Options (each also as VS_* environment):
`;

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const args = splitConfigArgs(argv);
  const json = args.rest.includes('--json');
  const words = args.rest.filter((a) => a !== '--json');
  if (words.includes('--help') || words.length === 0) {
    process.stdout.write(USAGE + configReference(VsctlConfigSchema) + '\n');
    return words.length === 0 ? EXIT.usage : EXIT.ok;
  }
  const config = loadConfig(VsctlConfigSchema, { program: PROGRAM, flags: args.flags, env });
  const [command, ...extra] = words;
  if (command === 'status' && extra.length === 0) return statusCommand(config, json, process.stdout);
  if (command === 'pair' && extra.length === 2 && extra[0] === '--bundle') return pairCommand(config, extra[1]!, json, process.stdout);
  if (command === 'preflight' && (extra.length === 0 || (extra.length === 2 && extra[0] === '--sqlite'))) {
    return preflightCommand(config, extra[1], json, process.stdout);
  }
  const flag = (name: string) => extra.includes(name);
  const policies: Array<{ rule: string; action: string }> = [];
  const positional: string[] = [];
  let maxRate = 0;
  let inventory = '';
  let parallel = 4;
  let outDir = '';
  for (let i = 0; i < extra.length; i++) {
    const w = extra[i]!;
    if (w === '--policy') {
      const spec = extra[++i] ?? '';
      const eq = spec.lastIndexOf('=');
      if (eq <= 0) throw new VsError('VS_ERR_POLICY_INVALID', `--policy needs RULE=ACTION, got "${spec}"`);
      policies.push({ rule: spec.slice(0, eq), action: spec.slice(eq + 1) });
    } else if (w === '--max-rate') {
      const mbps = Number(extra[++i]);
      if (!(mbps > 0)) throw new VsError('VS_ERR_USAGE', '--max-rate needs a positive number of MB per second');
      maxRate = Math.round(mbps * 1024 * 1024);
    } else if (w === '--inventory' || w === '--out') {
      const value = extra[++i];
      if (!value) throw new VsError('VS_ERR_USAGE', `${w} needs a path`);
      if (w === '--inventory') inventory = value;
      else outDir = value;
    } else if (w === '--parallel') {
      parallel = Number(extra[++i]);
      if (!Number.isInteger(parallel) || parallel < 1) throw new VsError('VS_ERR_USAGE', '--parallel needs a whole number of hosts, at least 1');
    } else if (!w.startsWith('--')) positional.push(w);
    else if (!['--replace-target', '--detach', '--accept-loss', '--keep'].includes(w)) throw new VsError('VS_ERR_USAGE', `unknown option ${w}`);
  }
  const out = process.stdout;
  const detach = flag('--detach');
  const startOp = (method: 'migrate' | 'rollback' | 'install' | 'rehearse' | 'verify', request: object) =>
    startAndFollow(config, json, detach, out, (client) =>
      call<Operation__Output>((md, opts, cb) => (client[method] as (r: object, m: typeof md, o: typeof opts, c: typeof cb) => void).call(client, request, md, opts, cb), {
        deadlineMs: config.timeoutMs,
      }),
    );
  if (command === 'migrate' && positional.length === 0) return startOp('migrate', { replaceTarget: flag('--replace-target'), policies });
  if (command === 'rollback' && positional.length <= 1) return startOp('rollback', { runId: positional[0] ?? '', acceptLoss: flag('--accept-loss') });
  if (command === 'install' && positional.length === 0) return startOp('install', {});
  if (command === 'verify' && positional.length <= 1) return startOp('verify', { runId: positional[0] ?? '' });
  const rehearsal = { keep: flag('--keep'), policies, maxRateBytesPerSecond: String(maxRate) };
  if (command === 'rehearse' && positional.length === 0 && inventory) {
    return fleetRehearse({ inventory, parallel, outDir: outDir || defaultFleetOutDir(), request: rehearsal, json }, out);
  }
  if (command === 'rehearse' && positional.length === 0) return startOp('rehearse', rehearsal);
  if (command === 'runs' && extra.length === 0) return runsCommand(config, json, out);
  if (command === 'watch' && positional.length === 1) return watchCommand(config, positional[0]!, json, out);
  if (command === 'cancel' && positional.length === 1) return cancelCommand(config, positional[0]!, out);
  if (command === 'report' && positional.length === 1) return reportCommand(config, positional[0]!, json, out);
  throw new VsError('VS_ERR_USAGE', `unknown command "${words.join(' ')}"`);
}

main(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => fail(PROGRAM, err),
);
