// Roles and databases on PostgreSQL, reconciled rather than scripted: every
// CREATE is a top-level statement after an existence check, every run repairs
// drift (a lost LOGIN, a changed password, a wrong owner, CONNECT granted to
// PUBLIC) and reports each change as one line. Names are checked against a
// strict pattern and still quoted; values travel as parameters. Passwords are
// sent to the server as SCRAM verifiers computed here, so the plaintext never
// reaches PostgreSQL's statement log.
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import pg from 'pg';
import { VsError, fromPgError } from '../shared/errors.js';

/** Something that runs a query: a pool or one client. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

// Letters, digits, underscore and hyphen, not starting with a digit or hyphen,
// at most 63 bytes (PostgreSQL's NAMEDATALEN - 1). Anything else is refused
// before any SQL is built, and what passes is quoted anyway.
const NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,62}$/;

export function checkName(name: string, what: string): string {
  if (!NAME.test(name)) {
    throw new VsError(
      'VS_ERR_INVALID_NAME',
      `${what} ${JSON.stringify(name.slice(0, 80))} is not a plain name (letters, digits, _ and -, at most 63)`,
      {
        details: { what },
      },
    );
  }
  return name;
}

const ident = (name: string) => pg.escapeIdentifier(name);

/** 32 random bytes, URL-safe base64 (43 characters): no quoting needed anywhere. */
export function newPassword(): string {
  return randomBytes(32).toString('base64url');
}

// Printable ASCII is its own SASLprep form, so the verifier computed here is
// the one PostgreSQL computes from the same password. Other characters would
// need Unicode normalisation first; they are refused rather than guessed.
function checkPassword(password: string): void {
  if (!/^[\x20-\x7e]{8,1024}$/.test(password)) {
    throw new VsError(
      'VS_ERR_INVALID_NAME',
      'a password must be 8 to 1024 printable ASCII characters (spaces and punctuation allowed)',
      {
        details: { what: 'password' },
      },
    );
  }
}

function scramKeys(password: string, salt: Buffer, iterations: number): { storedKey: Buffer; serverKey: Buffer } {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  return {
    storedKey: createHash('sha256').update(clientKey).digest(),
    serverKey: createHmac('sha256', salted).update('Server Key').digest(),
  };
}

