// The Prisma switch on real files: only the datasource's provider changes in
// schema.prisma, the PostgreSQL baseline takes the migrations directory's
// place with the SQLite history kept beside it, and the undo puts every byte
// back; a schema.prisma changed since the run read it stops the switch.
import test from 'ava';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  prismaChangedSince,
  providerValueAt,
  restorePrismaFiles,
  schemaFileSha256,
  switchPrismaFiles,
  switchedSchema,
} from '../../agent-app/host/prisma-switch.js';
import type { PrismaSwitch } from '../../agent-app/host/prisma-switch.js';
import { VsError } from '../../shared/errors.js';
import { tempDir } from '../harness/system.js';
import { trackWith } from '../harness/stage.js';

trackWith(test);

const SCHEMA = [
  '// provider = "sqlite" in a comment stays',
  'generator client {',
  '  provider = "prisma-client-js"',
  '}',
  '',
  'datasource db {',
  "  // the app's database; café",
  '  provider = "sqlite" // was always sqlite',
  '  url      = env("DATABASE_URL")',
  '}',
  '',
  'model User {',
  '  id String @id',
  '}',
  '',
].join('\r\n');

/** Every file under `dir` with its sha256, for byte-for-byte comparisons. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

function app(): { prisma: string; schema: string; baseline: string } {
  const dir = tempDir('prisma-switch');
  const prisma = join(dir, 'backend', 'prisma');
  mkdirSync(join(prisma, 'migrations', '00000000000000_baseline'), { recursive: true });
  writeFileSync(join(prisma, 'schema.prisma'), Buffer.from(SCHEMA, 'latin1'), { mode: 0o640 });
  writeFileSync(
    join(prisma, 'migrations', '00000000000000_baseline', 'migration.sql'),
    'CREATE TABLE "User" ("id" TEXT NOT NULL PRIMARY KEY);\n',
  );
  writeFileSync(join(prisma, 'migrations', 'migration_lock.toml'), 'provider = "sqlite"\n');
  const baseline = join(dir, 'run', 'prisma', 'migrations');
  mkdirSync(join(baseline, '0_init'), { recursive: true });
  writeFileSync(
    join(baseline, '0_init', 'migration.sql'),
    'CREATE TABLE "User" ("id" TEXT NOT NULL, CONSTRAINT "User_pkey" PRIMARY KEY ("id"));\n',
  );
  writeFileSync(join(baseline, 'migration_lock.toml'), 'provider = "postgresql"\n');
  return { prisma, schema: join(prisma, 'schema.prisma'), baseline };
}

test("only the datasource's provider changes; comments, the generator's provider, CRLF and Latin-1 bytes stay", (t) => {
  const before = Buffer.from(SCHEMA, 'latin1');
  t.is(providerValueAt(SCHEMA)?.provider, 'sqlite');
  const after = switchedSchema(before, 'schema.prisma');
  t.deepEqual(
    after,
    Buffer.from(SCHEMA.replace('provider = "sqlite" // was', 'provider = "postgresql" // was'), 'latin1'),
  );
  t.deepEqual(switchedSchema(after, 'schema.prisma'), after, 'switching again changes nothing');
});

test('switch, then undo: schema.prisma and the migrations directory come back byte for byte', async (t) => {
  const a = app();
  const before = tree(a.prisma);
  const steps: PrismaSwitch[] = [];
  const s = await switchPrismaFiles(
    a.schema,
    schemaFileSha256(a.schema),
    a.baseline,
    'migrate-x',
    new Date('2026-11-29T10:00:00Z'),
    (x) => steps.push({ ...x }),
  );
  t.regex(readFileSync(a.schema, 'latin1'), /provider = "postgresql" \/\/ was always sqlite/);
  t.is(statSync(a.schema).mode & 0o777, 0o640, 'mode kept');
  t.deepEqual(readdirSync(join(a.prisma, 'migrations')).sort(), ['0_init', 'migration_lock.toml']);
  t.is(readFileSync(join(a.prisma, 'migrations', 'migration_lock.toml'), 'utf8'), 'provider = "postgresql"\n');
  t.deepEqual(readdirSync(join(a.prisma, 'migrations.sqlite-migrate-x')).sort(), [
    '00000000000000_baseline',
    'migration_lock.toml',
  ]);
  t.true(steps.length >= 2, 'each change journaled as it is made');
  t.is(prismaChangedSince(s), null);
  await restorePrismaFiles(s, false);
  const after = tree(a.prisma);
  delete after['schema.prisma.vsmigrate-20261129T100000Z.bak'];
  t.deepEqual(after, before);
});

test('a schema.prisma changed since the run read it stops the switch before anything is touched; one changed since the switch stops the undo unless forced', async (t) => {
  const a = app();
  const read = schemaFileSha256(a.schema);
  writeFileSync(a.schema, readFileSync(a.schema, 'latin1') + '// edited\n', 'latin1');
  const before = tree(a.prisma);
  const e = await t.throwsAsync(switchPrismaFiles(a.schema, read, a.baseline, 'migrate-y', new Date(), () => {}));
  t.is((e as VsError).code, 'VS_ERR_SCHEMA_CHANGED');
  t.regex(e!.message, /schema\.prisma changed since this run read it; nothing was switched/);
  t.deepEqual(tree(a.prisma), before);

  const s = await switchPrismaFiles(
    a.schema,
    schemaFileSha256(a.schema),
    a.baseline,
    'migrate-z',
    new Date('2026-11-29T11:00:00Z'),
    () => {},
  );
  // An update of the app brings back its own schema.prisma.
  writeFileSync(a.schema, 'datasource db {\n  provider = "sqlite"\n  url = env("DATABASE_URL")\n}\n');
  t.regex(prismaChangedSince(s)!, /changed since the switch/);
  const refused = await t.throwsAsync(restorePrismaFiles(s, false));
  t.is((refused as VsError).code, 'VS_ERR_SCHEMA_CHANGED');
  await restorePrismaFiles(s, true);
  const after = tree(a.prisma);
  delete after['schema.prisma.vsmigrate-20261129T110000Z.bak'];
  t.deepEqual(after, before, 'forced: back as it was before the switch');
});
