#!/usr/bin/env node
// Thin launcher: the CLI is bundled to bundle/ by `npm run build` (also run by `npm ci` through `prepare`).
import { main } from '../bundle/main.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
