import test from 'ava';
import { execFile, execFileSync } from 'node:child_process';
import {
  readFileSync,
  writeFileSync,
  statSync,
  readdirSync,
  chmodSync,
  mkdirSync,
  symlinkSync,
  lstatSync,
  readlinkSync,
  linkSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import dotenv from 'dotenv';
import { editEnvFile, envFileLinkProblem, readEnvFile } from '../../shared/env-file.js';
import { VsError } from '../../shared/errors.js';
import { tempDir } from '../harness/system.js';
import { trackWith } from '../harness/stage.js';

// Removes the temporary directories when every test here passed.
trackWith(test);

const ORIGINAL = [
  '# VisionSuit backend environment',
  '# DATABASE_URL="file:./old-comment.db"  <- a comment, not a key',
  '',
  'NODE_ENV=production',
  "export JWT_SECRET='s3cr3t with spaces # and a hash'",
  'DATABASE_URL="file:./dev.db" # set by maintenance.sh',
  '   PORT = 4000',
  'MINIO_URL="http://127.0.0.1:9000"',
  'EMPTY=',
  'LAST_LINE_NO_NEWLINE=yes',
].join('\n');

const NEW_URL = 'postgresql://visionsuit:p%2F%2B%3D%24%21%40%3A%27%22%20x@127.0.0.1:6432/visionsuit?schema=public';

function write(dir: string, text: string, mode = 0o640): string {
  const path = join(dir, 'vs-backend.env');
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}

test('one key changes; comments, quotes, order and every other byte stay', async (t) => {
  const dir = tempDir('envfile');
  const path = write(dir, ORIGINAL);
  const now = new Date('2026-11-22T18:19:54.123Z');
  const r = await editEnvFile(path, { DATABASE_URL: NEW_URL }, { now });
  t.deepEqual(r.changed, ['DATABASE_URL']);
  const after = readFileSync(path, 'utf8');
  const expected = ORIGINAL.replace(
    'DATABASE_URL="file:./dev.db" # set by maintenance.sh',
    `DATABASE_URL="${NEW_URL}" # set by maintenance.sh`,
  );
  t.is(after, expected);
  // Read back by dotenv: only DATABASE_URL differs.
  const before = dotenv.parse(ORIGINAL);
  t.deepEqual(await readEnvFile(path), { ...before, DATABASE_URL: NEW_URL });
  // The backup is the old file, byte for byte, with its mode.
  t.is(r.backupPath, `${path}.vsmigrate-20261122T181954Z.bak`);
  t.is(readFileSync(r.backupPath!, 'utf8'), ORIGINAL);
  t.is(statSync(r.backupPath!).mode & 0o777, 0o640);
  t.is(statSync(path).mode & 0o777, 0o640);
});

test('a missing key is appended, after a final newline is added; nothing else moves', async (t) => {
  const dir = tempDir('envfile-append');
  const path = write(dir, ORIGINAL);
  const r = await editEnvFile(path, { SHADOW_DATABASE_URL: NEW_URL, NODE_ENV: 'production' });
  t.deepEqual(r.changed, ['SHADOW_DATABASE_URL']);
  // The percent-encoded URL needs no quotes.
  t.is(readFileSync(path, 'utf8'), `${ORIGINAL}\nSHADOW_DATABASE_URL=${NEW_URL}\n`);
  t.is((await readEnvFile(path))['SHADOW_DATABASE_URL'], NEW_URL);
});

test('setting the value a key already has writes nothing and makes no backup', async (t) => {
  const dir = tempDir('envfile-same');
  const path = write(dir, ORIGINAL);
  const mtime = statSync(path).mtimeMs;
  const r = await editEnvFile(path, { NODE_ENV: 'production' });
  t.deepEqual(r, { path, changed: [], old: {}, backupPath: null });
  t.is(statSync(path).mtimeMs, mtime);
  t.deepEqual(readdirSync(dir), ['vs-backend.env']);
});

test('a value that cannot be written safely is refused and the file is untouched', async (t) => {
  const dir = tempDir('envfile-unsafe');
  const path = write(dir, ORIGINAL);
  const err = await t.throwsAsync(editEnvFile(path, { DATABASE_URL: 'line1\nline2' }));
  t.is((err as VsError).code, 'VS_ERR_ENVFILE_UNSAFE_VALUE');
  t.is(readFileSync(path, 'utf8'), ORIGINAL);
  t.deepEqual(readdirSync(dir), ['vs-backend.env']);
});

test('a multi-line value elsewhere is kept, and a key inside it is not mistaken for a line of its own', async (t) => {
  const dir = tempDir('envfile-multiline');
  const text = 'CERT="-----BEGIN-----\nDATABASE_URL=not-a-key\n-----END-----"\nDATABASE_URL=file:./dev.db\n';
  const path = write(dir, text);
  await editEnvFile(path, { DATABASE_URL: NEW_URL });
  const parsed = await readEnvFile(path);
  t.is(parsed['DATABASE_URL'], NEW_URL);
  t.is(parsed['CERT'], '-----BEGIN-----\nDATABASE_URL=not-a-key\n-----END-----');
});

const ENV_FILE_JS = fileURLToPath(new URL('../../shared/env-file.js', import.meta.url));

test('a crash between write and rename leaves the old file intact; the next edit cleans up', async (t) => {
  const dir = tempDir('envfile-crash');
  const path = write(dir, ORIGINAL, 0o600);
  // A real process that dies by SIGKILL at the moment between the durable
  // temporary file and the rename.
  const script = `
    import { editEnvFile } from ${JSON.stringify(ENV_FILE_JS)};
    await editEnvFile(${JSON.stringify(path)}, { DATABASE_URL: ${JSON.stringify(NEW_URL)} }, {
      beforeRename: () => process.kill(process.pid, 'SIGKILL'),
    });
    console.log('renamed');`;
  const result = await new Promise<{ signal: string | null; stdout: string }>((resolve) => {
    const child = execFile(process.execPath, ['--input-type=module', '-e', script], (_err, stdout) =>
      resolve({ signal: child.signalCode, stdout }),
    );
  });
  t.is(result.signal, 'SIGKILL');
  t.false(result.stdout.includes('renamed'));
  t.is(readFileSync(path, 'utf8'), ORIGINAL, 'the old file is intact');
  const leftovers = readdirSync(dir).filter((n) => n.includes('.vsmigrate-tmp-'));
  t.is(leftovers.length, 1, 'the crash left its temporary file');
  t.is(statSync(join(dir, leftovers[0]!)).mode & 0o777, 0o600, 'and it was never readable by others');

  await editEnvFile(path, { DATABASE_URL: NEW_URL });
  t.is((await readEnvFile(path))['DATABASE_URL'], NEW_URL);
  t.deepEqual(
    readdirSync(dir).filter((n) => n.includes('.vsmigrate-tmp-')),
    [],
  );
});

// Data safety, item 8: the file was decoded as UTF-8 and written back, so a Latin-1 "é" became EF BF BD.
test('a Latin-1 comment comes back byte for byte: the file is edited as bytes', async (t) => {
  const dir = tempDir('envfile-latin1');
  const original = Buffer.concat([
    Buffer.from('# caf'),
    Buffer.from([0xe9]),
    Buffer.from('\nDATABASE_URL="file:./dev.db"\nNAME=Andr'),
    Buffer.from([0xe9]),
    Buffer.from('\n'),
  ]);
  const path = join(dir, 'vs-backend.env');
  writeFileSync(path, original);
  await editEnvFile(path, { DATABASE_URL: NEW_URL });
  const after = readFileSync(path);
  t.deepEqual(after, Buffer.from(original.toString('latin1').replace('"file:./dev.db"', `"${NEW_URL}"`), 'latin1'));
  t.false(after.includes(Buffer.from([0xef, 0xbf, 0xbd])));
  // And back, through the undo's path: the old value set again, every other byte as it was.
  await editEnvFile(path, { DATABASE_URL: 'file:./dev.db' });
  t.deepEqual(readFileSync(path), original);
});

// Data safety, item 9: a symlinked env file became a regular file and its target kept the old URL.
test('a symlinked env file stays a symlink: the file it points at is written, in its own directory', async (t) => {
  const dir = tempDir('envfile-symlink');
  mkdirSync(join(dir, 'real'));
  const target = join(dir, 'real', 'backend.env');
  writeFileSync(target, 'DATABASE_URL="file:./dev.db"\n', { mode: 0o640 });
  const link = join(dir, 'vs-backend.env');
  symlinkSync(target, link);
  const r = await editEnvFile(link, { DATABASE_URL: NEW_URL }, { now: new Date('2026-11-29T09:00:00Z') });
  t.true(lstatSync(link).isSymbolicLink());
  t.is(readlinkSync(link), target);
  t.is((await readEnvFile(target))['DATABASE_URL'], NEW_URL);
  t.is(r.path, target);
  t.is(r.backupPath, `${target}.vsmigrate-20261129T090000Z.bak`);
  t.deepEqual(r.old, { DATABASE_URL: 'file:./dev.db' });
  t.deepEqual(readdirSync(dir).sort(), ['real', 'vs-backend.env'], 'nothing new beside the link');
});

// Data safety, item 9: a hard link kept the old URL under its other name; a bind mount cannot be renamed over.
test('a hard-linked env file is refused before anything is written, naming why', async (t) => {
  const dir = tempDir('envfile-hardlink');
  const path = join(dir, 'vs-backend.env');
  writeFileSync(path, 'DATABASE_URL="file:./dev.db"\n');
  linkSync(path, join(dir, 'other-name.env'));
  t.regex(envFileLinkProblem(path)!, /has 2 hard links/);
  const e = await t.throwsAsync(editEnvFile(path, { DATABASE_URL: NEW_URL }));
  t.is((e as VsError).code, 'VS_ERR_ENVFILE_LINKED');
  t.is(readFileSync(join(dir, 'other-name.env'), 'utf8'), 'DATABASE_URL="file:./dev.db"\n');
  t.deepEqual(readdirSync(dir).sort(), ['other-name.env', 'vs-backend.env']);
});

test('a bind-mounted env file is named as such; a failed write leaves no temporary file holding the new URL', async (t) => {
  if (process.getuid?.() !== 0) return t.pass('needs root (it bind-mounts a file)');
  const dir = tempDir('envfile-bind');
  const path = join(dir, 'vs-backend.env');
  writeFileSync(path, 'DATABASE_URL="file:./dev.db"\n');
  execFileSync('mount', ['--bind', path, path]);
  try {
    t.regex(envFileLinkProblem(path)!, /is a bind mount/);
    t.is(
      ((await t.throwsAsync(editEnvFile(path, { DATABASE_URL: NEW_URL }))) as VsError).code,
      'VS_ERR_ENVFILE_LINKED',
    );
  } finally {
    execFileSync('umount', [path]);
  }
  // The write itself failing (a read-only file system) is VS_ERR_ENVFILE_WRITE, and no temporary file stays.
  execFileSync('mount', ['--bind', dir, dir]);
  execFileSync('mount', ['-o', 'remount,bind,ro', dir]);
  try {
    const e = await t.throwsAsync(editEnvFile(path, { DATABASE_URL: NEW_URL }));
    t.is((e as VsError).code, 'VS_ERR_ENVFILE_WRITE');
    t.regex(e!.message, /EROFS/);
  } finally {
    execFileSync('umount', [dir]);
  }
  t.deepEqual(readdirSync(dir), ['vs-backend.env']);
  t.is(readFileSync(path, 'utf8'), 'DATABASE_URL="file:./dev.db"\n');
});

test('removing a key takes out its line and nothing else', async (t) => {
  const dir = tempDir('envfile-remove');
  const path = write(dir, ORIGINAL + '\nSHADOW_DATABASE_URL=x\n');
  const r = await editEnvFile(path, {}, { remove: ['SHADOW_DATABASE_URL'] });
  t.deepEqual(r.old, { SHADOW_DATABASE_URL: 'x' });
  t.is(readFileSync(path, 'utf8'), ORIGINAL + '\n');
});
