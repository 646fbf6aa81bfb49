// The product's version, from package.json: what --version prints and the agents report.
import { readFileSync } from 'node:fs';

let cached: string | null = null;

/** The product version, from package.json (read once, on first use). */
export function productVersion(): string {
  if (cached === null) {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    cached = pkg.version;
  }
  return cached;
}
