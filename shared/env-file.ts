// Editing KEY=VALUE env files (systemd EnvironmentFile, dotenv's .env) without
// disturbing anything but the keys asked for: comments, blank lines, order,
// quoting and every other key stay byte-for-byte. dotenv's own parser is the
// judge: a key's lines are the ones dotenv reads that key from, and the edited
// file must parse to exactly the old values with only the named keys changed,
// or nothing is written.
//
// Each change writes a timestamped backup of the old file first and replaces the
// file atomically (see atomic-file.ts). The file is edited as bytes, whatever
// its encoding; a symlink stays a symlink (the file it points at is written,
// in that file's directory); a hard-linked or bind-mounted file is refused.
import { existsSync, realpathSync, statSync } from 'node:fs';
import { copyFile, chmod, chown, readFile, stat } from 'node:fs/promises';
import { mountPointOf } from './disk.js';
import { open } from 'node:fs/promises';
import dotenv from 'dotenv';
import { VsError } from './errors.js';
import { removeStaleTemps, writeFileAtomic } from './atomic-file.js';

/** Read an env file as dotenv does. */
export async function readEnvFile(path: string): Promise<Record<string, string>> {
  return dotenv.parse(await readFile(path));
}

// A value made only of these needs no quotes in either systemd or dotenv.
// Percent-encoded URLs fit.
const BARE_SAFE = /^[A-Za-z0-9_@%+=:,./?&~-]*$/;

