import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateStack } from '../../../bench/spec/generate.js';
import { cacheDir, decode, encode, parseYamlCached } from '../../../src/spec/parse-cache.js';
import { parseYaml } from '../../../src/spec/yaml.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures');

function fixtureFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return fixtureFiles(p);
    return /\.ya?ml$/.test(name) && !name.startsWith('expected') ? [p] : [];
  });
}

let dir: string;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tsstack-cache-'));
  env = { TSSTACK_CACHE_DIR: dir };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const entries = () => readdirSync(dir).filter((f) => f.startsWith('parse-'));

describe('parse cache', () => {
  it('round-trips every fixture exactly: values, positions, merge tags, textCol and alias sharing', () => {
    const files = fixtureFiles(FIXTURES);
    expect(files.length).toBeGreaterThan(30);
    let checked = 0;
    for (const f of files) {
      const fresh = parseYaml(readFileSync(f, 'utf8'), f);
      if (!fresh.node) continue;
      expect(decode(JSON.parse(JSON.stringify(encode(fresh.node))) as unknown[], f)).toEqual(fresh.node);
      checked++;
    }
    expect(checked).toBeGreaterThan(30);
  });

  it('keeps nodes shared by aliases shared, and merge tags', () => {
    const text = 'x-base: &b\n  image: a\n  ports: !reset []\nservices:\n  a: *b\n  b: *b\n';
    const fresh = parseYaml(text, 'f.yml').node!;
    const back = decode(encode(fresh), 'f.yml');
    expect(back).toEqual(fresh);
    if (back.kind !== 'map') throw new Error('not a map');
    const services = back.entries.get('services')!.value;
    if (services.kind !== 'map') throw new Error('not a map');
    expect(services.entries.get('a')!.value).toBe(services.entries.get('b')!.value);
  });

  it('answers a second parse of the same large text from the cache, equal to a fresh parse', () => {
    const text = generateStack(50);
    const first = parseYamlCached(text, 'stack.yml', { env, minBytes: 0 });
    expect(entries()).toHaveLength(1);
    const entry = path.join(dir, entries()[0]!);
    const written = statSync(entry).mtimeMs;
    const second = parseYamlCached(text, 'stack.yml', { env, minBytes: 0 });
    expect(second).toEqual(first);
    expect(second.node).not.toBe(first.node);
    expect(statSync(entry).mtimeMs).toBe(written); // read, not rewritten
  });

  it('misses on any change of the text or of the name errors show', () => {
    const text = generateStack(5);
    parseYamlCached(text, 'stack.yml', { env, minBytes: 0 });
    parseYamlCached(`${text}\n# edited\n`, 'stack.yml', { env, minBytes: 0 });
    const other = parseYamlCached(text, 'other.yml', { env, minBytes: 0 });
    expect(entries()).toHaveLength(3);
    expect(other.node?.loc.file).toBe('other.yml');
  });

  it('never stores a file with problems, and parses again past a damaged entry', () => {
    const bad = 'services:\n  a: {image: x\n';
    const r = parseYamlCached(bad, 'bad.yml', { env, minBytes: 0 });
    expect(r.problems.length).toBeGreaterThan(0);
    expect(entries()).toHaveLength(0);
    const text = generateStack(3);
    const good = parseYamlCached(text, 'stack.yml', { env, minBytes: 0 });
    writeFileSync(path.join(dir, entries()[0]!), '[1, "broken"');
    expect(parseYamlCached(text, 'stack.yml', { env, minBytes: 0 })).toEqual(good);
  });

  it('is off with TSSTACK_NO_CACHE=1 and for files under the size threshold', () => {
    expect(cacheDir({ TSSTACK_NO_CACHE: '1', TSSTACK_CACHE_DIR: dir })).toBeUndefined();
    parseYamlCached(generateStack(3), 'stack.yml', { env: { ...env, TSSTACK_NO_CACHE: '1' }, minBytes: 0 });
    parseYamlCached('services: {}\n', 'small.yml', { env });
    expect(entries()).toHaveLength(0);
    expect(cacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/tsstack');
  });
});

describe('parse cache entries that are valid JSON but not a tree', () => {
  it('are refused by decode, so the file is parsed instead', () => {
    expect(() => decode([0, 1, 1, 0, { x: 1 }, -1], 'f.yml')).toThrow('bad scalar');
    expect(() => decode([1, 1, 1, 0, 'k', 1, 1, [3, 9]], 'f.yml')).toThrow('bad reference');
    expect(() => decode([7, 1, 1, 0], 'f.yml')).toThrow('bad kind');
  });
});
