// The one view of a long operation's progress, for vsctl (an operation's events
// from agent-app) and for the agentless commands (the engine's events, mapped to
// the same form). One line per step; during the copy, on a terminal, a bar per
// running table against the totals planned before the copy, and an overall line
// with MB/s and an ETA, redrawn in place; in a log, a plain progress line every
// few seconds.
import type { OperationEvent__Output } from '../proto/gen/vsmigrate/app/v1/OperationEvent.js';

type Out = NodeJS.WriteStream | NodeJS.WritableStream;

/** The events the view reads: an operation's, with every field optional. */
export type ViewEvent = Partial<
  Pick<OperationEvent__Output, 'step' | 'table' | 'finding' | 'log' | 'plan' | 'finished'>
>;

interface TableView {
  done: number;
  total: number;
  bytes: number;
  /** The table's size in the SQLite file, from the plan (its weight in the overall progress). */
  planned: number;
  /** When its last progress event came (0: none yet), and its rates since the one before, smoothed. */
  at: number;
  rowsPerSecond: number;
  bytesPerSecond: number;
}

/** Weight of the newest rate in the smoothed one. */
const SMOOTHING = 0.3;

const mb = (n: number) => (n / 1048576).toFixed(1);
const count = (n: number) =>
  n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(0)}k` : String(n);
const clock = (s: number) =>
  Number.isFinite(s) ? `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}` : '-';

export interface LiveViewOptions {
  /** Seconds between plain progress lines when the output is not a terminal. */
  plainEverySeconds?: number;
  /** Now, in ms (tests). */
  now?: () => number;
}

export class LiveView {
  private readonly tty: boolean;
  private drawn = 0;
  private lastPlain = 0;
  private copyStarted: number | null = null;
  private readonly tables = new Map<string, TableView>();
  private readonly plainEveryMs: number;
  private readonly now: () => number;

  constructor(
    private readonly out: Out,
    options: LiveViewOptions = {},
  ) {
    this.tty = (out as NodeJS.WriteStream).isTTY === true;
    this.plainEveryMs = (options.plainEverySeconds ?? 5) * 1000;
    this.now = options.now ?? Date.now;
  }

  /** A line of its own, above the live part. */
  print(line: string): void {
    this.clear();
    this.out.write(line + '\n');
    this.draw();
  }

  /** Take the live part off the screen (before a final summary). */
  done(): void {
    this.tables.clear();
    this.clear();
  }

  event(e: ViewEvent): void {
    if (e.step) {
      const s = e.step;
      if (s.name === 'copy' && s.state === 'started') this.copyStarted = this.now();
      // The copy's end takes its live part off the screen before its line is printed.
      if (s.name === 'copy' && s.state !== 'started') this.done();
      if (s.state === 'started') this.print(`• ${s.name} ...`);
      else if (s.state === 'finished')
        this.print(`  ${s.name}: done in ${s.seconds.toFixed(1)} s${s.detail ? ` (${s.detail})` : ''}`);
      else if (s.state === 'failed') this.print(`  ${s.name}: FAILED after ${s.seconds.toFixed(1)} s: ${s.detail}`);
      else this.print(`  ${s.name}: skipped${s.detail ? ` (${s.detail})` : ''}`);
    } else if (e.plan) {
      for (const t of e.plan.tables) {
        this.tables.set(t.table, {
          done: Number(t.rowsDone),
          total: Number(t.rowsTotal),
          bytes: Number(t.bytesDone),
          planned: Number(t.bytesTotal),
          at: 0,
          rowsPerSecond: 0,
          bytesPerSecond: 0,
        });
      }
    } else if (e.table) {
      const t = e.table;
      const prev = this.tables.get(t.table);
      const now = this.now();
      const next: TableView = {
        done: Number(t.rowsDone),
        total: Number(t.rowsTotal),
        bytes: Number(t.bytesDone),
        planned: prev?.planned ?? 0,
        at: now,
        rowsPerSecond: prev?.rowsPerSecond ?? 0,
        bytesPerSecond: prev?.bytesPerSecond ?? 0,
      };
      if (prev?.at && now > prev.at) {
        const secs = (now - prev.at) / 1000;
        const smooth = (old: number, rate: number) => (old > 0 ? old + SMOOTHING * (rate - old) : rate);
        next.rowsPerSecond = smooth(prev.rowsPerSecond, (next.done - prev.done) / secs);
        next.bytesPerSecond = smooth(prev.bytesPerSecond, (next.bytes - prev.bytes) / secs);
      }
      this.tables.set(t.table, next);
      this.copyStarted ??= now;
      if (this.tty) {
        this.clear();
        this.draw();
      } else if (now - this.lastPlain >= this.plainEveryMs) {
        this.lastPlain = now;
        this.out.write(`  ${this.overall()}\n`);
      }
    } else if (e.finding) {
      const f = e.finding;
      this.print(`  finding: ${f.table} ${f.key} ${f.column}: ${f.rule} (${f.excerpt}) → ${f.action}`);
    } else if (e.log) {
      this.print(`  ${e.log.level === 'info' ? '' : `${e.log.level}: `}${e.log.message}`);
    } else if (e.finished) {
      this.done();
    }
  }

  /**
   * The copy as a whole: tables, rows and MB against the plan, the rate, and
   * an ETA. Progress is each table's share of its rows, weighted by the
   * table's size in the file (a row of a table of prompts weighs more than a
   * row of likes), so the ETA does not jump as tables of different widths
   * finish.
   */
  overall(): string {
    let done = 0;
    let total = 0;
    let bytes = 0;
    let weight = 0;
    let progress = 0;
    let finished = 0;
    for (const t of this.tables.values()) {
      done += t.done;
      total += t.total;
      bytes += t.bytes;
      const w = t.planned || t.total || 1;
      weight += w;
      progress += w * (t.total > 0 ? Math.min(1, t.done / t.total) : 1);
      if (t.done >= t.total) finished++;
    }
    const fraction = weight > 0 ? progress / weight : 0;
    const secs = Math.max(0.001, (this.now() - (this.copyStarted ?? this.now())) / 1000);
    const eta = fraction > 0 && fraction < 1 ? clock((secs * (1 - fraction)) / fraction) : fraction >= 1 ? '0:00' : '-';
    return `copy: ${String(Math.floor(fraction * 100)).padStart(3)}%  ${finished}/${this.tables.size} tables  ${count(done)}/${count(total)} rows  ${mb(bytes)} MB  ${mb(bytes / secs)} MB/s  ETA ${eta}`;
  }

  private clear(): void {
    if (this.tty && this.drawn > 0) this.out.write(`\x1b[${this.drawn}A\x1b[J`);
    this.drawn = 0;
  }

  /** On a terminal: a bar per table being copied (at most six), then the overall line. */
  private draw(): void {
    if (!this.tty || this.tables.size === 0 || this.copyStarted === null) return;
    const width = ((this.out as NodeJS.WriteStream).columns ?? 100) - 1;
    const running = [...this.tables.entries()].filter(([, t]) => t.at > 0 && t.done < t.total).slice(0, 6);
    const lines = running.map(([name, t]) => {
      const frac = t.total > 0 ? t.done / t.total : 0;
      const bar = '#'.repeat(Math.round(frac * 20)).padEnd(20, '.');
      const rate = t.bytesPerSecond > 0 ? `${mb(t.bytesPerSecond)} MB/s` : '- MB/s';
      const eta = t.rowsPerSecond > 0 ? clock((t.total - t.done) / t.rowsPerSecond) : '-';
      return `  ${name.padEnd(22).slice(0, 22)} [${bar}] ${String(Math.floor(frac * 100)).padStart(3)}%  ${count(t.done)}/${count(t.total)} rows  ${rate}  ETA ${eta}`.slice(
        0,
        width,
      );
    });
    lines.push(`  ${this.overall()}`.slice(0, width));
    this.out.write(lines.join('\n') + '\n');
    this.drawn = lines.length;
  }
}
