// A stand-in for systemctl where systemd is not PID 1 (test machines): it
// really starts, stops and reports the unit's process, the way systemd runs a
// Type=simple unit with an EnvironmentFile. Units are JSON files in
// <state>/units/<unit>.json: { argv, environmentFile?, cwd?, log }.
//
//   node systemctl.js <state> show --property=LoadState,ActiveState,MainPID -- <unit>
//   node systemctl.js <state> start|stop|restart -- <unit>
//
// As systemctl does, it reads every word before `--` that starts with a dash
// as an option, and refuses one it does not know.
import { spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import dotenv from 'dotenv';

interface Unit {
  argv: string[];
  environmentFile?: string;
  cwd?: string;
  log: string;
}

const [stateDir, ...words] = process.argv.slice(2);
const end = words.indexOf('--');
const before = end < 0 ? words : words.slice(0, end);
const unknown = before.find((w) => w.startsWith('-') && !w.startsWith('--property='));
if (unknown) {
  process.stderr.write(`systemctl: unrecognized option '${unknown}'\n`);
  process.exit(1);
}
const plain = before.filter((w) => !w.startsWith('-'));
const [verb, unitName] = [plain[0], plain[1] ?? (end < 0 ? undefined : words[end + 1])];
if (!stateDir || !verb || !unitName) {
  process.stderr.write('usage: systemctl.js <state> show|start|stop|restart <unit>\n');
  process.exit(2);
}
const unitFile = join(stateDir, 'units', `${unitName}.json`);
const pidFile = join(stateDir, `${unitName}.pid`);

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

function mainPid(): number {
  const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : 0;
  return pid > 0 && alive(pid) ? pid : 0;
}

function start(): void {
  if (mainPid()) return;
  const unit = JSON.parse(readFileSync(unitFile, 'utf8')) as Unit;
  const fileEnv =
    unit.environmentFile && existsSync(unit.environmentFile) ? dotenv.parse(readFileSync(unit.environmentFile)) : {};
  const log = openSync(unit.log, 'a');
  const child = spawn(unit.argv[0]!, unit.argv.slice(1), {
    cwd: unit.cwd,
    detached: true,
    stdio: ['ignore', log, log],
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...fileEnv },
  });
  writeFileSync(pidFile, String(child.pid));
  child.unref();
}

async function stop(): Promise<void> {
  const pid = mainPid();
  if (!pid) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  while (alive(pid)) await new Promise((r) => setTimeout(r, 20));
  rmSync(pidFile, { force: true });
}

if (verb === 'show') {
  const loaded = existsSync(unitFile);
  const pid = loaded ? mainPid() : 0;
  process.stdout.write(
    `LoadState=${loaded ? 'loaded' : 'not-found'}\nActiveState=${pid ? 'active' : 'inactive'}\nMainPID=${pid}\n`,
  );
} else if (!existsSync(unitFile)) {
  process.stderr.write(`Failed to ${verb} ${unitName}: Unit ${unitName} not found.\n`);
  process.exit(5);
} else if (verb === 'start') start();
else if (verb === 'stop') await stop();
else if (verb === 'restart') {
  await stop();
  start();
} else {
  process.stderr.write(`unknown verb ${verb}\n`);
  process.exit(2);
}
