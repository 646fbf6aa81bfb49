// The run's report as Markdown (the JSON form is the summary itself).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { diskFullError, isDiskFull } from '../../shared/disk.js';
import type { MigrateSummary } from './migrate.js';
import type { VerifyReport } from './verify.js';

export function renderVerification(v: VerifyReport): string[] {
  const out = [`## Verification: ${v.ok ? 'every value equal' : 'DIFFERENCES FOUND'} (${v.seconds.toFixed(1)} s)`, ''];
  out.push(
    '| table | rows (SQLite) | rows (PostgreSQL) | checksum | seconds | verdict |',
    '| --- | --- | --- | --- | --- | --- |',
  );
  for (const t of v.tables)
    out.push(
      `| ${t.table} | ${t.rows.source} | ${t.rows.target} | \`${t.checksum.source}\` | ${t.seconds.toFixed(2)} | ${t.equal ? 'equal' : 'DIFFERENT'} |`,
    );
  out.push('', '| check | result | detail |', '| --- | --- | --- |');
  for (const c of v.checks) out.push(`| ${c.name} | ${c.ok ? 'ok' : 'FAILED'} | ${cell(c.detail)} |`);
  for (const t of v.tables.filter((x) => x.differences.length)) {
    out.push('', `### ${t.table}: ${t.differences.length}${t.truncated ? '+' : ''} differing row(s)`, '');
    for (const d of t.differences) {
      out.push(
        `- \`${cell(d.key)}\` ${d.kind}${d.columns ? ': ' + d.columns.map((c) => `${c.column} (SQLite ${cell(String(c.source))}, PostgreSQL ${cell(String(c.target))})`).join('; ') : ''}`,
      );
    }
  }
  return out;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderMarkdown(s: MigrateSummary): string {
  const out: string[] = [];
  out.push(`# Migration report`, '');
  out.push(`- result: ${s.ok ? 'complete' : 'stopped (resumable)'}${s.resumed ? ', resumed' : ''}`);
  out.push(`- source snapshot sha256: \`${s.snapshot.sha256}\``);
  out.push(`- rows: ${s.rows}, bytes: ${s.bytes}, seconds: ${s.seconds.toFixed(1)}`);
  out.push(`- Prisma baseline: \`${s.migration.name}\`, checksum \`${s.migration.checksum}\``);
  if (s.backup) out.push(`- backup of the replaced target: \`${s.backup}\``);
  out.push('', '## Steps', '', '| step | seconds |', '| --- | --- |');
  for (const [k, v] of Object.entries(s.steps)) out.push(`| ${k} | ${v.toFixed(2)} |`);
  out.push('', '## Tables', '', '| table | rows | bytes | quarantined | seconds |', '| --- | --- | --- | --- | --- |');
  for (const t of s.tables)
    out.push(`| ${t.name} | ${t.rows} | ${t.bytes} | ${t.quarantined} | ${t.seconds.toFixed(2)} |`);
  if (s.verification) out.push('', ...renderVerification(s.verification));
  out.push('', `## Drift between the SQLite file and schema.prisma (${s.drift.length})`, '');
  if (s.drift.length) {
    out.push(
      '| object | schema.prisma | SQLite file | what changes for the app | policy |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const d of s.drift) out.push(`| ${d.object} | ${d.schema} | ${d.file} | ${d.consequence} | ${d.policy} |`);
    out.push('', 'The baseline migration.sql is the DDL created with these policies; its checksum is above.');
  }
  out.push('', `## Findings (${s.findings.length})`, '');
  if (s.findings.length) {
    out.push('| table | key | column | rule | value | action |', '| --- | --- | --- | --- | --- | --- |');
    for (const f of s.findings)
      out.push(`| ${f.table} | ${cell(f.key)} | ${f.column} | ${f.rule} | ${cell(f.excerpt)} | ${f.action} |`);
  }
  out.push('', `## Repaired values (${s.repairs.length})`, '');
  if (s.repairs.length) {
    out.push('| table | key | column | repair | from | to |', '| --- | --- | --- | --- | --- | --- |');
    for (const r of s.repairs)
      out.push(`| ${r.table} | ${cell(r.key)} | ${r.column} | ${r.repair} | ${cell(r.from)} | ${cell(r.to)} |`);
  }
  if (s.widened.length)
    out.push(
      '',
      `Columns widened to BIGINT: ${s.widened.join(', ')} (the app's schema.prisma still says Int; change it to BigInt).`,
    );
  out.push(
    '',
    `## Quarantined rows (${s.quarantined.length})`,
    '',
    'Kept out of PostgreSQL; their full original values:',
    '',
  );
  for (const q of s.quarantined)
    out.push(`- ${q.table} rowid ${q.rowid}: \`${cell(JSON.stringify(q.row)).slice(0, 2000)}\``);
  return out.join('\n') + '\n';
}

/**
 * report.json and report.md in `dir`, 0600 (they hold quarantined rows' full
 * values); a full disk is named as such.
 */
export async function writeReports(dir: string, summary: MigrateSummary): Promise<void> {
  const files: Array<[string, string]> = [
    [join(dir, 'report.json'), JSON.stringify(summary, null, 2) + '\n'],
    [join(dir, 'report.md'), renderMarkdown(summary)],
  ];
  for (const [path, text] of files) {
    try {
      await writeFile(path, text, { mode: 0o600 });
    } catch (err) {
      throw isDiskFull(err) ? await diskFullError(path, "the run's report", Buffer.byteLength(text), err) : err;
    }
  }
}
