// `vsctl preflight`: the checks of a migration's first step, none of which
// changes anything. Each check says ok, warn, fail or skip (when what it needs
// failed first) with a one-line detail; a failed check carries the error code
// and hint. Any fail blocks a migration.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtemp, open, readFile, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { prismaAgreement } from '../host/prisma-switch.js';
import { VsError, isErrorCode, toVsError } from '../../shared/errors.js';
import { envFileLinkProblem } from '../../shared/env-file.js';
import { integrityProblems, openSnapshot, readLiveImage } from '../engine/snapshot.js';
import { parseSchema } from '../engine/prisma-schema.js';
import { lintSnapshot, parsePolicies } from '../engine/lint.js';
import { describeDrift, findDrift, parseDriftPolicies } from '../engine/drift.js';
import type { Paired } from '../link/paired.js';
import type { AgentAppConfig } from '../config.js';
import { ownerLogin } from '../link/paired.js';

export interface Check {
  name: string;
  status: 'ok' | 'warn' | 'fail' | 'skip';
  detail: string;
  error?: { code: string; message: string; hint: string };
}

export interface PreflightInput {
  paired: Paired;
  sqlitePath: string;
  prismaSchema: string;
  /** Where snapshots go; its file system needs room for one. */
  stateDir: string;
  /** Free space each side needs: max(minFreeBytes, diskFactor × the SQLite file's size). */
  diskFactor: number;
  minFreeBytes: number;
  callTimeoutMs: number;
  /** The run's policies, as `RULE=ACTION`: a finding a policy handles does not block. */
  policies?: string[];
  /** The env files the switch edits: each must be replaceable by a rename. */
  envFiles?: string[];
  /** The run's drift policies (`keep-file`, `OBJECT=keep-file`, ...). */
  drift?: string[];
}

