// A stand-in VisionSuit backend that is a real Prisma application. Like
// VisionSuit's start script, it generates its Prisma Client from the app's
// backend/prisma/schema.prisma at every start (cached by the file's hash: see
// prisma-client.ts), finds DATABASE_URL the way VisionSuit does (the unit's
// EnvironmentFile first, then backend/.env through dotenv, which does not
// override), and picks its driver adapter from the URL's scheme. So a client
// generated for "sqlite" that meets a postgresql:// URL is refused by Prisma's
// own check, and the backend does not start: as VisionSuit fails when its
// Prisma files were not switched.
//
// It serves, through Prisma: the health endpoint VisionSuit has (a SELECT 1),
// counts per model, rows by key and every row of a model, and writes that rely
// on the schema's defaults (cuid(), now(), enum and boolean defaults), an
// update that moves @updatedAt and a delete that cascades. Set
// STANDIN_FAIL_ON_POSTGRES=1 in its environment to make its health fail
// whenever it runs on PostgreSQL.
//
//   node backend.js <backend dir>          (PORT from the environment, default 4000)
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import dotenv from 'dotenv';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { loadClient } from './prisma-client.js';

const backendDir = process.argv[2] ?? '.';
dotenv.config({ path: join(backendDir, '.env'), quiet: true });
const url = process.env['DATABASE_URL'] ?? '';
const port = Number(process.env['PORT'] ?? 4000);
const failOnPostgres = process.env['STANDIN_FAIL_ON_POSTGRES'] === '1';
const prismaDir = join(backendDir, 'prisma');

/** The driver adapter for DATABASE_URL; a file: URL is relative to schema.prisma's directory, as in Prisma 6. */
function adapterFor(databaseUrl: string): { adapter: unknown; kind: 'sqlite' | 'postgresql' } {
  if (databaseUrl.startsWith('file:')) {
    const file = resolve(prismaDir, databaseUrl.slice('file:'.length));
    // Prisma 6 stores DateTime in SQLite as integer milliseconds.
    return {
      adapter: new PrismaBetterSqlite3({ url: file, timeout: 2_000 }, { timestampFormat: 'unixepoch-ms' }),
      kind: 'sqlite',
    };
  }
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    const u = new URL(databaseUrl);
    const schema = u.searchParams.get('schema') ?? undefined;
    u.search = '';
    return {
      adapter: new PrismaPg({ connectionString: u.href, max: 4, application_name: 'standin-backend' }, { schema }),
      kind: 'postgresql',
    };
  }
  throw new Error(`DATABASE_URL is neither file: nor postgresql:// (${databaseUrl ? 'set' : 'unset'})`);
}

type Delegate = Record<string, (args?: unknown) => Promise<unknown>>;

async function main() {
  const { PrismaClient, Prisma } = await loadClient(readFileSync(join(prismaDir, 'schema.prisma')));
  const { adapter, kind } = adapterFor(url);
  // Throws Prisma's PrismaClientInitializationError when the adapter does not fit the schema's provider.
  const prisma = new PrismaClient({ adapter });
  const models = Object.values(Prisma.ModelName);
  const delegate = (model: string): Delegate => {
    if (!models.includes(model)) throw Object.assign(new Error(`no model ${model}`), { status: 404 });
    return prisma[model[0]!.toLowerCase() + model.slice(1)] as Delegate;
  };

  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://x');
    const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const route = `${req.method} /${parts.slice(0, 2).join('/')}`;
    const body = async () => {
      let text = '';
      for await (const chunk of req) text += chunk;
      return JSON.parse(text || '{}') as Record<string, unknown>;
    };
    const handle = async (): Promise<[number, unknown]> => {
      switch (route) {
        case 'GET /api/meta':
          if (parts.join('/') !== 'api/meta/status/backend') break;
          try {
            await prisma.$queryRawUnsafe('SELECT 1');
            if (kind === 'postgresql' && failOnPostgres) throw new Error('STANDIN_FAIL_ON_POSTGRES is set');
            return [200, { status: 'ok', database: kind }];
          } catch (err) {
            return [503, { status: 'degraded', database: kind, error: (err as Error).message }];
          }
        case 'GET /api/stats': {
          const counts: Record<string, number> = {};
          for (const m of models) counts[m] = (await delegate(m)['count']!()) as number;
          return [200, { database: kind, counts }];
        }
        case 'GET /api/rows':
          // Every row of a model (parts[2]), or the one whose id is parts[3].
          if (parts[3] !== undefined) {
            const row = await delegate(parts[2]!)['findUnique']!({ where: { id: parts[3] } });
            return row ? [200, row] : [404, { error: 'not found' }];
          }
          return [200, await delegate(parts[2]!)['findMany']!()];
        case 'GET /api/users': {
          const users = (await delegate('User')['findMany']!({
            select: { id: true, email: true, displayName: true, role: true, isActive: true, createdAt: true },
          })) as Array<{ id: string }>;
          return [200, users.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))];
        }
        case 'POST /api/users': {
          // id (cuid()), role (USER), isActive, passwordHash, createdAt (now()) come from the schema.
          const { email, displayName } = await body();
          const user = (await delegate('User')['create']!({ data: { email, displayName } })) as object;
          return [201, { ...user, database: kind }];
        }
        case 'DELETE /api/users': {
          // Notifications, likes and comments go with the user (onDelete: Cascade).
          await delegate('User')['delete']!({ where: { id: parts[2] } });
          return [200, { deleted: parts[2], database: kind }];
        }
        case 'POST /api/notifications': {
          const { userId, title } = await body();
          const n = (await delegate('Notification')['create']!({
            data: { userId, title, type: 'ANNOUNCEMENT' },
          })) as { id: string };
          return [201, { ...n, database: kind }];
        }
        case 'PATCH /api/notifications': {
          // Prisma sets updatedAt (@updatedAt) itself.
          const { title } = await body();
          return [200, await delegate('Notification')['update']!({ where: { id: parts[2] }, data: { title } })];
        }
      }
      return [404, { error: 'not found' }];
    };
    void handle()
      .catch((err: Error & { status?: number; code?: string }) => [
        err.status ?? 500,
        { error: err.message, code: err.code },
      ])
      .then(([status, answer]) => {
        // Every answer closes its connection, so no client reuses an idle one just
        // as it times out: the keep-alive race that shared/http-get.ts describes.
        res.writeHead(status as number, { 'content-type': 'application/json', connection: 'close' });
        res.end(JSON.stringify(answer, jsonValue));
      });
  });
  server.listen(port, '127.0.0.1', () =>
    process.stdout.write(`standin-backend on 127.0.0.1:${port}, Prisma Client on ${kind}\n`),
  );
  process.on('SIGTERM', () => {
    server.close(() => void prisma.$disconnect().finally(() => process.exit(0)));
    setTimeout(() => process.exit(0), 2_000).unref();
  });
}

/** JSON for Prisma's values: BigInt as a string, Bytes as base64 (Date and Decimal have toJSON). */
function jsonValue(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return value;
}

main().catch((err: unknown) => {
  process.stderr.write(`standin-backend: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
