/**
 * What bin/tsstack.js runs: the bundled CLI (one CommonJS file, bundle/tsstack.cjs) compiled with a V8
 * code cache per command (code-cache.ts), and the live UI's ES module bundle handed to it as its loader
 * (load-ui.ts). scripts/bundle.mjs writes all three and bundle/build.json naming them. The launcher and
 * bin/tsstack.js are CommonJS too: an ES module entry point starts Node's ES module loader first, which
 * cost a no-op `up` about a tenth of its start-up (measured with --cpu-prof).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { cacheDir } from '../core/cache-dir.js';
import { requireWithCodeCache } from './code-cache.js';
import { commandName } from './command-name.js';
import { UI_LOADER } from '../session/load-ui.js';
import { SUPERVISOR_ENTRY } from '../supervisor/launch.js';

interface BuildInfo {
  /** A hash of the CLI bundle's content. */
  id: string;
  /** The CLI bundle, the UI bundle and the detached supervisor's bundle, relative to this file. */
  cli: string;
  ui: string;
  supervisor?: string;
}

/** Runs the CLI in `bundleDir` on `argv` (as process.argv) and resolves with its exit code. */
export async function launch(argv: string[], bundleDir: string): Promise<number> {
  const info = JSON.parse(readFileSync(path.join(bundleDir, 'build.json'), 'utf8')) as BuildInfo;
  (globalThis as Record<symbol, unknown>)[UI_LOADER] = () =>
    import(pathToFileURL(path.join(bundleDir, info.ui)).href);
  if (info.supervisor)
    (globalThis as Record<symbol, unknown>)[SUPERVISOR_ENTRY] = path.join(bundleDir, info.supervisor);
  const { exports } = requireWithCodeCache(path.join(bundleDir, info.cli), {
    dir: cacheDir(process.env),
    build: info.id,
    use: commandName(argv) ?? 'none',
  });
  return (exports as { main(argv: string[]): Promise<number> }).main(argv);
}
