#!/usr/bin/env node
// vsctl: the operator's command, a thin client of agent-app. The command line
// is commander's: a help per command with examples (`vsctl migrate --help`,
// `vsctl help migrate`), `-h`, `--version`, options checked per command, and
// `--opt value` or `--opt=value` alike. Usage errors exit 2 with VS_ERR_USAGE;
// with --json every error is JSON on stdout too.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { VsError, toVsError } from '../shared/errors.js';
import { loadConfig } from '../shared/config.js';
import { EXIT, exitCodeFor, formatError } from '../shared/program.js';
import { productVersion } from '../shared/version.js';
import { call } from '../shared/grpc.js';
import type { Operation__Output } from '../proto/gen/vsmigrate/app/v1/Operation.js';
import { VsctlConfigSchema } from './config.js';
import type { VsctlConfig } from './config.js';
import { statusCommand } from './status.js';
import { pairCommand, preflightCommand } from './pair.js';
import {
  cancelCommand,
  proceedCommand,
  reportCommand,
  runsCommand,
  startAndFollow,
  watchCommand,
} from './operation.js';
import { defaultFleetOutDir, fleetRehearse } from './fleet.js';

const PROGRAM = 'vsctl';

type OperationMethod = 'migrate' | 'rollback' | 'install' | 'rehearse' | 'verify' | 'prismaSwitch';

/** `RULE=ACTION`, as many times as given. */
function policy(
  spec: string,
  previous: Array<{ rule: string; action: string }>,
): Array<{ rule: string; action: string }> {
  const eq = spec.lastIndexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`needs RULE=ACTION, got "${spec}"`);
  return [...previous, { rule: spec.slice(0, eq), action: spec.slice(eq + 1) }];
}

function positiveNumber(what: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`needs ${what}, got "${v}"`);
    return n;
  };
}

const examples = (...lines: string[]) => `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}\n`;

const EXIT_CODES = `
Exit codes:
  0  healthy / done
  1  the command failed (the error code is printed)
  2  usage or configuration error (VS_ERR_USAGE, VS_ERR_CONFIG_*)
  3  agent-app could not be reached
  4  unhealthy (status) or blocked (preflight): each problem is listed with its code

Every option is also an environment variable: --socket-path is VS_SOCKET_PATH, --timeout-ms VS_TIMEOUT_MS.
`;

