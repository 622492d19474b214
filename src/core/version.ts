import { readFileSync } from 'node:fs';

/** tsstack's package.json: the nearest one above this module (src/core/, dist/src/core/ or bundle/). */
function packageVersion(): string {
  for (let dir = new URL('./', import.meta.url); ; dir = new URL('../', dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as {
        name?: string;
        version: string;
      };
      if (pkg.name === 'tsstack') return pkg.version;
    } catch {
      // No package.json here: look one folder up.
    }
    if (dir.pathname === '/') throw new Error('tsstack: its package.json was not found');
  }
}

/** The package version, read once. */
export const VERSION: string = packageVersion();
