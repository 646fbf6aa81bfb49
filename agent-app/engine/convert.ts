// SQLite value → PostgreSQL value, per Prisma field type (DESIGN.md's conversion
// table). The Prisma type decides, never the SQLite declared type. A value is
// turned into a field of PostgreSQL's COPY text format, or rejected with the
// lint rule it breaks. The same functions serve the lint (before any data
// moves) and the copy, so the two cannot disagree.
//
// Values arrive as better-sqlite3 returns them with safeIntegers(true):
// integers as bigint, reals as number, text as string, blobs as Buffer, NULL as null.
import type { Column } from './prisma-schema.js';

export type SqliteValue = bigint | number | string | Buffer | null;

export const RULES = {
  'null-in-required': 'NULL in a required column',
  'datetime-invalid':
    'not an integer of milliseconds, a "YYYY-MM-DD HH:MM:SS[.fff]" text or an ISO-8601 text with a zone',
  'boolean-invalid': 'not 0/1 or "true"/"false"',
  'int-overflow': 'an integer outside int4 (-2147483648..2147483647)',
  'int-invalid': 'not an integer',
  'bigint-invalid': 'not a 64-bit integer',
  'float-invalid': 'not a number',
  'decimal-invalid': 'not a number or numeric text',
  'json-empty': "an empty string where JSON is required (Prisma's DEFAULT [] on SQLite stores one)",
  'json-invalid': 'not valid JSON, or JSON PostgreSQL cannot store (\\u0000, an unpaired surrogate escape)',
  'enum-unknown': "not one of the enum's labels",
  'string-nul': 'contains a NUL byte, which PostgreSQL text cannot hold',
  'string-invalid-utf8': 'not valid UTF-8',
  'string-not-text': 'a blob in a String column',
  'bytes-invalid': 'not a blob',
  'fk-orphan': 'references a row that does not exist (or is quarantined)',
} as const;

export type Rule = keyof typeof RULES;

/** Repairs a policy may name, and the rules each may repair. */
export const REPAIRS: Record<string, Rule[]> = {
  'empty-json-to-default': ['json-empty'],
  'int-overflow-widen': ['int-overflow'],
  'strip-nul': ['string-nul'],
  'replace-invalid-utf8': ['string-invalid-utf8'],
  'unknown-enum-to-default': ['enum-unknown'],
  'orphan-to-null': ['fk-orphan'],
};

/** A value that could not be converted: which rule, and a short excerpt safe to show. */
export class Rejection {
  constructor(
    readonly rule: Rule,
    readonly excerpt: string,
  ) {}
}

export const NULL = '\\N';

/** An excerpt of a value for reports: at most 60 characters, never a whole secret. */
export function excerpt(v: SqliteValue): string {
  if (v === null) return 'NULL';
  if (Buffer.isBuffer(v))
    return `blob(${v.length} bytes) ${v.subarray(0, 16).toString('hex')}${v.length > 16 ? '…' : ''}`;
  const s = typeof v === 'string' ? JSON.stringify(v) : String(v);
  return s.length > 60 ? `${s.slice(0, 57)}…(${s.length} chars)` : s;
}

const COPY_SPECIAL = /[\\\t\n\r]/;

