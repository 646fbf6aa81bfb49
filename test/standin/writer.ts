// A steady writer of VisionSuit's SQLite file, as a unit (visionsuit-dev.service
// in the stages): 20 transactions a second while DATABASE_URL names the file,
// idle otherwise (it is started again after a switch). Each transaction is one
// of: a Notification inserted or updated as Prisma writes it (updatedAt set),
// a GalleryEntry inserted or deleted, a ModerationLog inserted, an ImageTag
// inserted or deleted (those three tables have no updatedAt), a User's
// displayName changed by raw SQL (updatedAt left alone). Rollback-journal mode
// is the file's own; the busy timeout is 5 s, as the benchmark asks.
//
//   node writer.js <backend dir> <log file> [transactions per second]
//
// Every commit is a JSON line in the log: { at, op, table, key, value?, ms,
// ok, error? }; SIGTERM ends it after the transaction under way.
import { appendFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';

const [backendDir = '.', logFile = 'writer.log', rateText = '20'] = process.argv.slice(2);
const url = process.env['DATABASE_URL'] ?? '';
let stopping = false;
process.on('SIGTERM', () => (stopping = true));

const log = (entry: Record<string, unknown>) => appendFileSync(logFile, JSON.stringify(entry) + '\n');

if (!url.startsWith('file:')) {
  // After the switch: the app's database is no longer a file; nothing to write.
  log({ at: Date.now(), op: 'idle', why: 'DATABASE_URL is not a file: URL' });
  setInterval(() => stopping && process.exit(0), 200);
} else {
  const db = new Database(resolve(join(backendDir, 'prisma'), url.slice('file:'.length)), { timeout: 5_000 });
  const one = <T>(sql: string) => db.prepare(sql).pluck().get() as T;
  const users = db.prepare('SELECT id FROM "User" ORDER BY rowid LIMIT 200').pluck().all() as string[];
  const galleries = db.prepare('SELECT id FROM "Gallery" ORDER BY rowid LIMIT 50').pluck().all() as string[];
  const images = db.prepare('SELECT id FROM "ImageAsset" ORDER BY rowid LIMIT 200').pluck().all() as string[];
  const tags = db.prepare('SELECT id FROM "Tag" ORDER BY rowid').pluck().all() as string[];
  const notificationType = one<string>('SELECT type FROM "Notification" LIMIT 1');
  const entityType = one<string>('SELECT entityType FROM "ModerationLog" LIMIT 1');
  const action = one<string>('SELECT action FROM "ModerationLog" LIMIT 1');
  const tag = `w${process.pid.toString(36)}${Date.now().toString(36)}`;
  let n = 0;
  const notifications: string[] = [];
  const entries: string[] = [];
  const pairs: Array<[string, string]> = [];
  const pick = <T>(xs: T[]) => xs[n % xs.length]!;

  const ops: Array<() => { op: string; table: string; key: string; value?: string }> = [
    () => {
      const id = `${tag}n${n}`;
      const now = Date.now();
      db.prepare(
        `INSERT INTO "Notification" (id, userId, type, title, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?)`,
      ).run(id, pick(users), notificationType, `note ${n}`, now, now);
      notifications.push(id);
      return { op: 'insert', table: 'Notification', key: id, value: `note ${n}` };
    },
    () => {
      const id = notifications.at(-1)!;
      db.prepare(`UPDATE "Notification" SET title = ?, updatedAt = ? WHERE id = ?`).run(`edited ${n}`, Date.now(), id);
      return { op: 'update', table: 'Notification', key: id, value: `edited ${n}` };
    },
    () => {
      const id = `${tag}g${n}`;
      db.prepare(`INSERT INTO "GalleryEntry" (id, galleryId, imageId, position, createdAt) VALUES (?, ?, ?, ?, ?)`).run(
        id,
        pick(galleries),
        pick(images),
        n,
        Date.now(),
      );
      entries.push(id);
      return { op: 'insert', table: 'GalleryEntry', key: id };
    },
    () => {
      const id = pick(users);
      db.prepare(`UPDATE "User" SET displayName = ? WHERE id = ?`).run(`raw ${n}`, id);
      return { op: 'update', table: 'User', key: id, value: `raw ${n}` };
    },
    () => {
      const id = `${tag}m${n}`;
      db.prepare(
        `INSERT INTO "ModerationLog" (id, entityType, entityId, action, message, actorId, createdAt) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(id, entityType, pick(images), action, `logged ${n}`, pick(users), Date.now());
      return { op: 'insert', table: 'ModerationLog', key: id };
    },
    () => {
      const id = entries.shift()!;
      db.prepare(`DELETE FROM "GalleryEntry" WHERE id = ?`).run(id);
      return { op: 'delete', table: 'GalleryEntry', key: id };
    },
    () => {
      // An image and a tag not yet paired: the image of this turn with the tags in order.
      for (let i = 0; i < tags.length; i++) {
        const pair: [string, string] = [images[(n + i) % images.length]!, tags[(n * 7 + i) % tags.length]!];
        if (db.prepare(`SELECT 1 FROM "ImageTag" WHERE imageId = ? AND tagId = ?`).get(...pair)) continue;
        db.prepare(`INSERT INTO "ImageTag" (imageId, tagId) VALUES (?, ?)`).run(...pair);
        pairs.push(pair);
        return { op: 'insert', table: 'ImageTag', key: pair.join('|') };
      }
      return { op: 'none', table: 'ImageTag', key: '' };
    },
    () => {
      const pair = pairs.shift();
      if (!pair) return { op: 'none', table: 'ImageTag', key: '' };
      db.prepare(`DELETE FROM "ImageTag" WHERE imageId = ? AND tagId = ?`).run(...pair);
      return { op: 'delete', table: 'ImageTag', key: pair.join('|') };
    },
  ];

  const interval = 1000 / Number(rateText);
  const started = Date.now();
  const tick = () => {
    if (stopping) {
      db.close();
      process.exit(0);
    }
    const t0 = performance.now();
    const at = Date.now();
    try {
      const done = db.transaction(() => ops[n % ops.length]!()).immediate();
      log({ at, ...done, ms: performance.now() - t0, ok: true });
    } catch (err) {
      log({ at, op: 'failed', ms: performance.now() - t0, ok: false, error: (err as Error).message });
    }
    n++;
    // A steady rate: the next transaction at its slot, not after the last one's latency.
    setTimeout(tick, Math.max(0, started + n * interval - Date.now()));
  };
  tick();
}
