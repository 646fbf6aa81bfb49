#!/usr/bin/env node
// vsctl: the operator's command. A thin client of agent-app.
import { VsError } from '../shared/errors.js';
import { loadConfig, splitConfigArgs } from '../shared/config.js';
import { EXIT, configReference, fail } from '../shared/program.js';
import { VsctlConfigSchema } from './config.js';
import { statusCommand } from './status.js';
import { pairCommand, preflightCommand } from './pair.js';

const PROGRAM = 'vsctl';
const USAGE = `usage: vsctl <command> [--json] [--socket-path=PATH]

Commands:
  status                 agent-app, the SSH link, agent-db and PostgreSQL, with a verdict
  pair --bundle FILE     check a vs-conf.txt from \`vs-agent-db bootstrap\` end to end and keep it
  preflight [--sqlite FILE]
                         the non-destructive checks before a migration, with a verdict

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
  throw new VsError('VS_ERR_USAGE', `unknown command "${words.join(' ')}"`);
}

main(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => fail(PROGRAM, err),
);
