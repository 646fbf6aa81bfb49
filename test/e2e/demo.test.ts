// The README's first command works, and works twice in a row (it needs root, as the README says).
import test from 'ava';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const DEMO = fileURLToPath(new URL('../../demo/main.js', import.meta.url));

const runDemo = () =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [DEMO],
      { env: { PATH: process.env['PATH'] ?? '' }, timeout: 240_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });

test('the demo bootstraps, pairs, migrates a live stand-in app and cleans up, twice in a row', async (t) => {
  t.timeout(600_000);
  for (const round of [1, 2]) {
    const r = await runDemo();
    t.is(r.code, 0, `round ${round}:\n${r.stdout.slice(-6000)}\n${r.stderr}`);
    for (const line of [
      /bootstrap: \d+ change\(s\)/,
      /paired with 127\.0\.0\.1: database visionsuit as visionsuit/,
      /restarted visionsuit-external-connector\.service on the new pairing/,
      /verdict: ready to migrate/,
      /verdict: healthy/,
      /verify: done in [\d.]+ s \(every table equal, 4 catalog checks passed\)/,
      /migrate migrate-\S+: succeeded/,
      /the backend now serves .* \(from postgresql\)/,
      /verified: every value of the 30 tables \(\d+ rows\) equals the frozen SQLite file, compared by content on both sides, and 4 catalog checks pass\./,
      /stopping everything, unbootstrap, removing the temporary stage \.\.\. ok/,
    ]) {
      t.regex(r.stdout, line, `round ${round}`);
    }
    t.notRegex(r.stdout, /did not remove everything/);
  }
});