/** The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (RFC 5803 form). */
export function scramVerifier(password: string, salt = randomBytes(16), iterations = 4096): string {
  checkPassword(password);
  const k = scramKeys(password, salt, iterations);
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${k.storedKey.toString('base64')}:${k.serverKey.toString('base64')}`;
}

/** `PASSWORD '<verifier>'` for CREATE/ALTER ROLE: the server never sees the plaintext. */
const passwordClause = (password: string) => `PASSWORD ${pg.escapeLiteral(scramVerifier(password))}`;

/** Whether a stored verifier (pg_authid.rolpassword) belongs to `password`. */
export function verifierMatches(verifier: string | null, password: string): boolean {
  const m = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(verifier ?? '');
  if (!m) return false;
  const k = scramKeys(password, Buffer.from(m[2]!, 'base64'), Number(m[1]));
  const stored = Buffer.from(m[3]!, 'base64');
  const server = Buffer.from(m[4]!, 'base64');
  return (
    stored.length === 32 &&
    server.length === 32 &&
    timingSafeEqual(stored, k.storedKey) &&
    timingSafeEqual(server, k.serverKey)
  );
}

async function q<R extends pg.QueryResultRow>(
  db: Queryable,
  what: string,
  text: string,
  values: unknown[] = [],
): Promise<R[]> {
  try {
    return (await db.query<R>(text, values)).rows;
  } catch (err) {
    throw fromPgError(err, what);
  }
}

interface RoleRow {
  rolcanlogin: boolean;
  rolsuper: boolean;
}

async function role(db: Queryable, name: string): Promise<RoleRow | null> {
  return (
    (await q<RoleRow>(db, 'read role', 'SELECT rolcanlogin, rolsuper FROM pg_roles WHERE rolname = $1', [name]))[0] ??
    null
  );
}

/** How a role's password is checked for drift: by its stored verifier (superuser) or by logging in. */
export type PasswordCheck = (role: string, password: string) => Promise<boolean>;

/** A check that reads pg_authid; only a superuser may. */
export function verifierCheck(db: Queryable): PasswordCheck {
  return async (roleName, password) => {
    const rows = await q<{ rolpassword: string | null }>(
      db,
      'read role password',
      'SELECT rolpassword FROM pg_authid WHERE rolname = $1',
      [roleName],
    );
    return verifierMatches(rows[0]?.rolpassword ?? null, password);
  };
}

/** A check that logs in as the role over TCP, the way the app will. */
export function loginCheck(host: string, port: number, database: string, connectTimeoutMs: number): PasswordCheck {
  return async (roleName, password) => {
    const client = new pg.Client({
      host,
      port,
      user: roleName,
      password,
      database,
      connectionTimeoutMillis: connectTimeoutMs,
      application_name: 'vs-agent-db',
    });
    client.on('error', () => {});
    try {
      await client.connect();
      return true;
    } catch (err) {
      // 28P01: wrong password. Any other refusal (pg_hba, a missing database) is not drift to repair here.
      if ((err as { code?: string }).code === '28P01') return false;
      throw fromPgError(err, `log in as ${roleName}`);
    } finally {
      await client.end().catch(() => {});
    }
  };
}

export interface EnsureInput {
  database: string;
  owner: string;
  /** Set the owner's password to this when it differs; empty: keep an existing one, generate one for a new role. */
  password?: string;
  passwordCheck: PasswordCheck;
}

export interface EnsureResult {
  changes: string[];
  /** Only when a password was generated here. */
  password?: string;
  created: { role: boolean; database: boolean };
}

/** Reconcile the owner role (LOGIN, password) and its database (owner, CONNECT not granted to PUBLIC). */
export async function ensureDatabase(db: Queryable, input: EnsureInput): Promise<EnsureResult> {
  const database = checkName(input.database, 'database name');
  const owner = checkName(input.owner, 'role name');
  if (input.password) checkPassword(input.password);
  const changes: string[] = [];
  const created = { role: false, database: false };
  let generated: string | undefined;

  const existing = await role(db, owner);
  if (!existing) {
    const password = input.password || (generated = newPassword());
    await q(
      db,
      'create role',
      `CREATE ROLE ${ident(owner)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE ${passwordClause(password)}`,
    );
    changes.push(`created role ${owner}`);
    created.role = true;
  } else {
    if (existing.rolsuper) {
      throw new VsError(
        'VS_ERR_ROLE_PROTECTED',
        `role ${owner} is a superuser; vsmigrate will not manage it or hand it out as the app's owner role`,
        {
          details: { role: owner },
        },
      );
    }
    if (!existing.rolcanlogin) {
      await q(db, 'restore LOGIN', `ALTER ROLE ${ident(owner)} LOGIN`);
      changes.push(`restored LOGIN of role ${owner}`);
    }
    if (input.password && !(await input.passwordCheck(owner, input.password))) {
      await q(db, 'set password', `ALTER ROLE ${ident(owner)} ${passwordClause(input.password)}`);
      changes.push(`reset the password of role ${owner} (it had drifted)`);
    }
  }

  const dbRow = (
    await q<{ owner: string; public_connect: boolean }>(
      db,
      'read database',
      `SELECT pg_get_userbyid(d.datdba) AS owner,
              EXISTS (SELECT 1 FROM aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a
                       WHERE a.grantee = 0 AND a.privilege_type = 'CONNECT') AS public_connect
         FROM pg_database d WHERE d.datname = $1`,
      [database],
    )
  )[0];
  if (!dbRow) {
    await q(
      db,
      'create database',
      `CREATE DATABASE ${ident(database)} OWNER ${ident(owner)} TEMPLATE template0 ENCODING 'UTF8'`,
    );
    changes.push(`created database ${database} owned by ${owner}`);
    created.database = true;
  } else if (dbRow.owner !== owner) {
    await q(db, 'change database owner', `ALTER DATABASE ${ident(database)} OWNER TO ${ident(owner)}`);
    changes.push(`gave database ${database} to ${owner} (was owned by ${dbRow.owner})`);
  }
  if (!dbRow || dbRow.public_connect) {
    await q(db, 'revoke connect', `REVOKE CONNECT, TEMPORARY ON DATABASE ${ident(database)} FROM PUBLIC`);
    if (dbRow) changes.push(`revoked CONNECT on ${database} from PUBLIC`);
  }
  return generated ? { changes, password: generated, created } : { changes, created };
}

/**
 * Reconcile agent-db's own role: LOGIN, CREATEDB and CREATEROLE (for scratch
 * databases and the owner's password), never superuser, a member of the owner
 * role with ADMIN OPTION, so it can back up, vacuum and drop what the owner
 * owns and nothing else's, and of pg_monitor, to read the server's facts.
 */
