// Configuration, resolved once: schema defaults, then the JSON config file, then
// VS_* environment, then --flags. The result is validated against a strict schema
// (unknown keys are refused, naming where they came from) and deep-frozen.
//
// Every leaf of the schema gets an environment name and a flag derived from its
// path: `link.keepaliveIntervalMs` is VS_LINK_KEEPALIVE_INTERVAL_MS and
// --link-keepalive-interval-ms. Durations and sizes carry their unit in the name.
// Secrets are never config values: the config names files that hold them.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { VsError } from './errors.js';

export interface ConfigLeaf {
  path: string[];
  env: string;
  flag: string;
  type: string;
  description: string;
  default: unknown;
}

type JsonSchemaNode = {
  type?: string | string[];
  properties?: Record<string, JsonSchemaNode>;
  description?: string;
  default?: unknown;
  enum?: unknown[];
};

const snake = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
const kebab = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

/** The leaves of a config schema, with their env names, flags and defaults. */
export function configLeaves(schema: z.ZodType): ConfigLeaf[] {
  const root = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode;
  const leaves: ConfigLeaf[] = [];
  const walk = (node: JsonSchemaNode, path: string[]) => {
    if (node.type === 'object' && node.properties) {
      for (const [key, child] of Object.entries(node.properties)) walk(child, [...path, key]);
      return;
    }
    leaves.push({
      path,
      env: `VS_${path.map(snake).join('_')}`,
      flag: `--${path.map(kebab).join('-')}`,
      type: node.enum ? 'enum' : Array.isArray(node.type) ? node.type.join('|') : (node.type ?? 'string'),
      description: node.description ?? '',
      default: node.default,
    });
  };
  walk(root, []);
  return leaves;
}

function coerce(leaf: ConfigLeaf, raw: string, where: string): unknown {
  switch (leaf.type) {
    case 'integer':
    case 'number': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) {
        throw new VsError(
          'VS_ERR_CONFIG_INVALID',
          `${where}: expected a number for ${leaf.path.join('.')}, got "${raw}"`,
        );
      }
      return n;
    }
    case 'boolean':
      if (raw === 'true' || raw === '1') return true;
      if (raw === 'false' || raw === '0') return false;
      throw new VsError(
        'VS_ERR_CONFIG_INVALID',
        `${where}: expected true or false for ${leaf.path.join('.')}, got "${raw}"`,
      );
    case 'array':
      return raw === '' ? [] : raw.split(',').map((s) => s.trim());
    default:
      return raw;
  }
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] = isPlainObject(v) && isPlainObject(out[k]) ? merge(out[k] as Record<string, unknown>, v) : v;
  }
  return out;
}

export function deepFreeze<T>(value: T): Readonly<T> {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export interface LoadConfigInput {
  /** The program's name, for messages ("vs-agent-db"). */
  program: string;
  /** Config overrides given as flags, already split from the rest of argv. */
  flags: Record<string, string>;
  env: Readonly<Record<string, string | undefined>>;
  /** The config file to read; a missing default file is fine, a missing named one is not. */
  file?: { path: string; explicit: boolean };
}

/** Resolve, validate and freeze a program's configuration. */
export function loadConfig<S extends z.ZodType>(schema: S, input: LoadConfigInput): Readonly<z.output<S>> {
  const leaves = configLeaves(schema);
  let fromFile: Record<string, unknown> = {};
  if (input.file) {
    let text: string | undefined;
    try {
      text = readFileSync(input.file.path, 'utf8');
    } catch (err) {
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      if (!missing || input.file.explicit) {
        throw new VsError(
          'VS_ERR_CONFIG_FILE',
          `cannot read config file ${input.file.path}: ${(err as Error).message}`,
          { cause: err },
        );
      }
    }
    if (text !== undefined) {
      try {
        const parsed: unknown = JSON.parse(text);
        if (!isPlainObject(parsed)) throw new Error('the top level must be an object');
        fromFile = parsed;
      } catch (err) {
        throw new VsError(
          'VS_ERR_CONFIG_FILE',
          `config file ${input.file.path} is not valid JSON: ${(err as Error).message}`,
          { cause: err },
        );
      }
    }
  }

  const fromEnv: Record<string, unknown> = {};
  const byEnv = new Map(leaves.map((l) => [l.env, l]));
  for (const [name, raw] of Object.entries(input.env)) {
    if (!name.startsWith('VS_') || raw === undefined) continue;
    const leaf = byEnv.get(name);
    if (!leaf) {
      throw new VsError(
        'VS_ERR_CONFIG_UNKNOWN_KEY',
        `${input.program}: unknown environment variable ${name}; known: ${[...byEnv.keys()].join(', ')}`,
        {
          details: { key: name },
        },
      );
    }
    setPath(fromEnv, leaf.path, coerce(leaf, raw, `environment ${name}`));
  }

  const fromFlags: Record<string, unknown> = {};
  const byFlag = new Map(leaves.map((l) => [l.flag, l]));
  for (const [flag, raw] of Object.entries(input.flags)) {
    const leaf = byFlag.get(flag);
    if (!leaf) {
      throw new VsError(
        'VS_ERR_CONFIG_UNKNOWN_KEY',
        `${input.program}: unknown option ${flag}; run with --help for the list`,
        { details: { key: flag } },
      );
    }
    setPath(fromFlags, leaf.path, coerce(leaf, raw, `option ${flag}`));
  }

  const merged = merge(merge(fromFile, fromEnv), fromFlags);
  const result = schema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = input.file ? ` (config file ${input.file.path}, VS_* environment, or flags)` : '';
    if (issue.code === 'unrecognized_keys') {
      const key = [...issue.path.map(String), issue.keys[0]].join('.');
      throw new VsError('VS_ERR_CONFIG_UNKNOWN_KEY', `${input.program}: unknown config key "${key}"${where}`, {
        details: { key },
      });
    }
    const key = issue.path.map(String).join('.');
    throw new VsError(
      'VS_ERR_CONFIG_INVALID',
      `${input.program}: config key "${key}" is invalid: ${issue.message}${where}`,
      { details: { key } },
    );
  }
  return deepFreeze(result.data);
}