/** Escape text for COPY's text format. */
export function copyText(s: string): string {
  if (!COPY_SPECIAL.test(s)) return s;
  return s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

const TWO = Array.from({ length: 100 }, (_, i) => pad(i));
const THREE = Array.from({ length: 1000 }, (_, i) => pad(i, 3));
// Fractions of a second: all three digits (how the copy writes them), or
// trailing zeros dropped (how PostgreSQL prints them back).
const FRACTION = THREE.map((t) => `.${t}`);
const TRIMMED = THREE.map((t, i) => (i === 0 ? '' : `.${t.replace(/0+$/, '')}`));
const DAY_MS = 86_400_000;
// The date part by day number: a bulk copy formats millions of timestamps over
// a few thousand days. Bounded so that odd data cannot grow it without end.
const dayCache = new Map<number, string>();

function dayText(day: number): string {
  let s = dayCache.get(day);
  if (s === undefined) {
    const d = new Date(day * DAY_MS);
    const y = d.getUTCFullYear();
    s = `${pad(y, 4)}-${TWO[d.getUTCMonth() + 1]}-${TWO[d.getUTCDate()]} `;
    if (dayCache.size > 100_000) dayCache.clear();
    dayCache.set(day, s);
  }
  return s;
}

/** Milliseconds since the epoch as PostgreSQL timestamp text, in UTC; `trimmed`: as timestamp_out prints it. */
export function msToTimestamp(ms: number, trimmed = false): string {
  const fraction = trimmed ? TRIMMED : FRACTION;
  const day = Math.floor(ms / DAY_MS);
  if (day < -719_162 || day > 2_932_896) return msToTimestampWide(ms, fraction); // outside years 0001..9999
  let r = ms - day * DAY_MS;
  const milli = r % 1000;
  r = (r - milli) / 1000;
  const sec = r % 60;
  r = (r - sec) / 60;
  const min = r % 60;
  return `${dayText(day)}${TWO[(r - min) / 60]}:${TWO[min]}:${TWO[sec]}${fraction[milli]}`;
}

/** Years outside 1..9999: PostgreSQL wants "YYYYY-MM-DD ..." and " BC" for year 0 and before. */
function msToTimestampWide(ms: number, fraction: string[]): string {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const bc = y <= 0;
  return `${pad(bc ? 1 - y : y, 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${fraction[d.getUTCMilliseconds()]}${bc ? ' BC' : ''}`;
}

const MAX_DATE_MS = 8_640_000_000_000_000;

// "YYYY-MM-DD HH:MM:SS[.fff]" (UTC, as SQLite's CURRENT_TIMESTAMP writes it),
// ISO-8601 "YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)", and "YYYY-MM-DD HH:MM:SS[.fff] +00:00",
// with a space before the offset, which Prisma's SQLite table rebuilds leave behind.
const DATE_TEXT = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?: ?(Z|[+-]\d{2}:?\d{2}))?$/;

/** Parse a date text to milliseconds (UTC), or null. A zone is required for the T form. */
export function parseDateText(s: string): number | null {
  const m = DATE_TEXT.exec(s);
  if (!m) return null;
  const [, y, mo, d, h, mi, se, frac, zone] = m;
  const isoT = s[10] === 'T';
  if (isoT && !zone) return null; // a local time with no zone: ambiguous
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(se);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  // Date.UTC reads years 0..99 as 19xx; set the full year separately.
  const t = new Date(Date.UTC(2000, 0, 1, hour, minute, second, frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0));
  t.setUTCFullYear(Number(y), month - 1, day);
  if (t.getUTCDate() !== day) return null; // 2024-02-31
  let ms = t.getTime();
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2));
    if (Number(digits.slice(0, 2)) > 23 || Number(digits.slice(2)) > 59) return null;
    ms -= sign * offsetMin * 60_000;
  }
  return ms;
}

function toDateTime(v: SqliteValue): string | Rejection {
  if (typeof v === 'number' && Number.isInteger(v)) {
    return v > MAX_DATE_MS || v < -MAX_DATE_MS ? new Rejection('datetime-invalid', excerpt(v)) : msToTimestamp(v);
  }
  if (typeof v === 'bigint') return toDateTime(Number(v));
  if (typeof v === 'string') {
    const ms = parseDateText(v);
    return ms === null ? new Rejection('datetime-invalid', excerpt(v)) : msToTimestamp(ms);
  }
  return new Rejection('datetime-invalid', excerpt(v));
}

function toBoolean(v: SqliteValue): string | Rejection {
  if (v === 1n || v === 'true' || v === 1) return 't';
  if (v === 0n || v === 'false' || v === 0) return 'f';
  return new Rejection('boolean-invalid', excerpt(v));
}

const INT4_MIN = -2147483648n;
const INT4_MAX = 2147483647n;

// The copy reads 64-bit columns as decimal text (CAST in SQL) to keep them exact.
const INTEGER_TEXT = /^-?\d+$/;

function toInt(v: SqliteValue, widened: boolean): string | Rejection {
  if (typeof v === 'number' && Number.isInteger(v)) {
    return !widened && (v < -2147483648 || v > 2147483647) ? new Rejection('int-overflow', excerpt(v)) : String(v);
  }
  if (typeof v === 'bigint') {
    if (!widened && (v < INT4_MIN || v > INT4_MAX)) return new Rejection('int-overflow', excerpt(v));
    return String(v);
  }
  if (widened && typeof v === 'string' && INTEGER_TEXT.test(v)) return v;
  return new Rejection('int-invalid', excerpt(v));
}

function toBigInt(v: SqliteValue): string | Rejection {
  if (typeof v === 'bigint') return String(v);
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  if (typeof v === 'string' && INTEGER_TEXT.test(v)) return v;
  return new Rejection('bigint-invalid', excerpt(v));
}

