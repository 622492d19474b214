/**
 * Loads a CommonJS file as `require` would, compiled with a V8 code cache kept in tsstack's cache folder.
 *
 * Why: every command starts a fresh Node process, which compiled the CLI's JavaScript again each time. On a
 * 2-core machine that was the largest part of a no-op `up -d` or a `ps` (docs/reconciler.md has the
 * numbers). Node 20 has no compile cache for modules (`module.enableCompileCache` came in Node 22), but
 * `vm.Script` takes V8's `cachedData`, so the launcher runs the bundled CLI as one script through here.
 *
 * How: the first run of a command compiles as usual and, at exit, saves `createCachedData()`: taken after
 * the run, it holds every function the command ran, not only the top level. Later runs hand it to V8,
 * which skips parsing and compiling those functions. One file per key (the build's content hash and the
 * command), so `ps` and `up` each keep their own.
 *
 * Safety: V8 checks its own version, its flags and the source's length and rejects data that do not
 * match (then this run compiles and saves again); the key names the build's content, so another build
 * never reads this one's data. Writes go to a temporary file that is renamed; when a new file is written,
 * the oldest beyond `MAX_FILES` go (two installed versions keep theirs: deleting each other's would make
 * both compile every time); any read or write failure only costs the speed-up.
 */
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { isAscii } from 'node:buffer';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

/** Cache files kept (one per build and command, about 0.2–1 MB each). */
export const MAX_FILES = 32;

export interface CodeCacheOptions {
  /** The cache folder; undefined: compile without a cache. */
  dir: string | undefined;
  /** What the code is (the build's content hash). */
  build: string;
  /** How it is used (the command): each use keeps its own compiled functions. */
  use: string;
  /** Cache files kept (default `MAX_FILES`). */
  maxFiles?: number;
  /** When to save a new cache (default: when the process exits). */
  atExit?: (save: () => void) => void;
}

export type CacheState = 'off' | 'hit' | 'miss' | 'rejected';

export interface LoadedScript {
  exports: unknown;
  cache: CacheState;
  /** Where the cache is (or would be) kept. */
  cacheFile?: string;
}

const safe = (s: string): string => s.replace(/[^A-Za-z0-9._]/g, '_');

/** The cache file of a build and use, on this Node version and architecture. */
export function cacheFileName(build: string, use: string): string {
  return `code-${safe(build)}-${safe(use)}-${process.version}-${process.arch}.bin`;
}

function readCache(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Saves the script's compiled code; drops the oldest files beyond `max`. Never throws. */
export function saveCache(script: vm.Script, dir: string, file: string, max = MAX_FILES): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
    renameSync(tmp, file);
    const files = readdirSync(dir)
      .filter((f) => f.startsWith('code-') && f.endsWith('.bin'))
      .map((f) => ({ p: path.join(dir, f), at: statSync(path.join(dir, f)).mtimeMs }))
      .sort((a, b) => b.at - a.at);
    for (const old of files.slice(max)) unlinkSync(old.p);
  } catch {
    // A read-only or full disk only costs the next run its head start.
  }
}

/**
 * Runs `file` (CommonJS) and returns its exports. On a miss or a rejected cache the compiled code is saved
 * when the process exits, so it includes what the run compiled lazily.
 */
export function requireWithCodeCache(file: string, opts: CodeCacheOptions): LoadedScript {
  // An ASCII file (the bundle is made so) reads as Latin-1 without the cost of decoding UTF-8.
  const bytes = readFileSync(file);
  const source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  const cacheFile = opts.dir ? path.join(opts.dir, cacheFileName(opts.build, opts.use)) : undefined;
  const cachedData = cacheFile ? readCache(cacheFile) : undefined;
  // The wrapper Node's own CommonJS loader puts around a module.
  const script = new vm.Script(
    `(function (exports, require, module, __filename, __dirname) { ${source}\n})`,
    { filename: file, cachedData },
  );
  const cache: CacheState = !cacheFile
    ? 'off'
    : !cachedData
      ? 'miss'
      : script.cachedDataRejected
        ? 'rejected'
        : 'hit';
  if (opts.dir && cacheFile && cache !== 'hit') {
    const dir = opts.dir;
    const atExit = opts.atExit ?? ((save: () => void) => process.once('exit', save));
    atExit(() => saveCache(script, dir, cacheFile, opts.maxFiles));
  }
  const module = { exports: {} as unknown };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
  return { exports: module.exports, cache, cacheFile };
}