// Unquoted, systemd takes every character literally up to the line's end and
// trims trailing blanks; dotenv reads up to a '#' and trims both ends. A value
// that starts with no quote or blank, ends with no blank, and holds no '#' or
// backslash therefore reads back the same in both, quotes of either kind included.
const BARE_LITERAL = /^[^\s'"`#\\](?:[^#\\]*[^\s#\\])?$/;

/** A value written so that both systemd's EnvironmentFile and dotenv read it back unchanged. */
export function formatEnvValue(value: string, preferredQuote = ''): string {
  if (/[\n\r\0]/.test(value)) {
    throw new VsError('VS_ERR_ENVFILE_UNSAFE_VALUE', 'an env-file value cannot contain line breaks or NUL');
  }
  if (preferredQuote === '"' && !/["\\$`]/.test(value)) return `"${value}"`;
  if (preferredQuote === "'" && !value.includes("'")) return `'${value}'`;
  if (BARE_SAFE.test(value)) return value;
  // Single quotes are literal in both systemd and dotenv.
  if (!value.includes("'")) return `'${value}'`;
  if (BARE_LITERAL.test(value)) return value;
  throw new VsError(
    'VS_ERR_ENVFILE_UNSAFE_VALUE',
    "the value holds a single quote together with a '#', a backslash or blanks at an end, which no quoting reads back the same in both systemd and dotenv",
  );
}

const ASSIGNMENT = /^(\s*(?:export\s+)?)([A-Za-z_][A-Za-z0-9_.-]*)(\s*=\s*)(.*)$/;

/** Rewrite one line's value, keeping its prefix and a trailing comment dotenv ignores. */
function rewriteLine(line: string, key: string, value: string): string {
  const eol = line.match(/\r?\n$/)?.[0] ?? '';
  const body = line.slice(0, line.length - eol.length);
  const m = ASSIGNMENT.exec(body)!;
  const prefix = m[1]! + m[2]! + m[3]!;
  const rest = m[4]!;
  const oldValue = dotenv.parse(body)[key];
  // The trailing comment, if any: the first " #" after which the value dotenv
  // reads is already complete.
  let comment = '';
  for (const hash of rest.matchAll(/\s#/g)) {
    if (dotenv.parse(prefix + rest.slice(0, hash.index))[key] === oldValue) {
      comment = rest.slice(hash.index);
      break;
    }
  }
  const quote = rest.startsWith('"') ? '"' : rest.startsWith("'") ? "'" : '';
  return prefix + formatEnvValue(value, quote) + comment + eol;
}

/** Same keys with the same values, ignoring `except`. */
function sameEntries(a: Record<string, string>, b: Record<string, string>, except?: string): boolean {
  const keys = (o: Record<string, string>) =>
    Object.keys(o)
      .filter((k) => k !== except)
      .sort();
  const ka = keys(a);
  const kb = keys(b);
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}

export interface EditResult {
  /** The file written: the configured path with its symlinks resolved. */
  path: string;
  /** Keys whose value changed, were added or were removed. */
  changed: string[];
  /** Each changed key's value before the edit; null where the key was absent. */
  old: Record<string, string | null>;
  /** The copy of the old file, or null when nothing had to change. */
  backupPath: string | null;
}

export interface EditOptions {
  now?: Date;
  /** Create the file (mode 0600) when it does not exist. */
  createIfMissing?: boolean;
  /** Keys to remove (each line dotenv reads them from). */
  remove?: string[];
  /** Passed to the atomic write; tests crash the process here. */
  beforeRename?: () => void | Promise<void>;
}

export function backupStamp(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

// The file is edited as bytes: each byte is one character of a latin1 string,
// so a comment in Latin-1 (or any other encoding) is written back as it was.
// A value we write is UTF-8, turned into its bytes the same way.
const asBytes = (value: string) => Buffer.from(value, 'utf8').toString('latin1');
const fromBytes = (value: string) => Buffer.from(value, 'latin1').toString('utf8');

/**
 * Why an env file cannot be replaced atomically without breaking another name
 * for it: a second hard link (the other name keeps the old content) or a bind
 * mount (a rename over it fails). Null when it can; symlinks are fine (the
 * file they point at is written).
 */
export function envFileLinkProblem(path: string): string | null {
  let real: string;
  let nlink: number;
  try {
    real = realpathSync(path);
    nlink = statSync(real).nlink;
  } catch {
    return null; // missing: nothing to break
  }
  if (nlink > 1)
    return `${path} has ${nlink} hard links: replacing it would leave the other names with the old content`;
  if (mountPointOf(real) === real) return `${path} is a bind mount: it cannot be replaced by a rename`;
  return null;
}

const writeError = (path: string, err: unknown) =>
  new VsError(
    'VS_ERR_ENVFILE_WRITE',
    `cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? ''} ${(err as Error).message}`.trim(),
    { cause: err, details: { path } },
  );

/** Set `changes` (and remove `options.remove`) in the env file at `path`, touching nothing else. */
export async function editEnvFile(
  path: string,
  changes: Record<string, string>,
  options: EditOptions = {},
): Promise<EditResult> {
  const linked = envFileLinkProblem(path);
  if (linked) throw new VsError('VS_ERR_ENVFILE_LINKED', `${linked}; nothing was written`, { details: { path } });
  const real = existsSync(path) ? realpathSync(path) : path;
  let original: Buffer;
  let mode = 0o600;
  let owner: { uid: number; gid: number } | undefined;
  try {
    original = await readFile(real);
    const st = await stat(real);
    mode = st.mode & 0o7777;
    owner = { uid: st.uid, gid: st.gid };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !options.createIfMissing) throw err;
    original = Buffer.alloc(0);
  }
  const wanted = Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, asBytes(v)]));
  const remove = new Set((options.remove ?? []).filter((k) => !(k in wanted)));
  const text = original.toString('latin1');
  const before = dotenv.parse(text);
  const lines = text.length === 0 ? [] : text.split(/(?<=\n)/);
  // A line is rewritten (or removed) only when dotenv agrees it is that key's
  // assignment: after the edit no other key's value has moved (a "KEY=" line
  // inside another key's multi-line quoted value fails this and is left alone).
  let out = [...lines];
  let current = before;
  const seen = new Set<string>();
  for (let i = 0; i < out.length; i++) {
    const line = out[i]!;
    const key = ASSIGNMENT.exec(line.replace(/\r?\n$/, ''))?.[2];
    if (!key || !(key in wanted || remove.has(key)) || !(key in dotenv.parse(line))) continue;
    const candidate = [...out];
    if (remove.has(key)) candidate.splice(i, 1);
    else candidate[i] = rewriteLine(line, key, wanted[key]!);
    const parsed = dotenv.parse(candidate.join(''));
    if (!sameEntries(parsed, current, key)) continue;
    if (
      remove.has(key)
        ? !(key in parsed) || parsed[key] === current[key]
        : parsed[key] === current[key] || parsed[key] === wanted[key]
    ) {
      out = candidate;
      current = parsed;
      seen.add(key);
      if (remove.has(key)) i--;
    }
  }
  const missing = Object.keys(wanted).filter((k) => !seen.has(k));
  if (missing.length > 0) {
    if (out.length > 0 && !out[out.length - 1]!.endsWith('\n')) out[out.length - 1] += '\n';
    for (const key of missing) out.push(`${key}=${formatEnvValue(wanted[key]!)}\n`);
  }
  const next = out.join('');

  const expected: Record<string, string> = { ...before, ...wanted };
  for (const k of remove) delete expected[k];
  if (!sameEntries(dotenv.parse(next), expected)) {
    throw new VsError(
      'VS_ERR_ENVFILE_ROUNDTRIP',
      `${path}: the edited file would not read back as intended; nothing was written`,
      {
        details: { path },
      },
    );
  }

  const changed = [
    ...Object.keys(wanted).filter((k) => before[k] !== wanted[k]),
    ...[...remove].filter((k) => k in before),
  ];
  const old = Object.fromEntries(changed.map((k) => [k, k in before ? fromBytes(before[k]!) : null]));
  if (next === text) return { path: real, changed: [], old: {}, backupPath: null };

  let backupPath: string | null = null;
  try {
    await removeStaleTemps(real);
    if (owner) {
      backupPath = `${real}.vsmigrate-${backupStamp(options.now ?? new Date())}.bak`;
      await copyFile(real, backupPath);
      await chmod(backupPath, mode);
      await chown(backupPath, owner.uid, owner.gid).catch(() => {});
      const handle = await open(backupPath, 'r');
      await handle.sync();
      await handle.close();
    }
    await writeFileAtomic(real, Buffer.from(next, 'latin1'), {
      mode,
      ...(owner ?? {}),
      beforeRename: options.beforeRename,
    });
  } catch (err) {
    throw writeError(real, err);
  }
  return { path: real, changed, old, backupPath };
}
