import { chmodSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cacheFileName, requireWithCodeCache } from '../../../src/cli/code-cache.js';

describe('requireWithCodeCache', () => {
  let dir: string;
  let file: string;
  let saves: (() => void)[];
  let variant: number;
  /**
   * Each load gets a source of its own (same length): V8 keeps compiled scripts in memory per process and
   * would answer a second compile of the same text from there, never looking at the cache file.
   */
  const writeSource = () =>
    writeFileSync(
      file,
      "const os = require('node:os'); const two = require('./dep.cjs');\n" +
        'exports.answer = (x) => x * 21 * two;\nexports.where = () => __filename;\nexports.eol = os.EOL;\n' +
        `// variant ${String(++variant).padStart(6, '0')}\n`,
    );
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tsstack-code-cache-'));
    file = path.join(dir, 'cli.cjs');
    // Exports, require of a built-in and of a relative file, __filename: what a bundle uses.
    writeFileSync(path.join(dir, 'dep.cjs'), 'module.exports = 2;\n');
    saves = [];
    variant = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const load = (build = 'b1', use = 'ps', cacheDir: string | null = path.join(dir, 'cache')) => {
    writeSource();
    return requireWithCodeCache(file, {
      dir: cacheDir ?? undefined,
      build,
      use,
      atExit: (save) => saves.push(save),
    });
  };

  it('runs the file as CommonJS, compiles it without a cache first and saves one at exit', () => {
    const first = load();
    const api = first.exports as { answer(x: number): number; where(): string; eol: string };
    expect(api.answer(1)).toBe(42);
    expect(api.where()).toBe(file);
    expect(first.cache).toBe('miss');
    expect(saves).toHaveLength(1);
    saves[0]?.();
    expect(readdirSync(path.join(dir, 'cache'))).toEqual([cacheFileName('b1', 'ps')]);
    saves = [];
    const second = load();
    expect(second.cache).toBe('hit');
    expect((second.exports as { answer(x: number): number }).answer(2)).toBe(84);
    expect(saves).toEqual([]);
  });

  it('keeps one file per build and use, the newest `maxFiles` of them', () => {
    const cache = path.join(dir, 'cache');
    const at = (f: string, s: number) => utimesSync(path.join(cache, f), s, s);
    load('b1', 'ps');
    load('b1', 'up');
    for (const s of saves) s();
    expect(readdirSync(cache).sort()).toEqual([cacheFileName('b1', 'ps'), cacheFileName('b1', 'up')].sort());
    at(cacheFileName('b1', 'ps'), 1000);
    at(cacheFileName('b1', 'up'), 2000);
    saves = [];
    // Another installed version's files stay while there is room.
    requireWithCodeCache((writeSource(), file), {
      dir: cache,
      build: 'b2',
      use: 'ps',
      maxFiles: 2,
      atExit: (save) => saves.push(save),
    });
    saves[0]?.();
    expect(readdirSync(cache).sort()).toEqual([cacheFileName('b1', 'up'), cacheFileName('b2', 'ps')].sort());
  });

  it('data V8 rejects (damaged, or another V8) is compiled past and saved again', () => {
    const cache = path.join(dir, 'cache');
    load();
    saves[0]?.();
    writeFileSync(path.join(cache, cacheFileName('b1', 'ps')), Buffer.alloc(4096, 7));
    saves = [];
    const again = load();
    expect(again.cache).toBe('rejected');
    expect((again.exports as { answer(x: number): number }).answer(1)).toBe(42);
    saves[0]?.();
    saves = [];
    expect(load().cache).toBe('hit');
  });

  it('without a cache folder nothing is read or written', () => {
    const r = load('b1', 'ps', null);
    expect(r.cache).toBe('off');
    expect(saves).toEqual([]);
  });

  it('a folder it cannot write to only costs the speed-up', () => {
    if (process.getuid?.() === 0) return; // root writes anywhere; the failure cannot be staged
    const cache = path.join(dir, 'ro');
    writeFileSync(cache, 'not a folder');
    chmodSync(cache, 0o400);
    load('b1', 'ps', cache);
    expect(() => saves[0]?.()).not.toThrow();
  });
});
