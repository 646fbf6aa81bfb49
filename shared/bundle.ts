// The pairing bundle (vs-conf.txt): KEY=VALUE lines written 0600 by
// `vs-agent-db bootstrap` and read by agent-app. Keys keep the names of the old
// runbook where they exist; SSH_HOST_KEY, AGENT_DB_PORT and AGENT_DB_TOKEN are
// what a correct tool needs besides. Unknown keys are refused, so a typo or a
// bundle from another tool does not half-work.
import dotenv from 'dotenv';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { VsError } from './errors.js';
import { formatEnvValue } from './env-file.js';
import { assertPrivateFile } from './secret-file.js';
import { parseHostKey } from './ssh-host-key.js';
import type { PinnedHostKey } from './ssh-host-key.js';

const port = z.coerce.number().int().min(1).max(65535);

/** A systemd service unit name: no option, no other unit type, no path. */
export const SERVICE_UNIT = /^[A-Za-z0-9@._-]+\.service$/;

const BundleSchema = z.strictObject({
  SSH_HOST: z.string().min(1),
  SSH_PORT: port.default(22),
  SSH_USER: z.string().min(1),
  SSH_PRIVATE_KEY_BASE64: z.string().min(1),
  SSH_HOST_KEY: z.string().min(1),
  POSTGRES_HOST: z.string().optional(),
  POSTGRES_INTERNAL_HOST: z.string().min(1).default('127.0.0.1'),
  POSTGRES_PORT: port.default(5432),
  POSTGRES_DB: z.string().min(1),
  POSTGRES_USER: z.string().min(1),
  POSTGRES_PASSWORD: z.string().min(1),
  // It reaches `systemctl restart` as root: a plain service unit name, never an option or a target.
  POSTGRES_EXTERNAL_CONNECTOR_SERVICE: z.string().regex(SERVICE_UNIT).optional(),
  AGENT_DB_PORT: port,
  AGENT_DB_TOKEN: z.string().min(32),
});

export type BundleFields = z.output<typeof BundleSchema>;

export interface Pairing {
  ssh: { host: string; port: number; user: string; privateKey: Buffer; hostKey: PinnedHostKey };
  postgres: {
    internalHost: string;
    port: number;
    database: string;
    user: string;
    password: string;
    publicHost?: string;
  };
  agentDb: { port: number; token: string };
  connectorService?: string;
}

/** Parse and check bundle text; secrets never appear in the messages. */
export function parseBundle(text: string | Buffer, source: string): Pairing {
  // dotenv keeps one of two assignments silently; a bundle says each key once.
  const seen = new Set<string>();
  for (const line of text.toString().split('\n')) {
    for (const key of Object.keys(dotenv.parse(line))) {
      if (seen.has(key))
        throw new VsError('VS_ERR_BUNDLE_INVALID', `${source}: key ${key} is given twice`, { details: { key } });
      seen.add(key);
    }
  }
  const raw = dotenv.parse(text);
  const result = BundleSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') {
      throw new VsError('VS_ERR_BUNDLE_INVALID', `${source}: unknown key ${issue.keys[0]}`, {
        details: { key: issue.keys[0] ?? '' },
      });
    }
    const key = issue.path.join('.');
    const missing = raw[key] === undefined;
    throw new VsError('VS_ERR_BUNDLE_INVALID', `${source}: ${missing ? 'missing key' : 'invalid value for'} ${key}`, {
      details: { key },
    });
  }
  const b = result.data;
  const privateKey = Buffer.from(b.SSH_PRIVATE_KEY_BASE64, 'base64');
  if (!privateKey.toString('latin1').includes('PRIVATE KEY-----')) {
    throw new VsError(
      'VS_ERR_BUNDLE_INVALID',
      `${source}: SSH_PRIVATE_KEY_BASE64 does not hold a PEM/OpenSSH private key`,
      {
        details: { key: 'SSH_PRIVATE_KEY_BASE64' },
      },
    );
  }
  return {
    ssh: { host: b.SSH_HOST, port: b.SSH_PORT, user: b.SSH_USER, privateKey, hostKey: parseHostKey(b.SSH_HOST_KEY) },
    postgres: {
      internalHost: b.POSTGRES_INTERNAL_HOST,
      port: b.POSTGRES_PORT,
      database: b.POSTGRES_DB,
      user: b.POSTGRES_USER,
      password: b.POSTGRES_PASSWORD,
      ...(b.POSTGRES_HOST ? { publicHost: b.POSTGRES_HOST } : {}),
    },
    agentDb: { port: b.AGENT_DB_PORT, token: b.AGENT_DB_TOKEN },
    ...(b.POSTGRES_EXTERNAL_CONNECTOR_SERVICE ? { connectorService: b.POSTGRES_EXTERNAL_CONNECTOR_SERVICE } : {}),
  };
}

/** Read a bundle file, refusing one that group or others can read. */
export async function readBundleFile(path: string): Promise<Pairing> {
  await assertPrivateFile(path, 'pairing bundle');
  return parseBundle(await readFile(path), path);
}

/** Write bundle fields as KEY=VALUE text that dotenv (and systemd) read back unchanged. */
export function formatBundle(fields: Record<string, string | number>): string {
  return (
    Object.entries(fields)
      .map(([k, v]) => {
        try {
          return `${k}=${formatEnvValue(String(v))}`;
        } catch {
          throw new VsError('VS_ERR_BUNDLE_INVALID', `bundle value for ${k} cannot be written safely`, {
            details: { key: k },
          });
        }
      })
      .join('\n') + '\n'
  );
}
