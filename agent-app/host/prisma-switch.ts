// The Prisma switch: a Prisma client is generated for the provider its
// schema.prisma names, so a client for "sqlite" refuses a postgresql:// URL.
// The switch changes the datasource's provider from "sqlite" to "postgresql"
// and nothing else in schema.prisma (every other byte equal, an atomic write,
// a timestamped backup, owner and mode kept), and puts the PostgreSQL baseline
// the engine generated in place of the SQLite migration history, which is kept
// beside it under the run's name. Its undo puts both back byte for byte.
import { existsSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { cp, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import dotenv from 'dotenv';
import { VsError } from '../../shared/errors.js';
import { writeFileAtomic } from '../../shared/atomic-file.js';
import { backupStamp } from '../../shared/env-file.js';
import { parseSchema } from '../engine/prisma-schema.js';

/** What the switch did, journaled so that every way back can undo it. */
export interface PrismaSwitch {
  schemaPath: string;
  /** sha256 of schema.prisma before and after the switch. */
  before: string;
  after: string;
  /** The copy of schema.prisma before the switch. */
  backupPath: string;
  /** The SQLite history, moved aside; null when there was none. */
  historyAside: string | null;
  migrationsDir: string;
  runId: string;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * The byte offset of the value `"sqlite"` of the datasource block's provider;
 * null when the datasource names another provider. Prisma's schema has line
 * comments only, and a block ends at its first line that closes it.
 */
export function providerValueAt(text: string): { start: number; end: number; provider: string } | null {
  const lines = text.split(/(?<=\n)/);
  let offset = 0;
  let inDatasource = false;
  for (const line of lines) {
    const code = line.replace(/\/\/.*$/, '');
    if (!inDatasource && /^\s*datasource\s+\w+\s*\{/.test(code)) inDatasource = true;
    else if (inDatasource) {
      const m = /^(\s*provider\s*=\s*)"([^"]*)"/.exec(code);
      if (m) {
        const start = offset + m[1]!.length;
        return { start, end: start + m[2]!.length + 2, provider: m[2]! };
      }
      if (/^\s*\}/.test(code)) return null;
    }
    offset += line.length;
  }
  return null;
}

/** schema.prisma with the datasource's provider set to "postgresql"; every other byte as it was. */
export function switchedSchema(bytes: Buffer, path: string): Buffer {
  const text = bytes.toString('latin1');
  const at = providerValueAt(text);
  if (!at) throw new VsError('VS_ERR_SCHEMA_INVALID', `${path}: no datasource provider found to switch`);
  if (at.provider !== 'sqlite' && at.provider !== 'postgresql') {
    throw new VsError(
      'VS_ERR_SCHEMA_UNSUPPORTED',
      `${path}: the datasource's provider is "${at.provider}", not "sqlite"`,
    );
  }
  const next = Buffer.from(text.slice(0, at.start) + '"postgresql"' + text.slice(at.end), 'latin1');
  // Prisma's own parser must read the result, with the new provider.
  if (parseSchema(next.toString('utf8'), path).provider !== 'postgresql') {
    throw new VsError('VS_ERR_SCHEMA_INVALID', `${path}: the switched schema does not name postgresql`);
  }
  return next;
}

/**
 * Switch the app's Prisma files: schema.prisma (only if it still is the file
 * the run read: `expectedSha256`), then the migrations directory. `baseline` is
 * the engine's prisma/migrations directory (0_init/migration.sql and
 * migration_lock.toml). `onStep` journals each change as soon as it is made.
 */
export async function switchPrismaFiles(
  schemaPath: string,
  expectedSha256: string,
  baseline: string,
  runId: string,
  stamp: Date,
  onStep: (s: PrismaSwitch) => void,
): Promise<PrismaSwitch> {
  const bytes = readFileSync(schemaPath);
  if (sha256(bytes) !== expectedSha256) {
    throw new VsError(
      'VS_ERR_SCHEMA_CHANGED',
      `${schemaPath} changed since this run read it; nothing was switched (run the migration again to read it anew)`,
      { details: { path: schemaPath } },
    );
  }
  const next = switchedSchema(bytes, schemaPath);
  const st = statSync(schemaPath);
  const backupPath = `${schemaPath}.vsmigrate-${backupStamp(stamp)}.bak`;
  await writeFile(backupPath, bytes, { mode: st.mode & 0o7777 });
  const migrationsDir = join(dirname(schemaPath), 'migrations');
  const s: PrismaSwitch = {
    schemaPath,
    before: sha256(bytes),
    after: sha256(next),
    backupPath,
    historyAside: null,
    migrationsDir,
    runId,
  };
  onStep(s);
  await writeFileAtomic(schemaPath, next, { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid });
  // The new directory is built beside, then renamed into place: never half there.
  const building = join(dirname(migrationsDir), `.migrations.vsmigrate-${runId}`);
  await rm(building, { recursive: true, force: true });
  await cp(baseline, building, { recursive: true });
  if (existsSync(migrationsDir)) {
    // Journaled before the rename: a crash in between leaves a name the undo looks for.
    s.historyAside = join(dirname(migrationsDir), `migrations.sqlite-${runId}`);
    onStep(s);
    renameSync(migrationsDir, s.historyAside);
  }
  renameSync(building, migrationsDir);
  onStep(s);
  return s;
}

/** How schema.prisma changed since the switch wrote it (an update of the app), in words; null when it did not. */
export function prismaChangedSince(s: PrismaSwitch): string | null {
  if (!existsSync(s.schemaPath)) return `${s.schemaPath} is gone`;
  const now = sha256(readFileSync(s.schemaPath));
  if (now === s.after || now === s.before) return null;
  return `${s.schemaPath} changed since the switch (sha256 ${now.slice(0, 12)}…, the switch wrote ${s.after.slice(0, 12)}…)`;
}

/**
 * Put schema.prisma and the migrations directory back as they were before the
 * switch. A schema.prisma that changed since the switch (an update of the app)
 * is refused unless `force`, naming the change.
 */
export async function restorePrismaFiles(s: PrismaSwitch, force: boolean): Promise<string[]> {
  const done: string[] = [];
  const changed = prismaChangedSince(s);
  if (changed && !force) {
    throw new VsError(
      'VS_ERR_SCHEMA_CHANGED',
      `${changed}; restoring it would undo that change: check it, then roll back with --force-prisma`,
      {
        details: { path: s.schemaPath },
      },
    );
  }
  const present = existsSync(s.schemaPath);
  if (!present || sha256(readFileSync(s.schemaPath)) !== s.before) {
    const st = statSync(present ? s.schemaPath : s.backupPath);
    await writeFileAtomic(s.schemaPath, readFileSync(s.backupPath), {
      mode: st.mode & 0o7777,
      uid: st.uid,
      gid: st.gid,
    });
    done.push(`${basename(s.schemaPath)} back to provider "sqlite"`);
  }
  // The baseline the switch put there is a copy of the run's own: taken out, not kept.
  const ours = existsSync(s.migrationsDir) && isBaselineOnly(s.migrationsDir);
  if (s.historyAside && existsSync(s.historyAside)) {
    if (existsSync(s.migrationsDir)) {
      if (!ours)
        throw new VsError(
          'VS_ERR_SCHEMA_CHANGED',
          `${s.migrationsDir} holds more than the PostgreSQL baseline the switch put there; move it aside, then roll back again`,
        );
      await rm(s.migrationsDir, { recursive: true });
    }
    renameSync(s.historyAside, s.migrationsDir);
    done.push(`the SQLite migration history back in ${s.migrationsDir}`);
  } else if (ours) {
    await rm(s.migrationsDir, { recursive: true });
    done.push(`the PostgreSQL baseline taken out of ${s.migrationsDir}`);
  }
  // A switch cut off while it built the new directory leaves it half built.
  await rm(join(dirname(s.migrationsDir), `.migrations.vsmigrate-${s.runId}`), { recursive: true, force: true });
  return done;
}

/** A migrations directory that holds only what the switch put there. */
function isBaselineOnly(dir: string): boolean {
  return readdirSync(dir).every((n) => n === '0_init' || n === 'migration_lock.toml');
}

export const schemaFileSha256 = (path: string): string => sha256(readFileSync(path));

/** Where the app's Prisma files and its DATABASE_URL point, and whether they agree. */
export interface PrismaAgreement {
  schemaPath: string;
  /** schema.prisma's datasource provider; null when it cannot be read. */
  provider: string | null;
  /** migrations/migration_lock.toml's provider; null when there is none. */
  migrationsProvider: string | null;
  /** Where DATABASE_URL points in the env files that set it. */
  databaseUrl: 'sqlite' | 'postgresql' | 'split' | 'unset';
  problem: VsError | null;
}

/** The provider a migration_lock.toml names; null when there is none. */
export function lockProvider(migrationsDir: string): string | null {
  const path = join(migrationsDir, 'migration_lock.toml');
  if (!existsSync(path)) return null;
  return /^\s*provider\s*=\s*"([^"]*)"/m.exec(readFileSync(path, 'utf8'))?.[1] ?? null;
}

