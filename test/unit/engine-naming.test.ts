// The engine's pure parts, without PostgreSQL: the names and DDL Prisma's
// PostgreSQL connector gives a schema (written out here as `prisma migrate
// diff` prints them, not produced by our generator), the load order, and the
// data lint's rules on a real SQLite file holding each kind of bad value.
import test from 'ava';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { constraintName, parseSchema } from '../../agent-app/engine/prisma-schema.js';
import { migrationSql } from '../../agent-app/engine/pg-ddl.js';
import { lintSnapshot, parsePolicies } from '../../agent-app/engine/lint.js';
import { openSnapshot } from '../../agent-app/engine/snapshot.js';
import { VsError } from '../../shared/errors.js';
import { tempDir } from '../harness/system.js';
import { trackWith } from '../harness/stage.js';

trackWith(test);

const SCHEMA = `
datasource db {
  provider = "sqlite"
  url      = env("DATABASE_URL")
}

enum Role {
  USER
  ADMIN
}

model User {
  id        Int      @id @default(autoincrement())
  email     String   @unique
  role      Role     @default(USER)
  createdAt DateTime @default(now())
  updatedAt DateTime @updatedAt
  posts     Post[]   @relation("author")
  edited    Post[]   @relation("editor")
  likes     Like[]
}

model Post {
  id       String  @id @default(cuid())
  title    String
  authorId Int
  author   User    @relation("author", fields: [authorId], references: [id])
  editorId Int?
  editor   User?   @relation("editor", fields: [editorId], references: [id])
  meta     Json?
  score    Float   @default(0)
  likes    Like[]

  @@index([title])
}

model Like {
  userId Int
  postId String
  user   User @relation(fields: [userId], references: [id], onDelete: Cascade)
  post   Post @relation(fields: [postId], references: [id], onDelete: Cascade)

  @@id([userId, postId])
  @@unique([postId, userId])
}
`;

test("prisma-schema: Prisma's default names, referential actions and a load order parents first", (t) => {
  const s = parseSchema(SCHEMA);
  t.deepEqual(s.loadOrder, ['User', 'Post', 'Like']);
  const post = s.tables.find((x) => x.name === 'Post')!;
  t.is(post.primaryKey.name, 'Post_pkey');
  t.deepEqual(post.indexes, [{ name: 'Post_title_idx', columns: ['title'], unique: false }]);
  // A required relation without onDelete is Restrict; an optional one SetNull; onUpdate Cascade.
  t.deepEqual(
    post.foreignKeys.map((f) => [f.name, f.onDelete, f.onUpdate]),
    [
      ['Post_authorId_fkey', 'Restrict', 'Cascade'],
      ['Post_editorId_fkey', 'SetNull', 'Cascade'],
    ],
  );
  const like = s.tables.find((x) => x.name === 'Like')!;
  t.deepEqual(like.primaryKey, { name: 'Like_pkey', columns: ['userId', 'postId'] });
  t.deepEqual(like.indexes, [{ name: 'Like_postId_userId_key', columns: ['postId', 'userId'], unique: true }]);
  t.is(constraintName('User', ['email'], 'key'), 'User_email_key');
  t.true(constraintName('A'.repeat(70), ['b'], 'fkey').length <= 63, "PostgreSQL's 63-byte limit");
  t.true(constraintName('A'.repeat(70), ['b'], 'fkey').endsWith('_fkey'));
});

