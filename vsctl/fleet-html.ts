// The fleet report as one self-contained HTML page: no scripts, no external
// files; a table per host and an SVG bar chart of projected downtime.
import type { RehearsalReport__Output as RehearsalReport } from '../proto/gen/vsmigrate/app/v1/RehearsalReport.js';

export interface MergedReport {
  generatedAt: string;
  inventory: string;
  hosts: Array<{ name: string; verdict: string; error: string; operation: string; report: RehearsalReport | null }>;
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const COLOR: Record<string, string> = {
  'would succeed': '#2e7d32',
  'would fail': '#c62828',
  unreachable: '#757575',
  failed: '#c62828',
};

function chart(m: MergedReport): string {
  const bars = m.hosts.map((h) => ({
    name: h.name,
    verdict: h.verdict,
    seconds: h.report?.projectedDowntime?.seconds ?? 0,
  }));
  const max = Math.max(1, ...bars.map((b) => b.seconds));
  const rowH = 34;
  const labelW = 180;
  const plotW = 560;
  const height = bars.length * rowH + 40;
  const parts = bars.map((b, i) => {
    const y = 10 + i * rowH;
    const w = Math.max(2, (b.seconds / max) * plotW);
    const text = b.seconds > 0 ? `${b.seconds.toFixed(1)} s` : b.verdict;
    return (
      `<text x="${labelW - 8}" y="${y + 20}" text-anchor="end" class="label">${esc(b.name)}</text>` +
      (b.seconds > 0
        ? `<rect class="bar" x="${labelW}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowH - 10}" fill="${COLOR[b.verdict] ?? '#555'}"><title>${esc(b.name)}: ${text}</title></rect>`
        : '') +
      `<text x="${labelW + (b.seconds > 0 ? w : 0) + 6}" y="${y + 20}" class="value">${esc(text)}</text>`
    );
  });
  return `<svg id="downtime-chart" role="img" aria-label="projected downtime per host" width="${labelW + plotW + 120}" height="${height}" xmlns="http://www.w3.org/2000/svg">
<line x1="${labelW}" y1="4" x2="${labelW}" y2="${height - 24}" stroke="#333"/>
<text x="${labelW}" y="${height - 6}" class="axis">0 s</text><text x="${labelW + plotW}" y="${height - 6}" class="axis" text-anchor="end">${max.toFixed(1)} s</text>
${parts.join('\n')}
</svg>`;
}

export function renderFleetHtml(m: MergedReport): string {
  const rows = m.hosts
    .map((h) => {
      const r = h.report;
      const why = h.error || (r?.reasons ?? []).join('; ');
      return (
        `<tr class="${h.verdict.replace(/ /g, '-')}"><td>${esc(h.name)}</td><td><span class="verdict" style="background:${COLOR[h.verdict] ?? '#555'}">${esc(h.verdict)}</span></td>` +
        `<td class="num">${r?.projectedDowntime ? r.projectedDowntime.seconds.toFixed(1) + ' s' : '–'}</td><td class="num">${r ? r.findings.length : '–'}</td>` +
        `<td class="num">${r ? r.tables.reduce((a, t) => a + t.rows, 0) : '–'}</td><td>${esc(why)}</td></tr>`
      );
    })
    .join('\n');
  const failing = m.hosts.filter((h) => h.verdict !== 'would succeed').length;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>vsmigrate fleet rehearsal ${esc(m.generatedAt)}</title>
<style>
body { font: 15px/1.4 system-ui, sans-serif; margin: 2rem; color: #222; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
table { border-collapse: collapse; min-width: 60rem; }
th, td { border: 1px solid #bbb; padding: .4rem .7rem; text-align: left; vertical-align: top; }
th { background: #eee; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.verdict { color: #fff; padding: .1rem .5rem; border-radius: .3rem; white-space: nowrap; }
svg text { font: 14px system-ui, sans-serif; } svg .axis { fill: #555; font-size: 12px; }
</style></head>
<body>
<h1>Fleet rehearsal: ${failing === 0 ? 'every host would migrate' : `${failing} of ${m.hosts.length} hosts would not migrate`}</h1>
<p>Generated ${esc(m.generatedAt)} from ${esc(m.inventory)}. Projected downtime: the engine's steps as measured in each host's rehearsal, plus the estimated freeze, switch and restart (each host's report says how).</p>
<h2>Hosts</h2>
<table id="hosts"><thead><tr><th>host</th><th>verdict</th><th>projected downtime</th><th>findings</th><th>rows</th><th>why</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<h2>Projected downtime</h2>
${chart(m)}
</body></html>
`;
}
