// Engine progress as text for a terminal or a log: one line per step, a live
// line of per-table progress (redrawn in place on a terminal, every few seconds
// otherwise), and the findings with table, key, column and rule.
import type { EngineEvent, MigrateSummary } from './migrate.js';
import type { Finding } from './lint.js';

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

export class ProgressPrinter {
  private readonly tty: boolean;
  private live = '';
  private lastPrint = 0;
  private readonly tables = new Map<string, { done: number; total: number; bytes: number }>();
  private copyStarted = 0;

  constructor(private readonly out: NodeJS.WriteStream) {
    this.tty = out.isTTY === true;
  }

  line(text: string): void {
    this.clearLive();
    this.out.write(text + '\n');
  }

  private clearLive(): void {
    if (this.tty && this.live) this.out.write('\r\x1b[K');
    this.live = '';
  }

  event(e: EngineEvent): void {
    if (e.type === 'step') {
      if (e.name === 'copy' && e.state === 'started') this.copyStarted = Date.now();
      if (e.state === 'started') this.line(`• ${e.name} ...`);
      else if (e.state === 'finished') this.line(`  ${e.name}: done in ${e.seconds?.toFixed(1)} s${e.detail ? ` (${e.detail})` : ''}`);
      else this.line(`  ${e.name}: skipped${e.detail ? ` (${e.detail})` : ''}`);
    } else if (e.type === 'table') {
      this.tables.set(e.table, { done: e.rowsDone, total: e.rowsTotal, bytes: e.bytesDone });
      this.progress();
    }
    // Findings are listed together at the end of the lint (findings()).
  }

  private progress(): void {
    const now = Date.now();
    if (!this.tty && now - this.lastPrint < 5000) return;
    this.lastPrint = now;
    let done = 0;
    let total = 0;
    let bytes = 0;
    for (const t of this.tables.values()) {
      done += t.done;
      total += t.total;
      bytes += t.bytes;
    }
    const secs = (now - this.copyStarted) / 1000;
    const rate = secs > 0 ? bytes / secs : 0;
    const active = [...this.tables.entries()].filter(([, t]) => t.done < t.total).map(([n]) => n);
    const text = `  copy: ${done} rows, ${mb(bytes)} MB, ${mb(rate)} MB/s; in progress: ${active.slice(0, 3).join(', ') || '-'}${active.length > 3 ? ', …' : ''}`;
    if (this.tty) {
      this.out.write(`\r\x1b[K${text.slice(0, (this.out.columns ?? 120) - 1)}`);
      this.live = text;
    } else this.out.write(text + (total ? ` (${((100 * done) / total).toFixed(0)}%)` : '') + '\n');
  }

  findings(findings: Finding[]): void {
    const shown = findings.slice(0, 30);
    this.line(`findings (${findings.length}):`);
    for (const f of shown) this.line(`  ${f.table} [${f.key}] ${f.column}: ${f.rule} ${f.excerpt} → ${f.action}${f.note ? ` (${f.note})` : ''}`);
    if (findings.length > shown.length) this.line(`  … and ${findings.length - shown.length} more`);
  }

  summary(s: MigrateSummary, workDir: string): void {
    if (s.ok) this.line(`done: ${s.rows} rows, ${mb(s.bytes)} MB in ${s.seconds.toFixed(1)} s, verified equal; ${s.quarantined.length} row(s) quarantined, ${s.repairs.length} value(s) repaired`);
    else if (s.verification) {
      const bad = s.verification.tables.filter((t) => !t.equal).map((t) => t.table);
      const checks = s.verification.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
      this.line(`copied ${s.rows} rows, but VERIFICATION FOUND DIFFERENCES: ${[...bad, ...checks].join('; ')}`);
      this.line('  the database is not accepted; the report names the rows and columns');
    } else this.line(`stopped at a checkpoint after ${s.rows} rows; run the same command again to resume`);
    if (s.widened.length) this.line(`  widened to BIGINT (int-overflow-widen): ${s.widened.join(', ')}`);
    this.line(`  report: ${workDir}/report.md; Prisma baseline: ${s.migration.dir}/migration.sql`);
  }

  done(): void {
    this.clearLive();
  }
}
