// `vsctl rehearse --inventory` across a fleet on one machine: three VisionSuit
// hosts, each with its own agent-app, SQLite file and operator sshd (the one
// vsctl reaches agent-app's socket through): one clean, one adversarial, one
// unreachable. The merged report holds all three with the right verdicts, the
// exit code is 1, and the HTML page renders in headless Chromium with its
// table and chart.
import test from 'ava';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';
import { stringify } from 'yaml';
import { BIN, runProgram } from '../harness/agents.js';
import { trackWith } from '../harness/stage.js';
import { startCutoverStage } from '../harness/cutover.js';
import type { CutoverStage } from '../harness/cutover.js';
import { Sshd } from '../harness/sshd.js';
import { binary, ensureSystemUser, freePort, isRoot, tempDir } from '../harness/system.js';

const tracker = trackWith(test);
const run = promisify(execFile);
const OPS = 'vsm-test-ops';

/** A VisionSuit host whose agent-app socket the operator user may use, and an sshd for that user. */
async function host(
  label: string,
  fixture: 'tiny' | 'adversarial',
  dir: string,
): Promise<{ stage: CutoverStage; entry: object }> {
  const stage = await startCutoverStage(label, tracker, { fixture, agentApp: { socketGroup: OPS } });
  const ops = await Sshd.create(`${label}-ops`, [], { user: OPS, streamLocal: true });
  tracker.add(
    'sshd (operator)',
    () => ops.proc,
    () => ops.stop(),
  );
  const identityFile = join(dir, `${label}.key`);
  writeFileSync(identityFile, ops.clientKey.privateKey, { mode: 0o600 });
  return {
    stage,
    entry: {
      name: label,
      ssh: { host: '127.0.0.1', port: ops.port, user: OPS, identityFile, hostKey: ops.hostKeyPublic },
      socketPath: stage.agentApp.socketPath,
    },
  };
}

test('a fleet of three: clean, adversarial, unreachable; one merged report with the right verdicts; exit 1; the HTML renders', async (t) => {
  if (!isRoot) return t.pass('needs root (an operator Linux user for sshd)');
  ensureSystemUser(OPS);
  const dir = tempDir('fleet');
  const clean = await host('vs-clean', 'tiny', dir);
  const bad = await host('vs-adversarial', 'adversarial', dir);
  const unreachable = {
    name: 'vs-gone',
    ssh: {
      host: '127.0.0.1',
      port: await freePort(),
      user: OPS,
      identityFile: join(dir, 'vs-clean.key'),
      hostKey: Sshd.otherHostKey(),
    },
  };
  const inventory = join(dir, 'fleet.yaml');
  writeFileSync(inventory, stringify({ hosts: [clean.entry, bad.entry, unreachable] }));
  const out = join(dir, 'report');

  const r = await runProgram(BIN.vsctl, ['rehearse', '--inventory', inventory, '--parallel', '3', '--out', out]);
  t.is(r.code, 1, r.stdout + r.stderr);
  t.regex(r.stdout, /vs-clean: done → would succeed/);
  t.regex(r.stdout, /vs-adversarial: done → would fail/);
  t.regex(
    r.stdout,
    /vs-gone: unreachable → unreachable: vs-gone: SSH connection to 127\.0\.0\.1:\d+ failed: connect ECONNREFUSED/,
  );
  t.regex(r.stdout, /2 of 3 host\(s\) would not: vs-adversarial, vs-gone/);

  const merged = JSON.parse(readFileSync(join(out, 'fleet.json'), 'utf8')) as {
    hosts: Array<{
      name: string;
      verdict: string;
      report: { findings: unknown[]; projectedDowntime: { seconds: number } | null } | null;
    }>;
  };
  t.deepEqual(
    merged.hosts.map((h) => [h.name, h.verdict]),
    [
      ['vs-clean', 'would succeed'],
      ['vs-adversarial', 'would fail'],
      ['vs-gone', 'unreachable'],
    ],
  );
  t.true(merged.hosts[0]!.report!.projectedDowntime!.seconds > 0);
  t.true(merged.hosts[1]!.report!.findings.length >= 8, `${merged.hosts[1]!.report!.findings.length} findings`);
  t.regex(readFileSync(join(out, 'fleet.md'), 'utf8'), /\| vs-gone \| unreachable \|/);
  // Nothing was left behind on either reachable host.
  for (const h of [clean, bad])
    t.deepEqual(await h.stage.pg.query("SELECT datname FROM pg_database WHERE datname LIKE 'vsrehearsal%'"), []);

  // The page in a real browser: the DOM it renders has the table and the chart, and the screenshot shows the bars.
  const chromium = binary('chromium');
  if (!chromium) return;
  const html = join(out, 'fleet.html');
  const flags = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--hide-scrollbars',
    `--user-data-dir=${join(dir, 'chromium')}`,
  ];
  const dom = (await run(chromium, [...flags, '--dump-dom', `file://${html}`], { maxBuffer: 8 << 20 })).stdout;
  t.is((dom.match(/<tr class="/g) ?? []).length, 3, 'three host rows');
  t.regex(dom, /<svg id="downtime-chart"/);
  t.regex(dom, /<rect class="bar"[^>]*fill="#2e7d32"/);
  const png = join(dir, 'fleet.png');
  await run(chromium, [...flags, '--window-size=1200,900', `--screenshot=${png}`, `file://${html}`]);
  const image = PNG.sync.read(readFileSync(png));
  t.is(image.width, 1200);
  let green = 0;
  let dark = 0;
  for (let i = 0; i < image.data.length; i += 4) {
    const [rr, gg, bb] = [image.data[i]!, image.data[i + 1]!, image.data[i + 2]!];
    if (rr === 0x2e && gg === 0x7d && bb === 0x32) green++;
    if (rr < 80 && gg < 80 && bb < 80) dark++;
  }
  t.true(green > 500, `the green bar and verdict badge are painted (${green} pixels)`);
  t.true(dark > 2000, `text and table borders are painted (${dark} pixels)`);
});
