// A real Prisma Client for the stand-in backend, generated from the app's own
// schema.prisma as VisionSuit's start script does (`npx prisma generate`).
//
// Prisma 7's CLI works offline here only as far as `generate` goes (no engine
// download: PRISMA_SCHEMA_ENGINE_BINARY=/bin/false), it rejects `url = env()`
// in a datasource, and its `prisma-client` generator emits TypeScript. So the
// client is generated from a copy of schema.prisma without the datasource's
// URLs and with that generator, transpiled to JavaScript, and cached by the
// sha256 of schema.prisma: a restart does not pay for it again. The provider
// stays the file's: a client generated for "sqlite" refuses PostgreSQL's
// driver adapter, by Prisma's own check.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
// Under node_modules, so that the generated files resolve @prisma/client/runtime.
const CACHE = join(ROOT, 'node_modules', '.cache', 'vsmigrate-standin');
const PRISMA_CLI = join(ROOT, 'node_modules', 'prisma', 'build', 'index.js');

/** schema.prisma as Prisma 7 generates from it: no datasource URLs, the `prisma-client` generator writing to `output`. */
export function generationSchema(schema: string, output: string): string {
  const generator = `generator client {\n  provider = "prisma-client"\n  output = ${JSON.stringify(output)}\n  importFileExtension = "js"\n  moduleFormat = "esm"\n}`;
  return schema
    .replace(/^\s*(url|directUrl|shadowDatabaseUrl)\s*=.*$/gm, '')
    .replace(/generator\s+\w+\s*\{[^}]*\}/g, '')
    .concat('\n', generator, '\n');
}

function transpileTree(dir: string): void {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) transpileTree(path);
    else if (name.endsWith('.ts')) {
      const out = ts.transpileModule(readFileSync(path, 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      });
      writeFileSync(path.replace(/\.ts$/, '.js'), out.outputText);
    }
  }
}

/**
 * The directory of the client generated for `schemaBytes`, generating it when
 * the cache has none. Two processes may generate at once: each builds in a
 * directory of its own and renames it into place; the loser uses the winner's.
 */
export function generatedClient(schemaBytes: Buffer): string {
  // Lines that are only a `//` comment do not reach the client (`///` ones do): an
  // update that adds one does not make the next start wait for a generation.
  const key = schemaBytes.toString('utf8').replace(/^[ \t]*\/\/(?!\/).*(?:\n|$)/gm, '');
  const dir = join(CACHE, createHash('sha256').update(key).digest('hex').slice(0, 24));
  if (existsSync(join(dir, 'client.js'))) return dir;
  const building = `${dir}.${process.pid}.building`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(join(building, 'prisma'), { recursive: true });
  const schemaCopy = join(building, 'prisma', 'schema.prisma');
  writeFileSync(schemaCopy, generationSchema(schemaBytes.toString('utf8'), join(building, 'client')));
  execFileSync(process.execPath, [PRISMA_CLI, 'generate', '--schema', schemaCopy], {
    cwd: building,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: '/bin/false',
      CHECKPOINT_DISABLE: '1',
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
    },
  });
  const client = join(building, 'client');
  transpileTree(client);
  writeFileSync(join(client, 'package.json'), '{"type":"module"}\n');
  try {
    renameSync(client, dir);
  } catch (err) {
    if (!existsSync(join(dir, 'client.js'))) throw err;
  }
  rmSync(building, { recursive: true, force: true });
  return dir;
}

/** What the generated client module exports that the stand-in uses. */
export interface GeneratedClient {
  PrismaClient: new (options: { adapter: unknown }) => Record<string, unknown> & {
    $queryRawUnsafe(sql: string): Promise<unknown>;
    $disconnect(): Promise<void>;
  };
  Prisma: { ModelName: Record<string, string> };
}

export async function loadClient(schemaBytes: Buffer): Promise<GeneratedClient> {
  const dir = generatedClient(schemaBytes);
  return (await import(pathToFileURL(join(dir, 'client.js')).href)) as GeneratedClient;
}