test("pg-ddl: the migration.sql Prisma's PostgreSQL connector writes for the schema, statement for statement", (t) => {
  const expected = `-- CreateEnum
CREATE TYPE "Role" AS ENUM ('USER', 'ADMIN');

-- CreateTable
CREATE TABLE "User" (
    "id" SERIAL NOT NULL,
    "email" TEXT NOT NULL,
    "role" "Role" NOT NULL DEFAULT 'USER',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Post" (
    "id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "authorId" INTEGER NOT NULL,
    "editorId" INTEGER,
    "meta" JSONB,
    "score" DOUBLE PRECISION NOT NULL DEFAULT 0,

    CONSTRAINT "Post_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Like" (
    "userId" INTEGER NOT NULL,
    "postId" TEXT NOT NULL,

    CONSTRAINT "Like_pkey" PRIMARY KEY ("userId","postId")
);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE INDEX "Post_title_idx" ON "Post"("title");

-- CreateIndex
CREATE UNIQUE INDEX "Like_postId_userId_key" ON "Like"("postId", "userId");

-- AddForeignKey
ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Post" ADD CONSTRAINT "Post_editorId_fkey" FOREIGN KEY ("editorId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Like" ADD CONSTRAINT "Like_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Like" ADD CONSTRAINT "Like_postId_fkey" FOREIGN KEY ("postId") REFERENCES "Post"("id") ON DELETE CASCADE ON UPDATE CASCADE;
`;
  t.is(migrationSql(parseSchema(SCHEMA)), expected);
  const widened = migrationSql(parseSchema(SCHEMA), new Map([['Post.authorId', 'BIGINT']]));
  t.true(widened.includes('"authorId" BIGINT NOT NULL,'), 'a widened column');
});

test('lint: each kind of bad value is a finding with its rule, table, key and column; a policy decides its action', (t) => {
  const path = join(tempDir('lint-unit'), 'dev.db');
  const db = new Database(path);
  db.exec(`CREATE TABLE "User" (id INTEGER PRIMARY KEY, email TEXT NOT NULL, role TEXT NOT NULL, createdAt DATETIME NOT NULL, updatedAt DATETIME NOT NULL);
    CREATE TABLE "Post" (id TEXT PRIMARY KEY, title TEXT NOT NULL, authorId INTEGER NOT NULL, editorId INTEGER, meta JSONB, score REAL NOT NULL);
    CREATE TABLE "Like" (userId INTEGER NOT NULL, postId TEXT NOT NULL, PRIMARY KEY (userId, postId));`);
  const user = db.prepare('INSERT INTO "User" VALUES (?, ?, ?, ?, ?)');
  user.run(1, 'a@x', 'USER', 1700000000000, '2024-01-02 03:04:05');
  user.run(2, 'b@x', 'ROOT', 'yesterday', 1700000000000);
  const post = db.prepare('INSERT INTO "Post" VALUES (?, ?, ?, ?, ?, ?)');
  post.run('p1', 'ok', 1, null, '{"a":1}', 1.5);
  post.run('p2', 'nul\u0000inside', 3_000_000_000, 99, '', 2);
  db.prepare('INSERT INTO "Like" VALUES (?, ?)').run(1, 'p-missing');
  db.close();

  const schema = parseSchema(SCHEMA);
  const snap = openSnapshot(path);
  try {
    const found = lintSnapshot(snap, schema, []).findings.map(
      (f) => `${f.table} ${f.key} ${f.column} ${f.rule} ${f.action}`,
    );
    t.deepEqual(found.sort(), [
      'Like 1|p-missing postId fk-orphan fail',
      'Post p2 authorId fk-orphan fail',
      'Post p2 authorId int-overflow fail',
      'Post p2 editorId fk-orphan fail',
      'Post p2 meta json-empty fail',
      'Post p2 title string-nul fail',
      'User 2 createdAt datetime-invalid fail',
      'User 2 role enum-unknown fail',
    ]);
    const lenient = lintSnapshot(
      snap,
      schema,
      parsePolicies(['json-empty=repair:empty-json-to-default', 'Post.title:string-nul=quarantine'], schema),
    );
    const actions = new Map(lenient.findings.map((f) => [`${f.column} ${f.rule}`, f.action]));
    t.is(actions.get('meta json-empty'), 'repair:empty-json-to-default');
    t.is(actions.get('title string-nul'), 'quarantine');
    t.is(actions.get('role enum-unknown'), 'fail');
  } finally {
    snap.close();
  }
  const e = t.throws(() => parsePolicies(['no-such-rule=fail'], schema));
  t.is((e as VsError).code, 'VS_ERR_POLICY_INVALID');
});
