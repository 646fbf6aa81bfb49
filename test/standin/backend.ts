// A stand-in VisionSuit backend: it finds DATABASE_URL the way VisionSuit does
// (the unit's EnvironmentFile first, then backend/.env through dotenv, which
// does not override), opens the SQLite file or PostgreSQL it names, and serves
// real data: the health endpoint VisionSuit has, a read endpoint and a write
// endpoint. Set STANDIN_FAIL_ON_POSTGRES=1 in its environment to make its
// health fail whenever it runs on PostgreSQL.
//
//   node backend.js <backend dir>          (PORT from the environment, default 4000)
import http from 'node:http';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import dotenv from 'dotenv';
import Database from 'better-sqlite3';
import pg from 'pg';

const backendDir = process.argv[2] ?? '.';
dotenv.config({ path: join(backendDir, '.env'), quiet: true });
const url = process.env['DATABASE_URL'] ?? '';
const port = Number(process.env['PORT'] ?? 4000);
const failOnPostgres = process.env['STANDIN_FAIL_ON_POSTGRES'] === '1';

// TIMESTAMP(3) holds UTC, as Prisma writes it.
pg.types.setTypeParser(1114, (s: string) => new Date(s.replace(' ', 'T') + 'Z'));

interface Store {
  kind: 'sqlite' | 'postgresql';
  ping(): Promise<void>;
  users(): Promise<Array<Record<string, unknown>>>;
  count(table: string): Promise<number>;
  addNotification(userId: string, title: string): Promise<string>;
}

/** A SQLite DateTime as Prisma reads it: integer ms, or text. */
const sqliteDate = (v: unknown) =>
  v === null
    ? null
    : new Date(
        typeof v === 'number' || typeof v === 'bigint'
          ? Number(v)
          : /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/.test(String(v))
            ? String(v).replace(' ', 'T') + 'Z'
            : String(v),
      ).toISOString();
const sqliteBool = (v: unknown) => v === 1 || v === 1n || v === 'true';
const TABLES = new Set(['User', 'ImageAsset', 'Notification', 'GalleryEntry', 'ModerationLog']);

function sqliteStore(file: string): Store {
  const db = new Database(file, { fileMustExist: true, timeout: 2_000 });
  return {
    kind: 'sqlite',
    async ping() {
      db.prepare('SELECT 1').get();
    },
    async users() {
      return (
        db
          .prepare('SELECT id, email, "displayName", role, "isActive", "createdAt" FROM "User" ORDER BY id')
          .all() as Array<Record<string, unknown>>
      ).map((u) => ({
        ...u,
        isActive: sqliteBool(u['isActive']),
        createdAt: sqliteDate(u['createdAt']),
      }));
    },
    async count(table) {
      return Number((db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n);
    },
    async addNotification(userId, title) {
      const id = `standin${randomBytes(8).toString('hex')}`;
      const now = Date.now();
      db.prepare(
        `INSERT INTO "Notification" (id, "userId", type, title, "createdAt", "updatedAt") VALUES (?, ?, 'ANNOUNCEMENT', ?, ?, ?)`,
      ).run(id, userId, title, now, now);
      return id;
    },
  };
}

function postgresStore(connectionString: string): Store {
  const u = new URL(connectionString);
  const pool = new pg.Pool({
    connectionString: `${u.protocol}//${u.username}:${u.password}@${u.host}${u.pathname}`,
    max: 4,
    application_name: 'standin-backend',
  });
  pool.on('error', () => {});
  return {
    kind: 'postgresql',
    async ping() {
      await pool.query('SELECT 1');
      if (failOnPostgres) throw new Error('STANDIN_FAIL_ON_POSTGRES is set');
    },
    async users() {
      const r = await pool.query(
        'SELECT id, email, "displayName", role::text AS role, "isActive", "createdAt" FROM "User" ORDER BY id COLLATE "C"',
      );
      return r.rows.map((row: Record<string, unknown>) => ({
        ...row,
        createdAt: (row['createdAt'] as Date | null)?.toISOString() ?? null,
      }));
    },
    async count(table) {
      return Number((await pool.query(`SELECT count(*)::int AS n FROM "${table}"`)).rows[0].n);
    },
    async addNotification(userId, title) {
      const id = `standin${randomBytes(8).toString('hex')}`;
      await pool.query(
        `INSERT INTO "Notification" (id, "userId", type, title, "createdAt", "updatedAt") VALUES ($1, $2, 'ANNOUNCEMENT', $3, now(), now())`,
        [id, userId, title],
      );
      return id;
    },
  };
}

let store: Store;
if (url.startsWith('file:')) store = sqliteStore(resolve(backendDir, 'prisma', url.slice('file:'.length)));
else if (/^postgres(ql)?:\/\//.test(url)) store = postgresStore(url);
else {
  process.stderr.write(`standin-backend: DATABASE_URL is neither file: nor postgresql:// (${url ? 'set' : 'unset'})\n`);
  process.exit(1);
}

const send = (res: http.ServerResponse, status: number, body: unknown) => {
  // Every answer closes its connection, so no client reuses an idle one just
  // as it times out: the keep-alive race that shared/http-get.ts describes,
  // seen in CI as "fetch failed".
  res.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
  res.end(JSON.stringify(body));
};

const server = http.createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const handle = async () => {
    if (req.method === 'GET' && path === '/api/meta/status/backend') {
      try {
        await store.ping();
        send(res, 200, { status: 'ok', database: store.kind });
      } catch (err) {
        send(res, 503, { status: 'degraded', database: store.kind, error: (err as Error).message });
      }
    } else if (req.method === 'GET' && path === '/api/users') {
      send(res, 200, await store.users());
    } else if (req.method === 'GET' && path === '/api/stats') {
      const counts: Record<string, number> = {};
      for (const t of TABLES) counts[t] = await store.count(t);
      send(res, 200, { database: store.kind, counts });
    } else if (req.method === 'POST' && path === '/api/notifications') {
      let body = '';
      for await (const chunk of req) body += chunk;
      const { userId, title } = JSON.parse(body) as { userId: string; title: string };
      send(res, 201, { id: await store.addNotification(userId, title), database: store.kind });
    } else send(res, 404, { error: 'not found' });
  };
  handle().catch((err: unknown) => send(res, 500, { error: (err as Error).message }));
});
server.listen(port, '127.0.0.1', () => process.stdout.write(`standin-backend on 127.0.0.1:${port}, ${store.kind}\n`));
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2_000).unref();
});
