// Writes docs/configuration.md, docs/errors.md and docs/metrics.md from the code (run: npm run docs).
// test/unit/docs.test.ts fails when a file and the code disagree.
import { writeFileSync } from 'node:fs';
import { renderConfigReference, renderErrorsDoc, renderMetricsDoc } from '../dist/docs/render.js';

writeFileSync(new URL('../docs/configuration.md', import.meta.url), await renderConfigReference());
writeFileSync(new URL('../docs/errors.md', import.meta.url), renderErrorsDoc());
writeFileSync(new URL('../docs/metrics.md', import.meta.url), await renderMetricsDoc());
