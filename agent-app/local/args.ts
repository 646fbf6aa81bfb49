// Arguments the engine's local commands (migrate-local, verify-local) share:
// the SQLite file, schema.prisma, the target's URL (given, or read from a 0600
// file) and lint policies, parsed and resolved in one place.
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { VsError } from '../../shared/errors.js';
import { readSecretFile } from '../../shared/secret-file.js';
import { parsePolicies } from '../engine/lint.js';
import type { Policy } from '../engine/lint.js';
import { readSchemaSource } from '../engine/prisma-schema.js';
import type { Schema } from '../engine/prisma-schema.js';

const SHARED = {
  sqlite: { type: 'string' },
  'prisma-schema': { type: 'string' },
  'database-url': { type: 'string' },
  'database-url-file': { type: 'string' },
  policy: { type: 'string', multiple: true, default: [] },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

export interface LocalTarget {
  sqlite: string;
  url: string;
  schemaText: string;
  schema: Schema;
  policies: Policy[];
  json: boolean;
}

/** Parse a local command's arguments; null means --help was asked for (and printed). */
export async function parseLocalArgs<O extends NonNullable<ParseArgsConfig['options']>>(
  command: string,
  usage: string,
  argv: string[],
  own: O,
): Promise<{ target: LocalTarget; values: Record<string, unknown> } | null> {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: argv, options: { ...SHARED, ...own }, strict: true }));
  } catch (err) {
    // node:util's message names the option ("Unknown option '--bogus'"); the usage says the rest.
    throw new VsError('VS_ERR_USAGE', `${command}: ${(err as Error).message}\n${usage}`);
  }
  const v = values as Record<string, unknown>;
  if (v['help']) {
    process.stdout.write(usage);
    return null;
  }
  const sqlite = v['sqlite'] as string | undefined;
  const schemaPath = v['prisma-schema'] as string | undefined;
  const urlArg = v['database-url'] as string | undefined;
  const urlFile = v['database-url-file'] as string | undefined;
  if (!sqlite || !schemaPath || (!urlArg && !urlFile)) {
    throw new VsError(
      'VS_ERR_USAGE',
      `${command} needs --sqlite, --prisma-schema and --database-url or --database-url-file\n${usage}`,
    );
  }
  const url = urlArg ?? (await readSecretFile(urlFile!, 'database URL file'));
  const { text: schemaText, schema } = await readSchemaSource(schemaPath);
  const policies = parsePolicies((v['policy'] as string[] | undefined) ?? [], schema);
  return { target: { sqlite, url, schemaText, schema, policies, json: v['json'] === true }, values: v };
}
