import { describe, expect, it } from 'vitest';
import {
  isValidProjectName,
  normalizeProjectName,
  resolveProjectName,
} from '../../../src/spec/project-name.js';

describe('project name', () => {
  it('normalizes a folder name like Compose', () => {
    expect(normalizeProjectName('My App')).toBe('myapp');
    expect(normalizeProjectName('__Web.Site-2__')).toBe('website-2__');
    expect(normalizeProjectName('-_x')).toBe('x');
    expect(normalizeProjectName('ÄÖ')).toBe('');
  });

  it('validates explicit names', () => {
    expect(isValidProjectName('demo_1-a')).toBe(true);
    for (const bad of ['Demo', '_demo', '-x', 'a.b', '', 'a b']) expect(isValidProjectName(bad)).toBe(false);
  });

  it('picks -p, then TSSTACK_PROJECT_NAME, COMPOSE_PROJECT_NAME, name:, the folder', () => {
    const all = {
      flag: 'flag',
      env: { TSSTACK_PROJECT_NAME: 'ts', COMPOSE_PROJECT_NAME: 'compose' },
      topLevel: { value: 'top' },
      projectDir: '/srv/My Folder',
    };
    expect(resolveProjectName(all)).toEqual({ ok: true, name: 'flag' });
    expect(resolveProjectName({ ...all, flag: undefined })).toEqual({ ok: true, name: 'ts' });
    expect(resolveProjectName({ ...all, flag: undefined, env: { COMPOSE_PROJECT_NAME: 'compose' } })).toEqual(
      {
        ok: true,
        name: 'compose',
      },
    );
    expect(resolveProjectName({ ...all, flag: undefined, env: {} })).toEqual({ ok: true, name: 'top' });
    expect(resolveProjectName({ ...all, flag: undefined, env: {}, topLevel: undefined })).toEqual({
      ok: true,
      name: 'myfolder',
    });
  });

  it('rejects an invalid explicit name, saying where it came from', () => {
    const r = resolveProjectName({ flag: 'My App', env: {}, projectDir: '/x' });
    expect(r).toMatchObject({ ok: false, source: '-p' });
    if (!r.ok)
      expect(r.message).toBe(
        'invalid project name "My App": use only lowercase letters, digits, "-" and "_", starting with a letter or digit',
      );
    const loc = { file: 'compose.yaml', line: 1, col: 7 };
    expect(
      resolveProjectName({ env: {}, topLevel: { value: 'Bad', location: loc }, projectDir: '/x' }),
    ).toMatchObject({
      ok: false,
      source: 'name',
      location: loc,
    });
  });

  it('fails when the folder name normalizes to nothing', () => {
    const r = resolveProjectName({ env: {}, projectDir: '/srv/___' });
    expect(r).toMatchObject({ ok: false, source: 'folder' });
  });
});
