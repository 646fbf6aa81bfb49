// The Prisma stand-in does what VisionSuit does at start: its client, generated
// from schema.prisma, refuses a DATABASE_URL its provider does not fit. The
// refusal is Prisma's own (PrismaClientInitializationError), not the stand-in's.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIXTURE_SCHEMA } from '../fixtures/generate.js';
import { tempDir } from '../harness/system.js';
import { trackWith } from '../harness/stage.js';

trackWith(test);
const BACKEND = fileURLToPath(new URL('../standin/backend.js', import.meta.url));

test('a client generated for sqlite meets a postgresql:// URL: Prisma refuses it and the backend does not start', (t) => {
  const dir = join(tempDir('standin-refuses'), 'backend');
  mkdirSync(join(dir, 'prisma'), { recursive: true });
  copyFileSync(FIXTURE_SCHEMA, join(dir, 'prisma', 'schema.prisma'));
  const r = spawnSync(process.execPath, [BACKEND, dir], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, PORT: '1', DATABASE_URL: 'postgresql://app:secret@127.0.0.1:1/visionsuit?schema=public' },
  });
  t.is(r.status, 1, r.stdout);
  t.regex(
    r.stderr,
    /PrismaClientInitializationError: The Driver Adapter `@prisma\/adapter-pg`, based on `postgres`, is not compatible with the provider `sqlite`/,
  );
});