export async function ensureAgentRole(
  db: Queryable,
  agentRole: string,
  password: string,
  owner: string,
  check: PasswordCheck,
): Promise<{ changes: string[]; created: boolean }> {
  checkName(agentRole, 'role name');
  checkName(owner, 'role name');
  checkPassword(password);
  const changes: string[] = [];
  const existing = await q<{ rolcanlogin: boolean; rolcreatedb: boolean; rolcreaterole: boolean; rolsuper: boolean }>(
    db,
    'read role',
    'SELECT rolcanlogin, rolcreatedb, rolcreaterole, rolsuper FROM pg_roles WHERE rolname = $1',
    [agentRole],
  );
  const r = existing[0];
  if (!r) {
    await q(
      db,
      'create role',
      `CREATE ROLE ${ident(agentRole)} LOGIN CREATEDB CREATEROLE NOSUPERUSER ${passwordClause(password)}`,
    );
    changes.push(`created role ${agentRole} (agent-db's own, CREATEDB CREATEROLE)`);
  } else {
    if (r.rolsuper)
      throw new VsError('VS_ERR_ROLE_PROTECTED', `role ${agentRole} is a superuser; agent-db's role must not be one`, {
        details: { role: agentRole },
      });
    if (!r.rolcanlogin || !r.rolcreatedb || !r.rolcreaterole) {
      await q(db, 'repair role', `ALTER ROLE ${ident(agentRole)} LOGIN CREATEDB CREATEROLE`);
      changes.push(`restored LOGIN CREATEDB CREATEROLE of role ${agentRole}`);
    }
    if (!(await check(agentRole, password))) {
      await q(db, 'set password', `ALTER ROLE ${ident(agentRole)} ${passwordClause(password)}`);
      changes.push(`reset the password of role ${agentRole} (it had drifted)`);
    }
  }
  // The owner's role with ADMIN OPTION (its databases and password); pg_monitor
  // for the facts GetStatus reports (data_directory, every session's state).
  for (const [granted, admin] of [
    [owner, true],
    ['pg_monitor', false],
  ] as const) {
    const member = await q(
      db,
      'read membership',
      `SELECT 1 FROM pg_auth_members m WHERE m.roleid = (SELECT oid FROM pg_roles WHERE rolname = $1)
          AND m.member = (SELECT oid FROM pg_roles WHERE rolname = $2) AND (m.admin_option OR NOT $3)`,
      [granted, agentRole, admin],
    );
    if (member.length === 0) {
      await q(
        db,
        'grant membership',
        `GRANT ${ident(granted)} TO ${ident(agentRole)}${admin ? ' WITH ADMIN OPTION' : ''}`,
      );
      changes.push(`made ${agentRole} a member of ${granted}`);
    }
  }
  return { changes, created: !r };
}

/** A new random password for a managed role; superusers and the caller's own role are refused. */
export async function rotatePassword(db: Queryable, roleName: string): Promise<string> {
  checkName(roleName, 'role name');
  const rows = await q<{ rolsuper: boolean; is_self: boolean }>(
    db,
    'read role',
    'SELECT rolsuper, rolname = current_user AS is_self FROM pg_roles WHERE rolname = $1',
    [roleName],
  );
  const r = rows[0];
  if (!r)
    throw new VsError('VS_ERR_ROLE_PROTECTED', `role ${roleName} does not exist`, { details: { role: roleName } });
  if (r.rolsuper || r.is_self)
    throw new VsError(
      'VS_ERR_ROLE_PROTECTED',
      `role ${roleName} is ${r.rolsuper ? 'a superuser' : "agent-db's own"}; its password is not rotated here`,
      { details: { role: roleName } },
    );
  const password = newPassword();
  await q(db, 'set password', `ALTER ROLE ${ident(roleName)} ${passwordClause(password)}`);
  return password;
}

// Scratch databases are named vsrehearsal_<label>_<8 hex>: only such names can be dropped.
export const SCRATCH_PREFIX = 'vsrehearsal_';
const SCRATCH = /^vsrehearsal_[a-z0-9_]{0,32}_[0-9a-f]{8}$/;

export async function createScratchDatabase(db: Queryable, label: string, owner: string): Promise<string> {
  checkName(owner, 'role name');
  const clean = label
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .slice(0, 32);
  const name = `${SCRATCH_PREFIX}${clean}_${randomBytes(4).toString('hex')}`;
  if (!(await role(db, owner)))
    throw new VsError('VS_ERR_ROLE_PROTECTED', `role ${owner} does not exist`, { details: { role: owner } });
  await q(
    db,
    'create scratch database',
    `CREATE DATABASE ${ident(name)} OWNER ${ident(owner)} TEMPLATE template0 ENCODING 'UTF8'`,
  );
  await q(db, 'revoke connect', `REVOKE CONNECT, TEMPORARY ON DATABASE ${ident(name)} FROM PUBLIC`);
  return name;
}

/** Drop a scratch database (connections to it are ended); true when it existed. */
export async function dropScratchDatabase(db: Queryable, name: string): Promise<boolean> {
  if (!SCRATCH.test(name)) {
    throw new VsError(
      'VS_ERR_NOT_SCRATCH',
      `${JSON.stringify(name.slice(0, 80))} is not a scratch database (${SCRATCH_PREFIX}<label>_<hex>); refusing to drop it`,
      {
        details: { database: name.slice(0, 80) },
      },
    );
  }
  const exists = await q(db, 'read database', 'SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (exists.length === 0) return false;
  await q(db, 'drop scratch database', `DROP DATABASE ${ident(name)} WITH (FORCE)`);
  return true;
}

/** Whether a database holds any table, view or sequence outside the system schemas. */
export async function databaseHoldsData(db: Queryable): Promise<boolean> {
  const rows = await q(
    db,
    'read catalog',
    `SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND c.relkind IN ('r','p','v','m','S','f') LIMIT 1`,
  );
  return rows.length > 0;
}