export interface Io {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

/** vsctl's command tree; `run(code)` receives each command's exit code. */
export function buildProgram(io: Io, run: (code: Promise<number>) => void): Command {
  const program = new Command(PROGRAM)
    .description("vsmigrate's operator command: a thin client of agent-app on this host (its unix socket)")
    .version(productVersion(), '-V, --version', 'print the version and exit')
    .helpOption('-h, --help', 'this help; `vsctl help COMMAND` or `vsctl COMMAND --help` for one command')
    .addOption(new Option('--socket-path <path>', "agent-app's unix socket").env('VS_SOCKET_PATH'))
    .addOption(new Option('--timeout-ms <ms>', 'deadline of a call to agent-app, in ms').env('VS_TIMEOUT_MS'))
    .option('--json', 'machine-readable output: one JSON document, or one JSON object per event')
    .showSuggestionAfterError(true)
    .addHelpText('after', EXIT_CODES)
    .configureOutput({ writeOut: (s) => io.out.write(s), writeErr: (s) => io.err.write(s), outputError: () => {} })
    .exitOverride();

  const config = (): VsctlConfig => {
    const g = program.opts<{ socketPath?: string; timeoutMs?: string }>();
    const flags: Record<string, string> = {};
    if (g.socketPath !== undefined) flags['--socket-path'] = g.socketPath;
    if (g.timeoutMs !== undefined) flags['--timeout-ms'] = g.timeoutMs;
    return loadConfig(VsctlConfigSchema, { program: PROGRAM, flags, env: {} });
  };
  const json = () => program.opts<{ json?: boolean }>().json === true;
  const startOp = (method: OperationMethod, request: object, detach: boolean) => {
    const c = config();
    return startAndFollow(c, json(), detach, io.out, (client) =>
      call<Operation__Output>(
        (md, opts, cb) =>
          (client[method] as (r: object, m: typeof md, o: typeof opts, cb2: typeof cb) => void).call(
            client,
            request,
            md,
            opts,
            cb,
          ),
        {
          deadlineMs: c.timeoutMs,
        },
      ),
    );
  };
  const command = (name: string, description: string, ...example: string[]) =>
    program
      .command(name)
      .description(description)
      .helpOption('-h, --help', 'this help')
      .addHelpText('after', examples(...example))
      .configureOutput({ writeOut: (s) => io.out.write(s), writeErr: (s) => io.err.write(s), outputError: () => {} })
      .exitOverride();

  command(
    'status',
    'agent-app, the SSH link, agent-db and PostgreSQL, with a verdict',
    'vsctl status',
    'vsctl status --json',
  ).action(() => run(statusCommand(config(), json(), io.out)));

  command(
    'pair',
    'check a vs-conf.txt from `vs-agent-db bootstrap` end to end, then keep it',
    'vsctl pair --bundle /root/vs-conf.txt',
  )
    .requiredOption('--bundle <file>', 'the pairing bundle (0600), copied from the PostgreSQL host')
    .action((o: { bundle: string }) => run(pairCommand(config(), o.bundle, json(), io.out)));

  command(
    'preflight',
    'the checks before a migration, none of which changes anything, with a verdict',
    'vsctl preflight',
    'vsctl preflight --sqlite /srv/copy-of-dev.db --json',
  )
    .option('--sqlite <file>', 'check this SQLite file instead of the configured one')
    .action((o: { sqlite?: string }) => run(preflightCommand(config(), o.sqlite, json(), io.out)));

  command(
    'migrate',
    'the migration: preflight; online (the default) a pre-copy and catch-up rounds while the app serves; freeze, the last changes, verify, switch, health probe; it rolls back by itself on any failure after the freeze',
    'vsctl migrate',
    'vsctl migrate --pause-before-freeze             # catch up, then wait for: vsctl proceed ID',
    'vsctl migrate --offline                         # stop the app for the whole copy (downtime grows with the database)',
    'vsctl migrate --replace-target                 # the database holds data: agent-db backs it up, then it is replaced',
    'vsctl migrate --policy json-empty=repair:empty-json-to-default --policy User.bio:string-nul=quarantine',
    'vsctl migrate --detach --json                  # start it, print the operation, return; follow with vsctl watch ID',
  )
    .option('--replace-target', 'replace a target database that holds data, after agent-db backs it up')
    .option('--policy <RULE=ACTION>', 'how to handle a finding of the data lint (repeatable)', policy, [])
    .option(
      '--drift <POLICY>',
      "where the SQLite file's structure differs from schema.prisma: keep-file, follow-schema (default), or OBJECT=keep-file (repeatable)",
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .option('--offline', 'stop the app for the whole copy, as before the online path')
    .option('--pause-before-freeze', 'online: after the catch-up, wait (catching up on) for vsctl proceed ID')
    .option('--detach', 'start it and return; it runs on inside agent-app')
    .action(
      (o: {
        replaceTarget?: boolean;
        policy: Array<{ rule: string; action: string }>;
        drift: string[];
        offline?: boolean;
        pauseBeforeFreeze?: boolean;
        detach?: boolean;
      }) =>
        run(
          startOp(
            'migrate',
            {
              replaceTarget: o.replaceTarget === true,
              policies: o.policy,
              drift: o.drift,
              offline: o.offline === true,
              pauseBeforeFreeze: o.pauseBeforeFreeze === true,
            },
            o.detach === true,
          ),
        ),
    );

  command(
    'rollback',
    'back to SQLite after a migration; refused while PostgreSQL may hold writes SQLite does not have, unless --accept-loss',
    'vsctl rollback                                 # the last migration that succeeded',
    'vsctl rollback migrate-20261129T081718Z-6bf5',
    'vsctl rollback --accept-loss',
  )
    .argument('[run]', 'the migration to undo (default: the last that succeeded)')
    .option('--accept-loss', 'roll back even though PostgreSQL holds writes SQLite does not have')
    .option(
      '--force-prisma',
      "restore the app's schema.prisma even though it changed since the switch (an update of the app)",
    )
    .option('--detach', 'start it and return')
    .action((runId: string | undefined, o: { acceptLoss?: boolean; forcePrisma?: boolean; detach?: boolean }) =>
      run(
        startOp(
          'rollback',
          { runId: runId ?? '', acceptLoss: o.acceptLoss === true, forcePrisma: o.forcePrisma === true },
          o.detach === true,
        ),
      ),
    );

  command(
    'install',
    'a new deployment straight onto PostgreSQL (no SQLite): database, schema, env files, start',
    'vsctl install',
  )
    .option('--detach', 'start it and return')
    .action((o: { detach?: boolean }) => run(startOp('install', {}, o.detach === true)));

  command(
    'prisma-switch',
    "switch the app's Prisma files to PostgreSQL again, after an update of the app brought back its SQLite ones; idempotent",
    'vsctl prisma-switch',
  )
    .option('--detach', 'start it and return')
    .action((o: { detach?: boolean }) => run(startOp('prismaSwitch', {}, o.detach === true)));

  command(
    'rehearse',
    'the migration into a scratch database while the app keeps serving: findings, timings, the projected downtime; nothing is stopped or edited. With --inventory, every host of a fleet over SSH',
    'vsctl rehearse',
    'vsctl rehearse --max-rate 20 --keep',
    'vsctl rehearse --inventory fleet.yaml --parallel 8 --out /var/tmp/fleet',
  )
    .option('--keep', 'keep the scratch database afterwards')
    .option(
      '--max-rate <MB_PER_S>',
      'a limit on the copy, in MB per second',
      positiveNumber('a positive number of MB per second'),
    )
    .option('--policy <RULE=ACTION>', 'how to handle a finding of the data lint (repeatable)', policy, [])
    .option('--detach', 'start it and return (one host only)')
    .option('--inventory <file>', 'rehearse every host of this inventory (YAML) over SSH')
    .option('--parallel <n>', 'hosts at a time, with --inventory', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('needs a whole number of hosts, at least 1');
      return n;
    })
    .option('--out <dir>', 'where the fleet report goes, with --inventory')
    .action(
      (o: {
        keep?: boolean;
        maxRate?: number;
        policy: Array<{ rule: string; action: string }>;
        detach?: boolean;
        inventory?: string;
        parallel?: number;
        out?: string;
      }) => {
        const request = {
          keep: o.keep === true,
          policies: o.policy,
          maxRateBytesPerSecond: String(Math.round((o.maxRate ?? 0) * 1024 * 1024)),
        };
        if (!o.inventory && (o.parallel !== undefined || o.out !== undefined))
          throw new VsError('VS_ERR_USAGE', '--parallel and --out go with --inventory');
        if (o.inventory && o.detach)
          throw new VsError(
            'VS_ERR_USAGE',
            '--detach rehearses one host; a fleet rehearsal follows every host to its end',
          );
        if (o.inventory)
          run(
            fleetRehearse(
              {
                inventory: o.inventory,
                parallel: o.parallel ?? 4,
                outDir: o.out ?? defaultFleetOutDir(),
                request,
                json: json(),
              },
              io.out,
            ),
          );
        else run(startOp('rehearse', request, o.detach === true));
      },
    );

  command(
    'verify',
    "verify again that the database equals a migration's snapshot, every value",
    'vsctl verify',
    'vsctl verify migrate-20261129T081718Z-6bf5',
  )
    .argument('[run]', 'the migration to verify (default: the last that succeeded)')
    .option('--detach', 'start it and return')
    .action((runId: string | undefined, o: { detach?: boolean }) =>
      run(startOp('verify', { runId: runId ?? '' }, o.detach === true)),
    );

  command('runs', 'the operations this agent knows, newest first', 'vsctl runs').action(() =>
    run(runsCommand(config(), json(), io.out)),
  );
  command('watch', 'follow an operation (again), from its first event', 'vsctl watch migrate-20261129T081718Z-6bf5')
    .argument('<id>', 'the operation')
    .action((id: string) => run(watchCommand(config(), id, json(), io.out)));
  command(
    'cancel',
    'stop an operation at its next safe point (a migration then rolls back)',
    'vsctl cancel migrate-20261129T081718Z-6bf5',
  )
    .argument('<id>', 'the operation')
    .action((id: string) => run(cancelCommand(config(), id, io.out)));
  command(
    'proceed',
    'the go-ahead for the freeze of a migration started with --pause-before-freeze',
    'vsctl proceed migrate-20261129T081718Z-6bf5',
  )
    .argument('<id>', 'the operation')
    .action((id: string) => run(proceedCommand(config(), id, io.out)));
  command(
    'report',
    "an operation's report (Markdown; --json for the JSON)",
    'vsctl report migrate-20261129T081718Z-6bf5',
    'vsctl --json report rehearse-20261129T084443Z-839c',
  )
    .argument('<id>', 'the operation')
    .action((id: string) => run(reportCommand(config(), id, json(), io.out)));

  program.helpCommand('help [command]', 'the help of one command');
  return program;
}

/** Print an error for a person on stderr or, with --json, as JSON on stdout; return its exit code. */
function report(err: unknown, jsonOut: boolean, io: Io): number {
  const vs = toVsError(err);
  if (jsonOut) io.out.write(JSON.stringify({ ok: false, error: vs.toInfo() }) + '\n');
  else io.err.write(formatError(PROGRAM, vs));
  return exitCodeFor(vs);
}

export async function main(argv: string[], io: Io): Promise<number> {
  const jsonOut = argv.includes('--json');
  // The command's own outcome, set by its action while commander parses.
  const ran: { code: Promise<number> | null } = { code: null };
  const program = buildProgram(io, (code) => {
    ran.code = code;
  });
  if (argv.length === 0) {
    program.outputHelp();
    return EXIT.usage;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ran.code ? await ran.code : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help')
        return EXIT.ok;
      // commander's own message, less its "error: " prefix, as our usage error.
      return report(new VsError('VS_ERR_USAGE', err.message.replace(/^error: /, '')), jsonOut, io);
    }
    return report(err, jsonOut, io);
  }
}

main(process.argv.slice(2), { out: process.stdout, err: process.stderr }).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(formatError(PROGRAM, err));
    process.exitCode = EXIT.failure;
  },
);