/**
 * Split argv into config flags (--key=value, or --key value for a key of
 * `schema`; a boolean key alone means true), the config file flag,
 * --check-config, and everything else (subcommands and their arguments).
 */
export function splitConfigArgs(
  argv: readonly string[],
  schema?: z.ZodType,
): {
  configFile?: string;
  checkConfig: boolean;
  flags: Record<string, string>;
  rest: string[];
} {
  const leaves = new Map((schema ? configLeaves(schema) : []).map((l) => [l.flag, l]));
  const flags: Record<string, string> = {};
  const rest: string[] = [];
  let configFile: string | undefined;
  let checkConfig = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const leaf = leaves.get(arg);
    if (arg === '--check-config') {
      checkConfig = true;
    } else if (arg === '--config' || arg.startsWith('--config=')) {
      configFile = arg.includes('=') ? arg.slice('--config='.length) : argv[++i];
      if (!configFile) throw new VsError('VS_ERR_USAGE', '--config needs a file path');
    } else if (arg.startsWith('--') && arg.includes('=')) {
      const eq = arg.indexOf('=');
      flags[arg.slice(0, eq)] = arg.slice(eq + 1);
    } else if (leaf && leaf.type === 'boolean') {
      flags[arg] = 'true';
    } else if (leaf) {
      const value = argv[++i];
      if (value === undefined) throw new VsError('VS_ERR_USAGE', `${arg} needs a value (${leaf.description})`);
      flags[arg] = value;
    } else {
      rest.push(arg);
    }
  }
  return { configFile, checkConfig, flags, rest };
}

/** An interval or a settle time in milliseconds, with its default; 0 is allowed. */
export const ms = (def: number, description: string) => z.number().int().min(0).default(def).describe(description);

/** The shortest bound on a wait: below it every wait fails before the thing waited for can answer. */
export const MIN_TIMEOUT_MS = 1_000;

/** The agents' own loopback port for GET /metrics; 0 turns it off. */
export const metricsPort = z
  .number()
  .int()
  .min(0)
  .max(65535)
  .default(0)
  .describe('a loopback (127.0.0.1) HTTP port that serves GET /metrics in Prometheus text; 0: off');

/** A timeout (a bound on a wait) in milliseconds, with its default: at least 1 s. */
export const timeoutMs = (def: number, description: string) =>
  z.number().int().min(MIN_TIMEOUT_MS).default(def).describe(`${description} (at least ${MIN_TIMEOUT_MS} ms)`);

/** The SSH link's timings, the same key (`link`) in every program that opens one. */
export const LinkTimingsSchema = z
  .strictObject({
    keepaliveIntervalMs: ms(5_000, 'SSH keepalive interval'),
    keepaliveCountMax: z
      .number()
      .int()
      .min(1)
      .default(3)
      .describe('unanswered keepalives before the link is declared down'),
    connectTimeoutMs: timeoutMs(10_000, 'SSH connect and handshake timeout'),
    reconnectInitialMs: ms(500, 'first reconnect delay; doubles after each failure'),
    reconnectMaxMs: ms(30_000, 'longest reconnect delay'),
  })
  .prefault({});
export type LinkTimings = z.output<typeof LinkTimingsSchema>;
