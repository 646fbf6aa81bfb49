#!/usr/bin/env node
// vsctl: the operator's command. A thin client of agent-app.
import { VsError } from '../shared/errors.js';
import { loadConfig, splitConfigArgs } from '../shared/config.js';
import { EXIT, configReference, fail } from '../shared/program.js';
import { VsctlConfigSchema } from './config.js';
import { statusCommand } from './status.js';

const PROGRAM = 'vsctl';
const USAGE = `usage: vsctl <command> [--json] [--socket-path=PATH]

Commands:
  status     agent-app, the SSH link, agent-db and PostgreSQL, with a verdict

Exit codes:
  0  healthy / done
  1  the command failed (the error code is printed)
  2  usage or configuration error
  3  agent-app could not be reached
  4  unhealthy (status): the verdict lists each problem with its code

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
  throw new VsError('VS_ERR_USAGE', `unknown command "${words.join(' ')}"`);
}

main(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => fail(PROGRAM, err),
);
