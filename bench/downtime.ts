// The downtime of `vsctl migrate`, online (the default) against --offline, on a
// whole stage as the e2e tests build it (PostgreSQL, sshd, both agents, the
// connector, the Prisma stand-in app) while a writer unit commits to the SQLite
// file 20 times a second (rollback-journal mode, 5 s busy timeout; inserts,
// updates and deletes, tables without updatedAt, raw SQL: test/standin/writer.ts)
// from before the run until the freeze stops it.
//
// Per fixture, runs alternate offline and online on fresh stages; medians of
// VSMIGRATE_BENCH_RUNS (default 3). Figures come from the run's report.md (the
// downtime: first writer asked to stop → the app's first healthy answer on
// PostgreSQL; the freeze's data work; the pre-copy) and the writer's own log
// (failed transactions, p99 commit latency during the run, and before it: the
// baseline, the same writer and app with no migration).
import { readFileSync } from 'node:fs';
import { startCutoverStage } from '../test/harness/cutover.js';
import type { CutoverStage } from '../test/harness/cutover.js';
import { BIN, cleanEnv, runProgram } from '../test/harness/agents.js';
import { run } from './spawn.js';
import { Tracker } from '../test/harness/stage.js';
import { removeTempDirs } from '../test/harness/system.js';

const say = (s: string) => process.stderr.write(s + '\n');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spread = (xs: number[]) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;
const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))] ?? 0;
/** How long the writer runs alone before the migration: its baseline. */
const BASELINE_MS = 20_000;

export interface DowntimeRun {
  mode: 'online' | 'offline';
  downtimeS: number;
  dataWorkS: number;
  precopyS: number;
  writerErrors: number;
  writerP99Ms: number;
  baselineP99Ms: number;
  commits: number;
}

interface Commit {
  at: number;
  ms: number;
  ok: boolean;
  op: string;
}

const figure = (report: string, re: RegExp) => Number(re.exec(report)?.[1] ?? NaN);

async function oneRun(label: string, sqlite: string, mode: 'online' | 'offline'): Promise<DowntimeRun> {
  const tracker = new Tracker();
  try {
    const stage: CutoverStage = await startCutoverStage(label, tracker, {
      fixture: null,
      sqliteFrom: sqlite,
      writerRate: 20,
      agentApp: { healthTimeoutMs: 120_000 },
    });
    await stage.services.start('visionsuit-dev.service');
    await new Promise((r) => setTimeout(r, BASELINE_MS));
    const started = Date.now();
    // Not runProgram: its 60 s bound is shorter than an offline run of the large fixture.
    const r = await run(
      process.execPath,
      [
        BIN.vsctl,
        'migrate',
        ...(mode === 'offline' ? ['--offline'] : []),
        `--socket-path=${stage.agentApp.socketPath}`,
      ],
      cleanEnv(),
    );
    if (r.code !== 0) throw new Error(`vsctl migrate (${mode}) failed:\n${r.out.slice(-3000)}`);
    const id = /migrate (migrate-\S+) started/.exec(r.out)![1]!;
    const report = (await runProgram(BIN.vsctl, ['report', id, `--socket-path=${stage.agentApp.socketPath}`])).stdout;
    const log = readFileSync(stage.writerLog, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Commit)
      .filter((c) => c.op !== 'idle');
    const during = log.filter((c) => c.at >= started);
    return {
      mode,
      downtimeS: figure(report, /^Downtime: ([\d.]+) s/m),
      dataWorkS: figure(report, /^Within it, .*: ([\d.]+) s\.$/m),
      precopyS: figure(report, /^Pre-copy while the app served: ([\d.]+) s/m),
      writerErrors: log.filter((c) => !c.ok).length,
      writerP99Ms: p99(during.filter((c) => c.ok).map((c) => c.ms)),
      baselineP99Ms: p99(log.filter((c) => c.at < started && c.ok).map((c) => c.ms)),
      commits: during.length,
    };
  } finally {
    await tracker.stopAll();
    removeTempDirs();
  }
}

export interface DowntimeCase {
  fixture: string;
  runs: DowntimeRun[];
  online: { downtimeS: number; dataWorkS: number; precopyS: number; writerErrors: number; writerP99Ms: number };
  offline: { downtimeS: number; engineS: number };
  baselineP99Ms: number;
  line: string;
}

export async function benchDowntime(fixture: string, sqlite: string, runs: number): Promise<DowntimeCase> {
  const all: DowntimeRun[] = [];
  for (let i = 0; i < runs; i++) {
    // Alternate which mode goes first, so neither always meets a warmer page cache.
    for (const mode of i % 2 === 0 ? (['offline', 'online'] as const) : (['online', 'offline'] as const)) {
      say(`downtime ${fixture}: run ${i + 1}/${runs}, ${mode} ...`);
      const r = await oneRun(`bench-${fixture}-${mode}`, sqlite, mode);
      say(
        `  downtime ${r.downtimeS.toFixed(1)} s, data work ${r.dataWorkS.toFixed(1)} s${mode === 'online' ? `, pre-copy ${r.precopyS.toFixed(1)} s` : ''}, ` +
          `writer ${r.commits} commits during the run, ${r.writerErrors} failed, p99 ${r.writerP99Ms.toFixed(0)} ms (baseline ${r.baselineP99Ms.toFixed(0)} ms)`,
      );
      all.push(r);
    }
  }
  const on = all.filter((r) => r.mode === 'online');
  const off = all.filter((r) => r.mode === 'offline');
  const m = (rs: DowntimeRun[], k: keyof DowntimeRun) => median(rs.map((r) => r[k] as number));
  const result: DowntimeCase = {
    fixture,
    runs: all,
    online: {
      downtimeS: m(on, 'downtimeS'),
      dataWorkS: m(on, 'dataWorkS'),
      precopyS: m(on, 'precopyS'),
      writerErrors: on.reduce((a, r) => a + r.writerErrors, 0),
      writerP99Ms: m(on, 'writerP99Ms'),
    },
    offline: { downtimeS: m(off, 'downtimeS'), engineS: m(off, 'dataWorkS') },
    baselineP99Ms: m(on, 'baselineP99Ms'),
    line: '',
  };
  result.line =
    `downtime ${fixture} online ${result.online.downtimeS.toFixed(1)} s offline ${result.offline.downtimeS.toFixed(1)} s ` +
    `data-work ${result.online.dataWorkS.toFixed(1)} s precopy ${result.online.precopyS.toFixed(1)} s ` +
    `writer-errors ${result.online.writerErrors} writer-p99 ${result.online.writerP99Ms.toFixed(0)} ms (baseline ${result.baselineP99Ms.toFixed(0)} ms)`;
  say(
    `  ${fixture}: spreads over ${runs} runs: online downtime ${spread(on.map((r) => r.downtimeS))} s, offline ${spread(off.map((r) => r.downtimeS))} s, ` +
      `data work ${spread(on.map((r) => r.dataWorkS))} s, pre-copy ${spread(on.map((r) => r.precopyS))} s; offline engine ${result.offline.engineS.toFixed(1)} s`,
  );
  return result;
}
