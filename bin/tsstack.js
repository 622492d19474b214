#!/usr/bin/env node
// Thin launcher (CommonJS: bin/package.json): the CLI is bundled to bundle/ by `npm run build` (also run by
// `npm ci` through `prepare`); bundle/launch.cjs runs it with a compiled-code cache (src/cli/launch.ts).
const path = require('node:path');
const { launch } = require('../bundle/launch.cjs');

launch(process.argv, path.join(__dirname, '..', 'bundle')).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