/**
 * Whether the app's Prisma files fit its DATABASE_URL. They stop fitting after
 * an update of the app (git pull, maintenance.sh update) on a host that runs on
 * PostgreSQL: the update brings back provider "sqlite" and the SQLite history.
 */
export function prismaAgreement(schemaPath: string, envFiles: string[]): PrismaAgreement {
  let provider: string | null = null;
  try {
    provider = providerValueAt(readFileSync(schemaPath, 'latin1'))?.provider ?? null;
  } catch {
    // unreadable: preflight and the engine name it
  }
  const migrationsProvider = lockProvider(join(dirname(schemaPath), 'migrations'));
  const kinds = new Set(
    envFiles
      .filter((f) => existsSync(f))
      .map((f) => dotenv.parse(readFileSync(f))['DATABASE_URL'])
      .filter((u): u is string => u !== undefined)
      .map((u) => (u.startsWith('file:') ? 'sqlite' : 'postgresql')),
  );
  const databaseUrl =
    kinds.size === 0 ? 'unset' : kinds.size > 1 ? 'split' : ([...kinds][0] as 'sqlite' | 'postgresql');
  let problem: VsError | null = null;
  if ((databaseUrl === 'sqlite' || databaseUrl === 'postgresql') && provider !== null) {
    const off = [
      provider !== databaseUrl ? `${basename(schemaPath)} names provider "${provider}"` : null,
      migrationsProvider !== null && migrationsProvider !== databaseUrl
        ? `migrations/migration_lock.toml names "${migrationsProvider}"`
        : null,
    ].filter((x) => x !== null);
    if (off.length > 0)
      problem = new VsError(
        'VS_ERR_PRISMA_MISMATCH',
        `${off.join(' and ')}, but DATABASE_URL points at ${databaseUrl === 'sqlite' ? 'the SQLite file' : 'PostgreSQL'}: the app's Prisma Client will not start (${schemaPath})`,
      );
  }
  return { schemaPath, provider, migrationsProvider, databaseUrl, problem };
}
