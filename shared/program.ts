// What the three programs share at their edges: resolving config from argv and
// environment (with --check-config), and turning a fatal error into a message
// an operator can act on and an exit code.
import type { z } from 'zod';
import { loadConfig, splitConfigArgs, configLeaves } from './config.js';
import { hintOf, toVsError, VsError } from './errors.js';
import { productVersion } from './version.js';

export interface ProgramConfig<T> {
  config: Readonly<T>;
  rest: string[];
  checkConfig: boolean;
}

export function resolveProgramConfig<S extends z.ZodType>(
  program: string,
  schema: S,
  defaultConfigFile: string,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ProgramConfig<z.output<S>> {
  const args = splitConfigArgs(argv, schema);
  const config = loadConfig(schema, {
    program,
    flags: args.flags,
    env,
    file: { path: args.configFile ?? defaultConfigFile, explicit: args.configFile !== undefined },
  });
  return { config, rest: args.rest, checkConfig: args.checkConfig };
}

/**
 * The flags every program answers before anything else: `--version` (`-V`)
 * prints the version, `--help` (`-h`) the usage and the configuration
 * reference. True when one was answered and the program should exit 0.
 */
export function answerStandardFlags(
  program: string,
  usage: string,
  schema: z.ZodType,
  argv: readonly string[],
  out: NodeJS.WritableStream = process.stdout,
): boolean {
  if (argv.includes('--version') || argv.includes('-V')) {
    out.write(`${program} ${productVersion()}\n`);
    return true;
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    out.write(usage + configReference(schema) + '\n');
    return true;
  }
  return false;
}

/** The configuration reference of a program, one line per key. */
export function configReference(schema: z.ZodType): string {
  return configLeaves(schema)
    .map(
      (l) =>
        `  ${l.flag.padEnd(36)} ${l.env.padEnd(40)} default ${JSON.stringify(l.default ?? null)}\n      ${l.description}`,
    )
    .join('\n');
}

/** Exit codes shared by the programs. */
export const EXIT = { ok: 0, failure: 1, usage: 2, unreachable: 3, unhealthy: 4 } as const;

export function exitCodeFor(err: VsError): number {
  switch (err.code) {
    case 'VS_ERR_USAGE':
    case 'VS_ERR_CONFIG_INVALID':
    case 'VS_ERR_CONFIG_UNKNOWN_KEY':
    case 'VS_ERR_CONFIG_FILE':
      return EXIT.usage;
    case 'VS_ERR_AGENT_UNREACHABLE':
      return EXIT.unreachable;
    default:
      return EXIT.failure;
  }
}

/** Print an error as `program: error CODE: message` plus what to do next. */
export function formatError(program: string, err: unknown): string {
  const vs = toVsError(err);
  // On the operator's own terminal the cause helps: PostgreSQL's message, or the internal error.
  const showCause = (vs.code === 'VS_ERR_INTERNAL' || vs.code.startsWith('VS_ERR_PG_')) && vs.cause instanceof Error;
  const message = showCause ? `${vs.message}: ${(vs.cause as Error).message}` : vs.message;
  // The agentless commands (vs-agent-app migrate-local and friends) spell their flags their own way.
  return `${program}: error ${vs.code}: ${message}\n  next: ${hintOf(vs.code, program === 'vs-agent-app' ? 'local' : 'vsctl')}\n`;
}

export function fail(program: string, err: unknown): never {
  process.stderr.write(formatError(program, err));
  process.exit(exitCodeFor(toVsError(err)));
}
