import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests share one engine; files run in parallel but each uses its own project name.
    pool: 'forks',
    // The parse cache (src/spec/parse-cache.ts) of tests and of the CLIs they spawn stays out of $HOME.
    env: { TSSTACK_CACHE_DIR: path.join(tmpdir(), 'tsstack-test-parse-cache') },
  },
});
