// The catch-up of the online migration, engine only: the pre-copy of a file
// the app keeps writing, then rounds that find and apply what it wrote (rows
// inserted, updated through Prisma's forms and by raw SQL, deleted, in tables
// with and without updatedAt, a value long enough to spill onto overflow pages
// and changed in place), until the target verifies equal to the file.
import test from 'ava';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { generateFixture, FIXTURE_SCHEMA } from '../fixtures/generate.js';
import { tempDir } from '../harness/system.js';
import { startCluster, trackWith } from '../harness/stage.js';
import { migrate } from '../../agent-app/engine/migrate.js';
import { readSchemaSource } from '../../agent-app/engine/prisma-schema.js';
import { targetFromUrl } from '../../agent-app/engine/target.js';
import { verify, targetContentSums } from '../../agent-app/engine/verify.js';
import { openSnapshot } from '../../agent-app/engine/snapshot.js';
import {
  catchUpRound,
  createMarker,
  foreignWrites,
  stateAfterPrecopy,
  targetXid,
} from '../../agent-app/engine/catch-up.js';
import type { CatchUpState } from '../../agent-app/engine/catch-up.js';
import { withoutRowid } from '../../agent-app/engine/changes.js';

const tracker = trackWith(test);

test('rounds carry every insert, update and delete to the target, which then verifies equal to the file', async (t) => {
  const dir = tempDir('catch-up');
  const pg = await startCluster('catch-up', tracker);
  await pg.query('CREATE DATABASE target');
  const live = join(dir, 'live.db');
  await generateFixture('medium', live);
  const { schema, text } = await readSchemaSource(FIXTURE_SCHEMA);
  const cfg = targetFromUrl(pg.url('target'));
  let x0 = '';
  const work = join(dir, 'work');
  const summary = await migrate({
    sqlitePath: live,
    schema,
    schemaText: text,
    target: cfg,
    workDir: work,
    policies: [],
    replace: false,
    beforeVerify: async () => {
      x0 = await targetXid(cfg);
    },
  });
  t.true(summary.ok);
  await createMarker(cfg);
  let state: CatchUpState = stateAfterPrecopy(join(work, 'snapshot.db'), summary.verification!, x0);

  const app = new Database(live);
  const users = app.prepare('SELECT id FROM "User" ORDER BY id LIMIT 20').pluck().all() as string[];
  const write = (i: number) => {
    app
      .prepare(
        `INSERT INTO "User" (id, email, displayName, passwordHash, role, isActive, createdAt, updatedAt) VALUES (?, ?, ?, 'x', 'USER', 1, ?, ?)`,
      )
      .run(`cnew${i}`, `new${i}@example.org`, `New ${i}`, Date.now(), Date.now());
    app.prepare(`UPDATE "User" SET displayName = ? WHERE id = ?`).run(`raw ${i}`, users[i]!);
    app.prepare(`UPDATE "User" SET bio = ? WHERE id = ?`).run('y'.repeat(9000) + i, users[10]!);
    app
      .prepare(
        `DELETE FROM "GalleryEntry" WHERE rowid IN (SELECT rowid FROM "GalleryEntry" ORDER BY rowid LIMIT 3 OFFSET ?)`,
      )
      .run(i * 7);
  };
  const marks: string[] = [];
  for (let round = 0; round < 3; round++) {
    write(round);
    const r = await catchUpRound({
      livePath: live,
      workDir: work,
      schema,
      policies: [],
      widened: new Set(summary.widened),
      target: cfg,
      state,
      beforeCommit: () => {},
      final: round === 2,
    });
    state = r.state;
    marks.push(`${r.stats.upserts}/${r.stats.deletes}`);
  }
  t.log(marks.join(' '));
  app.close();
  const db = openSnapshot(live);
  const v = await verify({
    db,
    schema,
    target: cfg,
    plan: { quarantine: new Map(), repairs: new Map(), repairLog: [], widened: new Set(summary.widened) },
  });
  db.close();
  t.true(v.ok, JSON.stringify(v.tables.filter((x) => !x.equal)));
  t.deepEqual(await targetContentSums(cfg, schema), state.sums);
  t.deepEqual(await foreignWrites(cfg, schema, state), []);
  await pg.query(`UPDATE "User" SET "displayName" = 'intruder' WHERE id = $1`, [users[5]], 'target');
  t.deepEqual(await foreignWrites(cfg, schema, state), ['User: 1 row(s) written by another transaction']);
});

test('a table WITHOUT ROWID is named: its pages are index b-trees, which the catch-up does not read', (t) => {
  const db = new Database(':memory:');
  db.exec(
    `CREATE TABLE "Plain" (id TEXT PRIMARY KEY); CREATE TABLE "Pair" (a TEXT, b TEXT, PRIMARY KEY (a, b)) WITHOUT ROWID`,
  );
  t.deepEqual(withoutRowid(db, ['Plain', 'Pair']), ['Pair']);
  db.close();
});
