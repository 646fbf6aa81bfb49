// `vs-agent-app restore-local`: the undo of `migrate-local --replace`. It puts
// the pg_dump backup that the replace took back into the target. What the
// target holds now is itself backed up first (beside the dump), so the restore
// can be undone the same way.
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { VsError } from '../../shared/errors.js';
import { EXIT } from '../../shared/program.js';
import { parseDatabaseUrl } from '../../shared/database-url.js';
import { backupStamp } from '../../shared/env-file.js';
import { pgDump, pgRestore, sha256File } from '../../shared/pg-dump.js';
import { readSecretFile } from '../../shared/secret-file.js';
import * as target from '../engine/target.js';

export const RESTORE_LOCAL_USAGE = `usage: vs-agent-app restore-local --dump FILE (--database-url URL | --database-url-file FILE) --force

Puts a backup taken by \`migrate-local --replace\` (target-backup-*.dump in its
work directory) back into the target database. The target's current content is
backed up first, beside the dump, and then replaced: --force says you mean it.
`;

export async function restoreLocal(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        dump: { type: 'string' },
        'database-url': { type: 'string' },
        'database-url-file': { type: 'string' },
        force: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (err) {
    throw new VsError('VS_ERR_USAGE', `restore-local: ${(err as Error).message}\n${RESTORE_LOCAL_USAGE}`);
  }
  if (values['help']) {
    process.stdout.write(RESTORE_LOCAL_USAGE);
    return EXIT.ok;
  }
  const dump = values['dump'] as string | undefined;
  const urlArg = values['database-url'] as string | undefined;
  const urlFile = values['database-url-file'] as string | undefined;
  if (!dump || (!urlArg && !urlFile))
    throw new VsError(
      'VS_ERR_USAGE',
      `restore-local needs --dump and --database-url or --database-url-file\n${RESTORE_LOCAL_USAGE}`,
    );
  if (!values['force'])
    throw new VsError(
      'VS_ERR_USAGE',
      `restore-local replaces what the target holds now (after backing it up): pass --force\n${RESTORE_LOCAL_USAGE}`,
    );
  const url = urlArg ?? (await readSecretFile(urlFile!, 'database URL file'));
  const source = parseDatabaseUrl(url);
  const say = (line: string) => process.stderr.write(`${line}\n`);
  say(`checking ${dump} (sha256 ${(await sha256File(dump)).slice(0, 12)}…)`);
  const c = await target.connect(target.targetFromUrl(url));
  try {
    const state = await target.inspectTarget(c);
    if (state.kind !== 'empty') {
      const before = await pgDump(source, join(dirname(dump), `before-restore-${backupStamp(new Date())}.dump`));
      say(`backed up what the target holds now: ${before.path} (${before.bytes} bytes, sha256 ${before.sha256})`);
      await target.clearTarget(c);
      say('cleared the target');
    }
  } finally {
    await c.end().catch(() => {});
  }
  await pgRestore(source, dump);
  say(`restored ${dump} into database "${source.database}"`);
  return EXIT.ok;
}
