import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverStackFiles, overrideFor } from '../../../src/spec/discover.js';
import { load, tempProjects } from './load-helpers.js';

const project = tempProjects();

describe('discoverStackFiles', () => {
  it('finds compose.yaml in the folder itself', () => {
    const dir = project({ 'compose.yaml': 'services: {}\n' });
    expect(discoverStackFiles(dir)).toEqual({ files: [path.join(dir, 'compose.yaml')], ignored: [] });
  });

  it('walks up to the first parent holding a stack file', () => {
    const dir = project({ 'stack.yml': 'services: {}\n', 'a/b/c/readme.txt': 'x' });
    expect(discoverStackFiles(path.join(dir, 'a', 'b', 'c'))?.files).toEqual([path.join(dir, 'stack.yml')]);
  });

  it('prefers compose.yaml over the other names and lists the ones it ignores', () => {
    const dir = project({ 'docker-compose.yml': 'x: 1\n', 'compose.yaml': 'x: 1\n', 'stack.yml': 'x: 1\n' });
    const found = discoverStackFiles(dir);
    expect(found?.files).toEqual([path.join(dir, 'compose.yaml')]);
    expect(found?.ignored).toEqual([path.join(dir, 'docker-compose.yml'), path.join(dir, 'stack.yml')]);
  });

  it('adds the matching override file', () => {
    const dir = project({
      'docker-compose.yml': 'x: 1\n',
      'docker-compose.override.yml': 'x: 2\n',
      'compose.override.yaml': 'x: 3\n',
    });
    expect(discoverStackFiles(dir)?.files).toEqual([
      path.join(dir, 'docker-compose.yml'),
      path.join(dir, 'docker-compose.override.yml'),
    ]);
    const other = project({ 'stack.yml': 'x: 1\n', 'stack.override.yaml': 'x: 2\n' });
    expect(overrideFor(path.join(other, 'stack.yml'))).toBe(path.join(other, 'stack.override.yaml'));
  });

  it('ignores folders named like stack files', () => {
    const dir = project({ 'compose.yaml/inner.txt': 'x', 'sub/compose.yml': 'x: 1\n' });
    expect(discoverStackFiles(dir)?.files[0]).not.toBe(path.join(dir, 'compose.yaml'));
    expect(discoverStackFiles(path.join(dir, 'sub'))?.files).toEqual([path.join(dir, 'sub', 'compose.yml')]);
  });
});

describe('loading without -f', () => {
  it('loads the discovered file and its override, merged, with the project folder as project dir', async () => {
    const dir = project({
      'compose.yaml': 'services:\n  web: {image: a, ports: ["80:80"]}\n',
      'compose.override.yaml': 'services:\n  web: {image: b, ports: ["81:81"]}\n',
      'src/app/x.txt': 'x',
    });
    const r = await load(path.join(dir, 'src', 'app'));
    expect(r.problems).toEqual([]);
    expect(r.raw?.files).toEqual([path.join(dir, 'compose.yaml'), path.join(dir, 'compose.override.yaml')]);
    expect(r.raw?.projectDir).toBe(dir);
    expect(r.raw?.projectName).toBe('proj');
    expect(r.raw?.data).toEqual({ services: { web: { image: 'b', ports: ['80:80', '81:81'] } } });
  });

  it('warns when several stack files sit side by side', async () => {
    const dir = project({ 'compose.yaml': 'services: {}\n', 'docker-compose.yml': 'services: {}\n' });
    const r = await load(dir);
    expect(r.warnings.map((w) => w.message)).toEqual([
      'found several stack files (compose.yaml, docker-compose.yml); using compose.yaml',
    ]);
  });

  it('reports that no file was found, or returns "missing" with allowMissing and -p', async () => {
    const dir = project({ 'empty.txt': '' });
    const r = await load(dir);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]?.message).toMatch(
      /^no stack file found in .* or its parents \(looked for compose\.yaml, compose\.yml, docker-compose\.yaml, docker-compose\.yml, stack\.yml\); name one with -f$/,
    );
    const allowed = await load(dir, { allowMissing: true, projectName: 'x' });
    expect(allowed.problems).toEqual([]);
    expect(allowed.missing).toBe(true);
  });

  it('uses COMPOSE_FILE when set', async () => {
    const dir = project({ 'a.yml': 'services:\n  a: {image: a}\n', 'b.yml': 'services:\n  b: {image: b}\n' });
    const r = await load(dir, { env: { COMPOSE_FILE: `a.yml${path.delimiter}b.yml` } });
    expect(Object.keys((r.raw?.data.services ?? {}) as object)).toEqual(['a', 'b']);
  });

  it('starts discovery in --project-directory when given', async () => {
    const dir = project({ 'app/compose.yaml': 'services:\n  a: {image: a}\n', 'other/x.txt': '' });
    const r = await load(path.join(dir, 'other'), { projectDirectory: '../app' });
    expect(r.raw?.files).toEqual([path.join(dir, 'app', 'compose.yaml')]);
    expect(r.raw?.projectName).toBe('app');
  });
});
