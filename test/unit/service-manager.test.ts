// The one module that runs systemctl: unit names reach it only after `--`,
// so a name that starts with a dash is a unit systemctl cannot find, never an option.
import test from 'ava';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ServiceManager } from '../../agent-app/host/service-manager.js';
import { tempDir } from '../harness/system.js';
import { trackWith } from '../harness/stage.js';

trackWith(test);

// Data safety, item 6: a unit name starting with `--` became a systemctl option.
test('unit names are passed after --, so a name like --force is never read as an option', async (t) => {
  const dir = tempDir('systemctl-argv');
  const log = join(dir, 'argv');
  const fake = join(dir, 'systemctl');
  // Records its words one per line; answers `show` as systemctl does for an unknown unit.
  writeFileSync(
    fake,
    `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a" >> "${log}"; done\necho ---- >> "${log}"\n[ "$1" = show ] && echo LoadState=not-found\nexit 0\n`,
  );
  chmodSync(fake, 0o755);
  const services = new ServiceManager(fake);
  t.false((await services.state('--force')).exists);
  await services.restart('--now');
  await services.stop('-H');
  const calls = readFileSync(log, 'utf8')
    .split('----\n')
    .filter(Boolean)
    .map((c) => c.trim().split('\n'));
  t.deepEqual(calls, [
    ['show', '--property=LoadState,ActiveState,MainPID', '--', '--force'],
    ['restart', '--', '--now'],
    ['stop', '--', '-H'],
  ]);
});
