// One error type for the whole product. Each error has a stable code, a message
// safe to show an operator, a hint saying what to do next, optional details safe
// to send, and a cause that is logged but never sent over the wire.
//
// The registry below is the single list of codes; docs/errors.md lists the same
// codes and a test keeps the two in step. Never match on message text: match on
// `code`.
import { status as GrpcStatus, Metadata } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';

interface CodeSpec {
  readonly grpc: GrpcStatus;
  readonly hint: string;
}

export const ERROR_CODES = {
  VS_ERR_CONFIG_INVALID: {
    grpc: GrpcStatus.INVALID_ARGUMENT,
    hint: 'Fix the named setting in the config file, VS_* environment or flag, then run with --check-config.',
  },
  VS_ERR_CONFIG_UNKNOWN_KEY: {
    grpc: GrpcStatus.INVALID_ARGUMENT,
    hint: 'Remove or correct the named key; the configuration reference in the README lists every key.',
  },
  VS_ERR_CONFIG_FILE: {
    grpc: GrpcStatus.FAILED_PRECONDITION,
    hint: 'Check that the config file exists, is readable by the service user and is valid JSON.',
  },
  VS_ERR_USAGE: {
    grpc: GrpcStatus.INVALID_ARGUMENT,
    hint: 'Run the command with --help to see its arguments.',
  },
  VS_ERR_SECRET_FILE_MODE: {
    grpc: GrpcStatus.FAILED_PRECONDITION,
    hint: 'Make the file readable by its owner only: chmod 600 <file>.',
  },
  VS_ERR_SECRET_FILE_UNREADABLE: {
    grpc: GrpcStatus.FAILED_PRECONDITION,
    hint: 'Check that the file exists and that the service user owns it.',
  },
  VS_ERR_BUNDLE_INVALID: {
    grpc: GrpcStatus.INVALID_ARGUMENT,
    hint: 'Use the vs-conf.txt written by `vs-agent-db bootstrap` on the PostgreSQL host, unedited.',
  },
  VS_ERR_NOT_PAIRED: {
    grpc: GrpcStatus.FAILED_PRECONDITION,
    hint: 'Pair this host first: copy vs-conf.txt from the PostgreSQL host and run `vsctl pair --bundle vs-conf.txt`.',
  },
  VS_ERR_AUTH_TOKEN_MISSING: {
    grpc: GrpcStatus.UNAUTHENTICATED,
    hint: 'Calls to agent-db must carry the deployment token from the pairing bundle.',
  },
  VS_ERR_AUTH_TOKEN_INVALID: {
    grpc: GrpcStatus.UNAUTHENTICATED,
    hint: 'The token does not match this agent-db; re-pair with the current bundle from the PostgreSQL host.',
  },
  VS_ERR_SSH_HOST_KEY_MISMATCH: {
    grpc: GrpcStatus.UNAVAILABLE,
    hint: 'The PostgreSQL host presented a different SSH host key than the pinned one. Do not proceed: confirm the host key on the PostgreSQL host (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) and re-pair with a fresh bundle only if the change is expected.',
  },
  VS_ERR_SSH_AUTH: {
    grpc: GrpcStatus.UNAVAILABLE,
    hint: 'The SSH server refused the key. Re-run `vs-agent-db bootstrap` on the PostgreSQL host and re-pair.',
  },
  VS_ERR_SSH_CONNECT: {
    grpc: GrpcStatus.UNAVAILABLE,
    hint: 'Check that sshd runs on the PostgreSQL host and that SSH_HOST:SSH_PORT is reachable from this host.',
  },
  VS_ERR_SSH_FORWARD_REFUSED: {
    grpc: GrpcStatus.UNAVAILABLE,
    hint: 'sshd refused or could not open the forward: check that the target service listens on the PostgreSQL host and that the key permits it.',
  },
  VS_ERR_LINK_DOWN: {
    grpc: GrpcStatus.UNAVAILABLE,
    hint: 'The SSH link to the PostgreSQL host is down; agent-app reconnects by itself. See `vsctl status` for the last error.',
  },
  VS_ERR_CONNECTOR_ROUTE: {
    grpc: GrpcStatus.UNAVAILABLE,
    hint: 'The external connector could not carry a connection to PostgreSQL: `vsctl status` shows its route; its log is `journalctl -u visionsuit-external-connector`.',
  },
  VS_ERR_AGENT_UNREACHABLE: {
    grpc: GrpcStatus.UNAVAILABLE,
    hint: 'Check that the agent runs (systemctl status visionsuit-agent-app) and that you may open its socket (root or the vsadmin group).',
  },
  VS_ERR_PG_UNREACHABLE: {
    grpc: GrpcStatus.UNAVAILABLE,
    hint: 'Check that PostgreSQL runs on the PostgreSQL host (systemctl status postgresql) and accepts local connections.',
  },
  VS_ERR_PG_AUTH: {
    grpc: GrpcStatus.PERMISSION_DENIED,
    hint: 'PostgreSQL refused the login; re-run `vs-agent-db bootstrap` to reconcile the role and its password.',
  },
  VS_ERR_PG_QUERY: {
    grpc: GrpcStatus.INTERNAL,
    hint: 'A statement failed on PostgreSQL; the agent log has the statement and SQLSTATE.',
  },
  VS_ERR_INVALID_NAME: {
    grpc: GrpcStatus.INVALID_ARGUMENT,
    hint: 'Use a plain name (letters, digits, _ and -, at most 63 characters); names are never pasted into SQL.',
  },
  VS_ERR_ROLE_PROTECTED: {
    grpc: GrpcStatus.FAILED_PRECONDITION,
    hint: "vsmigrate manages only the app's owner role and its own; superusers are never touched. Name an existing, non-superuser role.",
  },
  VS_ERR_NOT_SCRATCH: {
    grpc: GrpcStatus.PERMISSION_DENIED,
    hint: 'Only rehearsal scratch databases (vsrehearsal_*) can be dropped this way; other databases are dropped by hand, after a backup.',
  },
  VS_ERR_BOOTSTRAP: {
    grpc: GrpcStatus.FAILED_PRECONDITION,
    hint: 'Bootstrap stopped at the named step; what it changed before is listed above and kept. Fix the cause and run it again (it is idempotent).',
  },
  VS_ERR_DISK_SPACE: {
    grpc: GrpcStatus.FAILED_PRECONDITION,
    hint: 'Free space on the named file system, or lower the requirement (preflight.diskFactor, preflight.minFreeBytes) if you know the copy fits.',
  },
  VS_ERR_DISK_FULL: {
    grpc: GrpcStatus.RESOURCE_EXHAUSTED,
    hint: 'The named file system filled up while writing: free at least the space named (or point the work directory at a larger file system), then run the same command again; it resumes.',
  },
  VS_ERR_REPORT_WRITE: {
    grpc: GrpcStatus.FAILED_PRECONDITION,
    hint: 'The database itself is complete; only the report could not be written. Fix the cause named (often a full disk) and run the same command again: it writes the report and changes nothing else.',
  },
  VS_ERR_WORK_DIR_UNSAFE: {
    grpc: GrpcStatus.FAILED_PRECONDITION,
    hint: 'The work directory holds a copy of the data: it must be a real directory (not a link) owned by you with mode 0700. Remove or fix it, or name another with --work-dir.',
  },
  VS_ERR_ENVFILE_LINKED: {
    grpc: GrpcStatus.FAILED_PRECONDITION,
    hint: 'An env file with a second hard link or a bind mount cannot be replaced atomically without breaking the other name. Make it a plain file (or a symlink to one) and run again.',
  },
  VS_ERR_ENVFILE_WRITE: {
    grpc: GrpcStatus.FAILED_PRECONDITION,
    hint: 'The named env file could not be written (read-only, immutable, a bind mount, or a full disk). Fix the file, then run `vsctl rollback` or the migration again; nothing else was left half-done.',
  },
  VS_ERR_SERVICE: {
    grpc: GrpcStatus.FAILED_PRECONDITION,
    hint: 'systemctl could not start or stop the named unit: `systemctl status <unit>` and `journalctl -u <unit>` say why.',
  },
  VS_ERR_WRITER_ACTIVE: {
    grpc: GrpcStatus.FAILED_PRECONDITION,
    hint: 'A process still has the SQLite file open after the writers were stopped; stop it (its name and PID are given), then run again. Nothing was changed.',
  },
  VS_ERR_OPERATION_RUNNING: {
    grpc: GrpcStatus.FAILED_PRECONDITION,
    hint: 'One operation at a time: `vsctl watch <id>` follows the running one, `vsctl cancel <id>` stops it at its next safe point.',
  },
  VS_ERR_NOT_FOUND: {
    grpc: GrpcStatus.NOT_FOUND,
    hint: '`vsctl runs` lists the operations this agent knows.',
  },
  VS_ERR_HEALTH_PROBE: {
    grpc: GrpcStatus.FAILED_PRECONDITION,
    hint: 'The app did not come up healthy; the run rolled back to SQLite. The report and `journalctl -u vs-backend` say why.',
  },
  VS_ERR_ROLLBACK_LOSS: {
    grpc: GrpcStatus.FAILED_PRECONDITION,
    hint: 'PostgreSQL received writes after the cutover; rolling back to SQLite would lose them. Pass --accept-loss only if losing them is acceptable.',
  },
  VS_ERR_CANCELLED: {
    grpc: GrpcStatus.CANCELLED,
    hint: 'The operation was cancelled at a safe point; run it again to resume.',
  },
  VS_ERR_VERIFY_DIFFERENT: {
    grpc: GrpcStatus.FAILED_PRECONDITION,
    hint: 'The copy does not equal the snapshot; the report names the rows and columns. The app stays on SQLite.',
  },
  VS_ERR_VERIFY_UNSUPPORTED: {
    grpc: GrpcStatus.FAILED_PRECONDITION,
    hint: "The server's hashtextextended() differs from the verification's own (a big-endian server?): the rows cannot be compared by checksum there. Compare the databases another way before switching.",
  },
  VS_ERR_INTERRUPTED: {
    grpc: GrpcStatus.ABORTED,
    hint: 'agent-app was restarted in the middle of a step that cannot be resumed; the run rolled back to SQLite. Run it again.',
  },
  VS_ERR_ENVFILE_UNSAFE_VALUE: {
    grpc: GrpcStatus.INVALID_ARGUMENT,
    hint: 'The value cannot be written so that both systemd and dotenv read it back unchanged.',
  },
  VS_ERR_ENVFILE_ROUNDTRIP: {
    grpc: GrpcStatus.FAILED_PRECONDITION,
    hint: 'The env file has a shape the editor cannot change safely (for example a multi-line value); edit it by hand. Nothing was written.',
  },
  VS_ERR_SCHEMA_INVALID: {
    grpc: GrpcStatus.INVALID_ARGUMENT,
    hint: "Point --prisma-schema at the app's backend/prisma/schema.prisma; Prisma's parser output above says what it rejected.",
  },
  VS_ERR_SCHEMA_UNSUPPORTED: {
    grpc: GrpcStatus.FAILED_PRECONDITION,
    hint: 'The schema uses a Prisma feature vsmigrate cannot migrate yet; nothing was changed.',
  },
  VS_ERR_SCHEMA_CHANGED: {
    grpc: GrpcStatus.FAILED_PRECONDITION,
    hint: "The app's schema.prisma (or its migrations directory) changed under the run: see what changed (an update of the app?), then run the command again, or with its force flag when the change should be undone.",
  },
  VS_ERR_PRISMA_MISMATCH: {
    grpc: GrpcStatus.FAILED_PRECONDITION,
    hint: 'The app\'s Prisma files name another database than its DATABASE_URL, so its Prisma Client refuses to start (an update of the app brings back provider "sqlite" and the SQLite migrations). On PostgreSQL: run `vsctl prisma-switch`, which switches them again and restarts the app. On SQLite: `vsctl rollback` puts them back after a migration.',
  },
  VS_ERR_SCHEMA_MISMATCH: {
    grpc: GrpcStatus.FAILED_PRECONDITION,
    hint: "schema.prisma and the SQLite file do not match: use the app's own schema.prisma, and apply the app's pending Prisma migrations to the file before migrating.",
  },
  VS_ERR_SQLITE_UNREADABLE: {
    grpc: GrpcStatus.FAILED_PRECONDITION,
    hint: 'Check the path to the SQLite file and that this user may read it.',
  },
  VS_ERR_SQLITE_CORRUPT: {
    grpc: GrpcStatus.FAILED_PRECONDITION,
    hint: 'The SQLite file fails its integrity check. Restore it from a backup, or repair it with `sqlite3 FILE .recover`, before migrating.',
  },
  VS_ERR_TARGET_NOT_EMPTY: {
    grpc: GrpcStatus.FAILED_PRECONDITION,
    hint: 'The target database already holds tables. Use an empty database, or pass {replace} to replace it (it is backed up first).',
  },
  VS_ERR_SOURCE_SCHEMA_CHANGED: {
    grpc: GrpcStatus.FAILED_PRECONDITION,
    hint: "The app changed its SQLite file's schema (PRAGMA schema_version moved) while the online migration caught up; the run stopped before the freeze and the app kept running on SQLite. Run vsctl migrate again once the app's update is done (--replace-target, as the target holds the earlier copy).",
  },
  VS_ERR_TARGET_FOREIGN_WRITE: {
    grpc: GrpcStatus.FAILED_PRECONDITION,
    hint: 'Something other than this run wrote the target database during the migration (rows it did not write, or fewer rows than it left); the app stays on SQLite. Find the writer (pg_stat_activity on the PostgreSQL host), stop it, and run vsctl migrate again with --replace-target.',
  },
  VS_ERR_LINT_FINDINGS: {
    grpc: GrpcStatus.FAILED_PRECONDITION,
    hint: 'Values that cannot be converted were found; fix them in the app, or choose a policy per rule (--policy RULE=repair:NAME or RULE=quarantine) and run again.',
  },
  VS_ERR_POLICY_INVALID: {
    grpc: GrpcStatus.INVALID_ARGUMENT,
    hint: 'A policy is RULE=fail, RULE=quarantine or RULE=repair:NAME, where RULE is a lint rule or Table.column; see the README for the rules.',
  },
  VS_ERR_BACKUP_FAILED: {
    grpc: GrpcStatus.INTERNAL,
    hint: 'The target was not touched because its backup failed; check that pg_dump is installed, matches the server version and that disk space suffices.',
  },
  VS_ERR_COPY_FAILED: {
    grpc: GrpcStatus.INTERNAL,
    hint: 'The copy stopped; run the same command again to resume from the last checkpoint.',
  },
  VS_ERR_SHUTTING_DOWN: {
    grpc: GrpcStatus.UNAVAILABLE,
    hint: 'The agent is stopping; retry once it is back.',
  },
  VS_ERR_UNIMPLEMENTED: {
    grpc: GrpcStatus.UNIMPLEMENTED,
    hint: 'This agent version does not provide that call yet; upgrade both agents and vsctl together.',
  },
  VS_ERR_INTERNAL: {
    grpc: GrpcStatus.INTERNAL,
    hint: 'An unexpected error; the agent log (journalctl -u <unit>) has the details.',
  },
} as const satisfies Record<string, CodeSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

