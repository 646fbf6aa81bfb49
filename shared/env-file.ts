// Editing KEY=VALUE env files (systemd EnvironmentFile, dotenv's .env) without
// disturbing anything but the keys asked for: comments, blank lines, order,
// quoting and every other key stay byte-for-byte. dotenv's own parser is the
// judge: a key's lines are the ones dotenv reads that key from, and the edited
// file must parse to exactly the old values with only the named keys changed,
// or nothing is written.
//
// Each change writes a timestamped backup of the old file first and replaces the
// file atomically (see atomic-file.ts).
import { copyFile, chmod, chown, readFile, stat } from 'node:fs/promises';
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
  throw new VsError('VS_ERR_ENVFILE_UNSAFE_VALUE', "the value holds a single quote together with a '#', a backslash or blanks at an end, which no quoting reads back the same in both systemd and dotenv");
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
  const keys = (o: Record<string, string>) => Object.keys(o).filter((k) => k !== except).sort();
  const ka = keys(a);
  const kb = keys(b);
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}

export interface EditResult {
  path: string;
  /** Keys whose value changed or that were added. */
  changed: string[];
  /** The copy of the old file, or null when nothing had to change. */
  backupPath: string | null;
}

export interface EditOptions {
  now?: Date;
  /** Create the file (mode 0600) when it does not exist. */
  createIfMissing?: boolean;
  /** Passed to the atomic write; tests crash the process here. */
  beforeRename?: () => void | Promise<void>;
}

export function backupStamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** Set `changes` in the env file at `path`, touching nothing else. */
export async function editEnvFile(path: string, changes: Record<string, string>, options: EditOptions = {}): Promise<EditResult> {
  let original: Buffer;
  let mode = 0o600;
  let owner: { uid: number; gid: number } | undefined;
  try {
    original = await readFile(path);
    const st = await stat(path);
    mode = st.mode & 0o7777;
    owner = { uid: st.uid, gid: st.gid };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !options.createIfMissing) throw err;
    original = Buffer.alloc(0);
  }
  const text = original.toString('utf8');
  const before = dotenv.parse(original);
  const lines = text.length === 0 ? [] : text.split(/(?<=\n)/);
  // A line is rewritten only when dotenv agrees it is that key's assignment:
  // after the rewrite no other key's value has moved (a "KEY=" line inside
  // another key's multi-line quoted value fails this and is left alone).
  const out = [...lines];
  let current = before;
  const seen = new Set<string>();
  out.forEach((line, i) => {
    const m = ASSIGNMENT.exec(line.replace(/\r?\n$/, ''));
    const key = m?.[2];
    if (!key || !(key in changes) || !(key in dotenv.parse(line))) return;
    const candidate = [...out];
    candidate[i] = rewriteLine(line, key, changes[key]!);
    const parsed = dotenv.parse(candidate.join(''));
    const othersKept = sameEntries(parsed, current, key);
    if (othersKept && (parsed[key] === current[key] || parsed[key] === changes[key])) {
      out[i] = candidate[i]!;
      current = parsed;
      seen.add(key);
    }
  });
  const missing = Object.keys(changes).filter((k) => !seen.has(k));
  if (missing.length > 0) {
    if (out.length > 0 && !out[out.length - 1]!.endsWith('\n')) out[out.length - 1] += '\n';
    for (const key of missing) out.push(`${key}=${formatEnvValue(changes[key]!)}\n`);
  }
  const next = out.join('');

  if (!sameEntries(dotenv.parse(next), { ...before, ...changes })) {
    throw new VsError('VS_ERR_ENVFILE_ROUNDTRIP', `${path}: the edited file would not read back as intended; nothing was written`, {
      details: { path },
    });
  }

  const changed = Object.keys(changes).filter((k) => before[k] !== changes[k]);
  if (next === text) return { path, changed: [], backupPath: null };

  await removeStaleTemps(path);
  let backupPath: string | null = null;
  if (owner) {
    backupPath = `${path}.vsmigrate-${backupStamp(options.now ?? new Date())}.bak`;
    await copyFile(path, backupPath);
    await chmod(backupPath, mode);
    await chown(backupPath, owner.uid, owner.gid).catch(() => {});
    const handle = await open(backupPath, 'r');
    await handle.sync();
    await handle.close();
  }
  await writeFileAtomic(path, next, { mode, ...(owner ?? {}), beforeRename: options.beforeRename });
  return { path, changed, backupPath };
}
