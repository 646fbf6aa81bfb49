// Writes docs/configuration.md from the config schemas (run: npm run docs:config).
// test/unit/docs.test.ts fails when the file and the schemas disagree.
import { writeFileSync } from 'node:fs';
import { renderConfigReference } from '../dist/shared/config-doc.js';

writeFileSync(new URL('../docs/configuration.md', import.meta.url), await renderConfigReference());