export type ErrorDetails = Record<string, string | number | boolean | null>;

/** The flags hints name, as each program spells them: vsctl's, or the agentless commands' (migrate-local). */
const FLAGS = {
  vsctl: { replace: '--replace-target' },
  local: { replace: '--replace' },
} as const;

/** A code's hint, with the flags the program the operator ran spells its way. */
export function hintOf(code: ErrorCode, program: keyof typeof FLAGS): string {
  return ERROR_CODES[code].hint.replaceAll('{replace}', FLAGS[program].replace);
}

export class VsError extends Error {
  override readonly name = 'VsError';
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, options: { details?: ErrorDetails; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }

  /** What to do next, as vsctl's operator would type it (hintOf names another program's flags). */
  get hint(): string {
    return hintOf(this.code, 'vsctl');
  }

  get grpcStatus(): GrpcStatus {
    return ERROR_CODES[this.code].grpc;
  }

  /** The shape sent in replies and printed by vsctl. */
  toInfo(): { code: string; message: string; hint: string } {
    return { code: this.code, message: this.message, hint: this.hint };
  }
}

export function isErrorCode(value: string): value is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}

/** PostgreSQL errors carry a SQLSTATE; map them by class. */
export function fromPgError(err: unknown, what: string): VsError {
  if (err instanceof VsError) return err;
  const sqlstate =
    typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
  // Not from the server or the driver's socket: a bug of ours, not PostgreSQL's.
  if (!sqlstate) return toVsError(err);
  const details: ErrorDetails = sqlstate ? { sqlstate } : {};
  if (sqlstate.startsWith('28'))
    return new VsError('VS_ERR_PG_AUTH', `${what}: PostgreSQL refused the login (SQLSTATE ${sqlstate})`, {
      details,
      cause: err,
    });
  if (
    sqlstate.startsWith('08') ||
    sqlstate === '57P03' ||
    ['ECONNREFUSED', 'ENOENT', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH'].includes(sqlstate)
  ) {
    return new VsError('VS_ERR_PG_UNREACHABLE', `${what}: PostgreSQL is not reachable (${sqlstate})`, {
      details,
      cause: err,
    });
  }
  return new VsError(
    'VS_ERR_PG_QUERY',
    `${what}: PostgreSQL reported an error${sqlstate ? ` (SQLSTATE ${sqlstate})` : ''}`,
    { details, cause: err },
  );
}

/** Any thrown value as a VsError; unknown errors become VS_ERR_INTERNAL with a generic message. */
export function toVsError(err: unknown): VsError {
  if (err instanceof VsError) return err;
  return new VsError('VS_ERR_INTERNAL', 'internal error', { cause: err });
}

const CODE_KEY = 'vs-error-code';
const DETAILS_KEY = 'vs-error-details';

/** Our error as a gRPC status for a handler's callback. The cause never leaves the process. */
export function toServiceError(err: VsError): Partial<ServiceError> {
  const metadata = new Metadata();
  metadata.set(CODE_KEY, err.code);
  if (Object.keys(err.details).length > 0) metadata.set(DETAILS_KEY, JSON.stringify(err.details));
  return { code: err.grpcStatus, details: err.message, metadata };
}

/** Rebuild our error from a gRPC status on the client side. */
export function fromServiceError(err: unknown): VsError {
  const se = err as Partial<ServiceError>;
  const code = se.metadata?.get(CODE_KEY)[0];
  if (typeof code === 'string' && isErrorCode(code)) {
    const raw = se.metadata?.get(DETAILS_KEY)[0];
    let details: ErrorDetails = {};
    if (typeof raw === 'string') {
      try {
        details = JSON.parse(raw) as ErrorDetails;
      } catch {
        details = {};
      }
    }
    return new VsError(code, se.details ?? code, { details });
  }
  if (se.code === GrpcStatus.UNAVAILABLE || se.code === GrpcStatus.DEADLINE_EXCEEDED) {
    return new VsError('VS_ERR_AGENT_UNREACHABLE', `the agent did not answer: ${se.details ?? 'unavailable'}`, {
      cause: err,
    });
  }
  if (se.code === GrpcStatus.UNIMPLEMENTED) {
    return new VsError('VS_ERR_UNIMPLEMENTED', se.details ?? 'not implemented', { cause: err });
  }
  return new VsError('VS_ERR_INTERNAL', se.details ?? String(err), { cause: err });
}
