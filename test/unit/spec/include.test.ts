import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { load, tempProjects } from './load-helpers.js';

const project = tempProjects();

async function loadFiles(files: Record<string, string>, env: Record<string, string> = {}) {
  const t = { dir: project(files) };
  const r = await load(t.dir, { files: ['compose.yaml'], env });
  return { ...r, dir: t.dir, data: r.raw?.data as Record<string, Record<string, Record<string, unknown>>> };
}

describe('include', () => {
  it('adds the services, networks and volumes of included files (short form)', async () => {
    const r = await loadFiles({
      'compose.yaml': 'include:\n  - db/compose.yaml\nservices:\n  web: {image: web, depends_on: [db]}\n',
      'db/compose.yaml':
        'services:\n  db:\n    image: pg\n    volumes: ["./init:/init", "data:/var/lib"]\nvolumes:\n  data: {}\nnetworks:\n  back: {}\n',
    });
    expect(r.problems).toEqual([]);
    expect(Object.keys(r.data.services ?? {})).toEqual(['web', 'db']);
    expect(r.data.services?.db?.volumes).toEqual([
      `${path.join(r.dir, 'db', 'init')}:/init`,
      'data:/var/lib',
    ]);
    expect(r.data.volumes).toEqual({ data: {} });
    expect(r.data.networks).toEqual({ back: {} });
    expect(r.data.include).toBeUndefined();
    // Positions still point into the included file.
    expect(r.raw?.locate(['services', 'db', 'image'])).toEqual({ file: 'db/compose.yaml', line: 3, col: 12 });
  });

  it('interpolates an included project with its own .env, and supports the long form', async () => {
    const r = await loadFiles(
      {
        'compose.yaml': [
          'include:',
          '  - path: [lib/a.yml, lib/a.override.yml]',
          '    project_directory: lib/root',
          '    env_file: lib/vars.env',
          '  - other/compose.yaml',
        ].join('\n'),
        'lib/a.yml': 'services:\n  a:\n    image: ${TAG}\n    build: ./ctx\n',
        'lib/a.override.yml': 'services:\n  a:\n    user: ${WHO:-nobody}\n',
        'lib/vars.env': 'TAG=a:1\n',
        'other/compose.yaml': 'services:\n  b:\n    image: ${TAG}\n',
        'other/.env': 'TAG=b:2\n',
      },
      { WHO: 'me' },
    );
    expect(r.problems).toEqual([]);
    expect(r.data.services).toEqual({
      a: { image: 'a:1', build: path.join(r.dir, 'lib', 'root', 'ctx'), user: 'me' },
      b: { image: 'b:2' },
    });
  });

  it('reports an included service that clashes with a local one, at the local key', async () => {
    const r = await loadFiles({
      'compose.yaml': 'include: [inc.yml]\nservices:\n  web:\n    image: mine\n',
      'inc.yml': 'services:\n  web:\n    image: theirs\n',
    });
    expect(r.problems).toEqual([
      {
        location: { file: 'compose.yaml', line: 3, col: 3 },
        path: ['services', 'web'],
        message: 'service "web" is also defined by the included file inc.yml; rename one of them',
      },
    ]);
  });

  it('accepts the same definition twice and reports clashes between two includes', async () => {
    const r = await loadFiles({
      'compose.yaml': 'include: [a.yml, b.yml, c.yml]\nservices:\n  same: {image: s}\n',
      'a.yml': 'services:\n  same: {image: s}\n  x: {image: a}\n',
      'b.yml': 'services:\n  x: {image: b}\n',
      'c.yml': 'services:\n  x: {image: a}\n',
    });
    expect(r.problems).toEqual([
      {
        location: { file: 'compose.yaml', line: 1, col: 18 },
        path: ['include', 1],
        message: 'service "x" from b.yml conflicts with the one included from a.yml',
      },
    ]);
    expect(r.data.services).toEqual({ same: { image: 's' }, x: { image: 'a' } });
  });

  it('reports missing included files and include cycles', async () => {
    const r = await loadFiles({
      'compose.yaml': 'include:\n  - nope.yml\n  - loop.yml\n',
      'loop.yml': 'include: [compose.yaml]\n',
    });
    expect(r.problems).toEqual([
      {
        location: { file: 'compose.yaml', line: 2, col: 5 },
        path: ['include', 0],
        message: 'included file nope.yml does not exist',
      },
      {
        location: { file: 'loop.yml', line: 1, col: 11 },
        path: ['include', 0],
        message: 'include cycle: compose.yaml includes itself',
      },
    ]);
  });

  it('lets a local service extend an included one', async () => {
    const r = await loadFiles({
      'compose.yaml': 'include: [base.yml]\nservices:\n  web:\n    extends: app\n    user: u\n',
      'base.yml': 'services:\n  app: {image: app}\n',
    });
    expect(r.problems).toEqual([]);
    expect(r.data.services?.web).toEqual({ image: 'app', user: 'u' });
  });
});
