#!/usr/bin/env node
// Thin launcher: the CLI is bundled to bundle/ by `npm run build` (also run by `npm ci` through `prepare`);
// bundle/launch.js runs it with a compiled-code cache (src/cli/launch.ts).
import { launch } from '../bundle/launch.js';

launch(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
