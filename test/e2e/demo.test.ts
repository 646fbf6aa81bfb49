// The README's first command works, and works twice in a row.
import test from 'ava';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const DEMO = fileURLToPath(new URL('../../demo/main.js', import.meta.url));

const runDemo = () =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [DEMO], { env: { PATH: process.env['PATH'] ?? '' }, timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });

test('the demo migrates and verifies, twice in a row', async (t) => {
  for (const round of [1, 2]) {
    const r = await runDemo();
    t.is(r.code, 0, `round ${round}:\n${r.stderr}`);
    t.regex(r.stdout, /verdict: healthy/, 'vsctl status, on stdout');
    t.regex(r.stderr, /verification: every value of 30 tables equal, 4 catalog checks passed/);
    t.regex(r.stderr, /Migrated and verified\./);
    t.regex(r.stderr, /stopping everything and removing the temporary stage \.\.\. ok/);
  }
});
