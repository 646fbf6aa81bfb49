import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderConfigReference } from '../../shared/config-doc.js';

test('docs/configuration.md is what the schemas say (regenerate: npm run docs:config)', async (t) => {
  const doc = readFileSync(fileURLToPath(new URL('../../../docs/configuration.md', import.meta.url)), 'utf8');
  t.is(doc, await renderConfigReference());
});