/** A double as text that PostgreSQL reads back to the same double (keeps -0, NaN, ±Infinity). */
export function floatText(n: number): string {
  if (Object.is(n, -0)) return '-0';
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  return String(n);
}

function toFloat(v: SqliteValue): string | Rejection {
  if (typeof v === 'number') return floatText(v);
  if (typeof v === 'bigint') return floatText(Number(v));
  return new Rejection('float-invalid', excerpt(v));
}

const NUMERIC_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function toDecimal(v: SqliteValue): string | Rejection {
  if (typeof v === 'bigint') return String(v);
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'string' && NUMERIC_TEXT.test(v.trim())) return v.trim();
  return new Rejection('decimal-invalid', excerpt(v));
}

// PostgreSQL's jsonb refuses \u0000 and unpaired surrogate escapes.
const JSON_PG_UNSAFE =
  /\\u0000|\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}/;

/** Is this JSON text PostgreSQL can store as jsonb? (JSON.parse is the validator.) */
export function jsonTextOk(s: string): boolean {
  try {
    JSON.parse(s);
  } catch {
    return false;
  }
  return !(s.includes('\\u') && JSON_PG_UNSAFE.test(s));
}

function toJson(v: SqliteValue, validated: boolean): string | Rejection {
  if (typeof v === 'string') {
    if (v === '') return new Rejection('json-empty', excerpt(v));
    // The text goes through unchanged: jsonb stores its canonical form, and
    // re-serialising in JavaScript would round numbers beyond 2^53. After the
    // lint, PostgreSQL's own jsonb input is the last check.
    return validated || jsonTextOk(v) ? copyText(v) : new Rejection('json-invalid', excerpt(v));
  }
  // JSONB has numeric affinity in SQLite: a bare JSON number comes back as a number.
  if (typeof v === 'bigint') return String(v);
  if (typeof v === 'number') return Number.isFinite(v) ? floatText(v) : new Rejection('json-invalid', excerpt(v));
  return new Rejection('json-invalid', excerpt(v));
}

function toString_(v: SqliteValue, utf8Checked: boolean): string | Rejection {
  if (typeof v === 'string') {
    if (v.includes('\u0000')) return new Rejection('string-nul', excerpt(v));
    if (!utf8Checked && v.includes('\uFFFD')) return new Rejection('string-invalid-utf8', excerpt(v));
    return copyText(v);
  }
  if (typeof v === 'bigint' || typeof v === 'number') return String(v);
  return new Rejection('string-not-text', excerpt(v));
}

function toBytes(v: SqliteValue): string | Rejection {
  if (Buffer.isBuffer(v)) return `\\\\x${v.toString('hex')}`;
  return new Rejection('bytes-invalid', excerpt(v));
}

export interface ColumnConverter {
  /** COPY text for a value, or the rule it breaks. */
  (v: SqliteValue): string | Rejection;
}

export interface ConvertOptions {
  /** The column was widened to BIGINT by int-overflow-widen. */
  widened?: boolean;
  /**
   * The lint has already checked every value against the raw bytes and the full
   * rules (the copy's case): a U+FFFD in a string is a real character, and JSON
   * text need not be parsed again.
   */
  linted?: boolean;
}

/** The converter for one column. */
export function converterFor(
  c: Column,
  enumValues: ReadonlySet<string> | undefined,
  options: ConvertOptions = {},
): ColumnConverter {
  const inner: ColumnConverter = (() => {
    switch (c.type) {
      case 'DateTime':
        return toDateTime;
      case 'Boolean':
        return toBoolean;
      case 'Int':
        return (v: SqliteValue) => toInt(v, options.widened === true);
      case 'BigInt':
        return toBigInt;
      case 'Float':
        return toFloat;
      case 'Decimal':
        return toDecimal;
      case 'Json':
        return (v: SqliteValue) => toJson(v, options.linted === true);
      case 'Bytes':
        return toBytes;
      case 'String':
        return (v: SqliteValue) => toString_(v, options.linted === true);
      case 'Enum':
        return (v: SqliteValue) =>
          typeof v === 'string' && enumValues!.has(v) ? copyText(v) : new Rejection('enum-unknown', excerpt(v));
    }
  })();
  if (c.required) return (v) => (v === null ? new Rejection('null-in-required', 'NULL') : inner(v));
  return (v) => (v === null ? NULL : inner(v));
}
