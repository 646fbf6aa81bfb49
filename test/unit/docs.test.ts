import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderConfigReference, renderErrorsDoc, renderMetricsDoc } from '../../docs/render.js';

const doc = (name: string) => readFileSync(fileURLToPath(new URL(`../../../docs/${name}`, import.meta.url)), 'utf8');

test('docs/configuration.md is what the schemas say (regenerate: npm run docs)', async (t) => {
  t.is(doc('configuration.md'), await renderConfigReference());
});

test('docs/errors.md is what the error registry says (regenerate: npm run docs)', (t) => {
  t.is(doc('errors.md'), renderErrorsDoc());
});

test('docs/metrics.md lists every metric the registries hold (regenerate: npm run docs)', async (t) => {
  t.is(doc('metrics.md'), await renderMetricsDoc());
});
