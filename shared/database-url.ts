// postgresql:// URLs, only where a URL is unavoidable (Prisma's DATABASE_URL).
// Every component is percent-encoded beyond encodeURIComponent (also ! ' ( ) *),
// so a URL holds only letters, digits, "-._~", "%" escapes and its own
// delimiters: safe bare in env files, and parsed back to the same parts by
// WHATWG URL, pg and Prisma alike.
export interface DatabaseUrlParts {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** Query parameters, e.g. { schema: 'public' } for Prisma. */
  params?: Record<string, string>;
}

const strict = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export function databaseUrl(p: DatabaseUrlParts): string {
  const query = Object.entries(p.params ?? {})
    .map(([k, v]) => `${strict(k)}=${strict(v)}`)
    .join('&');
  const host = p.host.includes(':') ? `[${p.host}]` : p.host;
  return `postgresql://${strict(p.user)}:${strict(p.password)}@${host}:${p.port}/${strict(p.database)}${query ? `?${query}` : ''}`;
}

export function parseDatabaseUrl(url: string): Omit<DatabaseUrlParts, 'params'> & { params: Record<string, string> } {
  const u = new URL(url);
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.slice(1)),
    params: Object.fromEntries(u.searchParams),
  };
}