const mib = (n: number) => `${(n / 1024 ** 2).toFixed(1)} MiB`;
const human = (n: number) => (n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(2)} GiB` : mib(n));

/** The preflight of this agent's settings, for a SQLite file and a run's policies. */
export function preflightFor(
  config: AgentAppConfig,
  paired: Paired,
  sqlitePath: string,
  policies: string[] = [],
  drift: string[] = [],
): Promise<{ checks: Check[]; ok: boolean }> {
  return preflight({
    paired,
    sqlitePath,
    prismaSchema: config.prismaSchema,
    stateDir: config.stateDir,
    ...config.preflight,
    callTimeoutMs: config.callTimeoutMs,
    policies,
    envFiles: config.envFiles,
    drift,
  });
}

/** One line for a preflight step's end. */
export const preflightSummary = (r: { checks: Check[] }) =>
  `${r.checks.filter((c) => c.status === 'ok').length} of ${r.checks.length} checks ok`;

/** A failed check as the error it carries, to stop a run with. */
export function checkError(c: Check): VsError {
  const code = c.error?.code ?? '';
  return new VsError(isErrorCode(code) ? code : 'VS_ERR_INTERNAL', `preflight: ${c.name}: ${c.detail}`);
}

export async function preflight(input: PreflightInput): Promise<{ checks: Check[]; ok: boolean }> {
  const checks: Check[] = [];
  const ok = (name: string, detail: string) => checks.push({ name, status: 'ok', detail });
  const warn = (name: string, detail: string) => checks.push({ name, status: 'warn', detail });
  const skip = (name: string, detail: string) => checks.push({ name, status: 'skip', detail });
  const fail = (name: string, err: unknown) => {
    const vs = toVsError(err);
    const cause = vs.code.startsWith('VS_ERR_PG_') && vs.cause instanceof Error ? `: ${vs.cause.message}` : '';
    checks.push({ name, status: 'fail', detail: vs.message + cause, error: vs.toInfo() });
  };

  // The PostgreSQL side, through the link.
  const { paired } = input;
  let serverDiskFree: number | null = null;
  if (!paired.pairing) {
    fail('pairing', new VsError('VS_ERR_NOT_PAIRED', 'this host is not paired with a PostgreSQL host'));
    for (const name of ['ssh link', 'agent-db', 'postgres login', 'postgres settings', 'target database'])
      skip(name, 'needs a pairing');
  } else {
    const p = paired.pairing;
    ok('pairing', `${p.ssh.user}@${p.ssh.host}:${p.ssh.port}, database ${p.postgres.database} as ${p.postgres.user}`);
    let linkUp = false;
    try {
      if (paired.link?.state === 'connecting') await paired.link.waitUntilUp(input.callTimeoutMs).catch(() => {});
      paired.upLink();
      ok('ssh link', `up; host key ${p.ssh.hostKey.fingerprint} (pinned, matched)`);
      linkUp = true;
    } catch (err) {
      fail('ssh link', err);
    }
    if (!linkUp) {
      for (const name of ['agent-db', 'postgres login', 'postgres settings', 'target database'])
        skip(name, 'needs the SSH link');
    } else {
      try {
        const view = await paired.agentDb!.refresh();
        if (view.error) throw view.error;
        const status = await paired.agentDb!.getStatus();
        if (view.health !== 'SERVING' || !status.postgresReachable) {
          throw new VsError(
            'VS_ERR_PG_UNREACHABLE',
            `agent-db answers, but reports PostgreSQL as not reachable (${status.error?.message ?? view.health})`,
          );
        }
        serverDiskFree = Number(status.diskFreeBytes);
        ok(
          'agent-db',
          `${view.health}, version ${status.agentVersion}; PostgreSQL ${status.serverVersion}, TLS ${status.ssl ? `on (certificate until ${status.sslCertNotAfter || 'unknown'})` : 'off'}`,
        );
        const problems: string[] = [];
        if (status.serverVersionNum < 120000) problems.push(`PostgreSQL ${status.serverVersion} is older than 12`);
        const settings = `password_encryption ${status.passwordEncryption}, ${status.connections}/${status.maxConnections} connections`;
        if (problems.length > 0) fail('postgres settings', new VsError('VS_ERR_PG_QUERY', problems.join('; ')));
        else if (status.passwordEncryption !== 'scram-sha-256' || status.maxConnections - status.connections < 10)
          warn('postgres settings', `${settings} (want scram-sha-256 and 10 free connections)`);
        else ok('postgres settings', settings);
      } catch (err) {
        fail('agent-db', err);
        skip('postgres settings', 'needs agent-db');
      }
      try {
        const login = await ownerLogin(p, paired.link!, input.callTimeoutMs);
        ok('postgres login', `as ${login.user} to ${login.database} through the link (server ${login.version})`);
        if (login.tables === 0) ok('target database', `${login.database} is empty`);
        else
          warn(
            'target database',
            `${login.database} holds ${login.tables} tables: a migration needs --replace-target (agent-db backs it up first)`,
          );
      } catch (err) {
        fail('postgres login', err);
        skip('target database', 'needs the login');
      }
    }
  }

  // This host: the env files, the SQLite file, disk, integrity and the data lint.
  const present = (input.envFiles ?? []).filter((f) => existsSync(f));
  const linked = present.map(envFileLinkProblem).filter((p): p is string => p !== null);
  if (linked.length > 0) fail('env files', new VsError('VS_ERR_ENVFILE_LINKED', linked.join('; ')));
  else if (input.envFiles)
    ok(
      'env files',
      present.length > 0 ? `${present.join(', ')}: each can be replaced atomically` : 'none of envFiles exists yet',
    );
  if (input.envFiles) {
    // After an update of an app already on PostgreSQL, its Prisma files say sqlite again.
    const prisma = prismaAgreement(input.prismaSchema, input.envFiles);
    if (prisma.problem) fail('prisma files', prisma.problem);
    else
      ok(
        'prisma files',
        `provider "${prisma.provider ?? '?'}"${prisma.migrationsProvider ? `, migrations "${prisma.migrationsProvider}"` : ''}, DATABASE_URL on ${prisma.databaseUrl}`,
      );
  }
  if (!existsSync(input.sqlitePath)) {
    fail('sqlite file', new VsError('VS_ERR_SQLITE_UNREADABLE', `${input.sqlitePath} does not exist (set sqlitePath)`));
    for (const name of ['disk (PostgreSQL host)', 'disk (this host)', 'sqlite integrity', 'data lint'])
      skip(name, 'needs the SQLite file');
    return { checks, ok: false };
  }
  const size = statSync(input.sqlitePath).size;
  ok('sqlite file', `${input.sqlitePath}, ${mib(size)}`);
  const need = Math.max(input.minFreeBytes, Math.ceil(size * input.diskFactor));
  const disk = (name: string, free: number | null, where: string) => {
    if (free === null) skip(name, 'needs agent-db');
    else if (free < need)
      fail(name, new VsError('VS_ERR_DISK_SPACE', `${human(free)} free on ${where}, ${human(need)} needed`));
    else ok(name, `${human(free)} free on ${where}, ${human(need)} needed`);
  };
  disk('disk (PostgreSQL host)', serverDiskFree, 'the data directory');
  let localFree: number | null = null;
  try {
    const fs = await statfs(existsSync(input.stateDir) ? input.stateDir : '/');
    localFree = fs.bavail * fs.bsize;
  } catch {
    localFree = null;
  }
  disk('disk (this host)', localFree, input.stateDir);

  // The checks read a copy: integrity_check and the lint read every page, and on the live file their
  // read transactions would hold the app's commits back for as long (seconds on a large file).
  let db: ReturnType<typeof openSnapshot> | null = null;
  const copyDir = await mkdtemp(join(existsSync(input.stateDir) ? input.stateDir : tmpdir(), 'preflight-'));
  try {
    const copy = join(copyDir, 'copy.db');
    await (await open(copy, 'wx', 0o600)).close();
    await readLiveImage(input.sqlitePath, copy, undefined, size);
    db = openSnapshot(copy);
    const problems = integrityProblems(db);
    if (problems.length > 0)
      throw new VsError('VS_ERR_SQLITE_CORRUPT', `integrity_check: ${problems.slice(0, 3).join('; ')}`);
    const orphans = (db.pragma('foreign_key_check') as unknown[]).length;
    if (orphans > 0)
      warn(
        'sqlite integrity',
        `integrity_check ok; foreign_key_check: ${orphans} rows point at missing parents (the data lint names them)`,
      );
    else ok('sqlite integrity', 'integrity_check ok, foreign_key_check ok');
  } catch (err) {
    const vs =
      err instanceof VsError
        ? err
        : new VsError('VS_ERR_SQLITE_CORRUPT', `${input.sqlitePath}: ${(err as Error).message}`, { cause: err });
    fail('sqlite integrity', vs);
    db?.close();
    db = null;
  }
  if (!db) for (const name of ['schema drift', 'data lint']) skip(name, 'needs a sound SQLite file');
  else {
    try {
      const schema = parseSchema(await readFile(input.prismaSchema, 'utf8'), input.prismaSchema);
      try {
        const drift = findDrift(db, schema, parseDriftPolicies(input.drift ?? []));
        if (drift.length === 0) ok('schema drift', 'the file has the structure schema.prisma gives it');
        else warn('schema drift', `${drift.length} difference(s): ${drift.map(describeDrift).join('; ')}`);
      } catch (err) {
        fail('schema drift', err);
      }
      const lint = lintSnapshot(db, schema, parsePolicies(input.policies ?? [], schema));
      if (lint.findings.length === 0) ok('data lint', `every value converts (${lint.seconds.toFixed(1)} s)`);
      else if (lint.blocking.length === 0)
        warn('data lint', `${lint.findings.length} values do not convert as they are; the policies handle every one`);
      else {
        const rules = [...new Set(lint.blocking.map((f) => f.rule))].join(', ');
        const first = lint.blocking[0]!;
        fail(
          'data lint',
          new VsError(
            'VS_ERR_LINT_FINDINGS',
            `${lint.blocking.length} values do not convert (${rules}); first: ${first.table}.${first.column} key ${first.key}`,
          ),
        );
      }
    } catch (err) {
      fail(
        'data lint',
        (err as NodeJS.ErrnoException).code === 'ENOENT'
          ? new VsError('VS_ERR_SCHEMA_INVALID', `cannot read ${input.prismaSchema} (set prismaSchema)`)
          : err,
      );
    } finally {
      db.close();
    }
  }
  await rm(copyDir, { recursive: true, force: true });
  return { checks, ok: !checks.some((c) => c.status === 'fail') };
}
