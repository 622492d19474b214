import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { load, tempProjects } from './load-helpers.js';

const project = tempProjects();

describe('loadRawProject', () => {
  it('merges -f files in order and remembers where each value came from', async () => {
    const dir = project({
      'base.yml': 'services:\n  web:\n    image: a\n    user: u\n',
      'conf/prod.yml': 'services:\n  web:\n    image: b\n',
    });
    const r = await load(dir, { files: ['base.yml', 'conf/prod.yml'] });
    expect(r.problems).toEqual([]);
    expect(r.raw?.data).toEqual({ services: { web: { image: 'b', user: 'u' } } });
    expect(r.raw?.files).toEqual([path.join(dir, 'base.yml'), path.join(dir, 'conf', 'prod.yml')]);
    expect(r.raw?.locate(['services', 'web', 'image'])).toEqual({ file: 'conf/prod.yml', line: 3, col: 12 });
    expect(r.raw?.locateKey(['services', 'web', 'user'])).toEqual({ file: 'base.yml', line: 4, col: 5 });
    expect(r.raw?.sourceText('base.yml')).toBe('services:\n  web:\n    image: a\n    user: u\n');
    expect(r.raw?.projectDir).toBe(dir);
    expect(r.raw?.sources).toEqual([path.join(dir, 'base.yml'), path.join(dir, 'conf', 'prod.yml')]);
  });

  it('interpolates from the process environment over .env', async () => {
    const dir = project({
      'compose.yaml': 'services:\n  web:\n    image: "${IMAGE}:${TAG:-latest}"\n    user: $WHO\n',
      '.env': 'IMAGE=from-dotenv\nWHO=dotenv-user\n',
    });
    const r = await load(dir, { env: { WHO: 'process-user', UNRELATED: undefined } });
    expect(r.problems).toEqual([]);
    expect(r.raw?.data).toEqual({ services: { web: { image: 'from-dotenv:latest', user: 'process-user' } } });
    expect(r.raw?.env.IMAGE).toBe('from-dotenv');
    expect(r.raw?.env.WHO).toBe('process-user');
  });

  it('uses --env-file files instead of .env, later ones winning, and reports a missing one', async () => {
    const dir = project({
      'compose.yaml': 'services:\n  web:\n    image: $IMAGE\n',
      '.env': 'IMAGE=dotenv\n',
      'a.env': 'IMAGE=a\n',
      'b.env': 'IMAGE=b\n',
    });
    const r = await load(dir, { envFiles: ['a.env', 'b.env'] });
    expect(r.raw?.data).toEqual({ services: { web: { image: 'b' } } });
    const missing = await load(dir, { envFiles: ['nope.env'] });
    expect(missing.problems.map((p) => p.message)).toEqual(['cannot read nope.env: no such file']);
  });

  it('reads .env from --project-directory and resolves the folder name from it', async () => {
    const dir = project({
      'stacks/compose.yaml': 'services:\n  web:\n    image: $IMAGE\n',
      'app/.env': 'IMAGE=x\n',
    });
    const r = await load(dir, { files: ['stacks/compose.yaml'], projectDirectory: 'app' });
    expect(r.raw?.projectDir).toBe(path.join(dir, 'app'));
    expect(r.raw?.projectName).toBe('app');
    expect(r.raw?.data).toEqual({ services: { web: { image: 'x' } } });
  });

  it('reads the stack from stdin with -f -', async () => {
    const dir = project({ '.env': 'TAG=9\n' });
    const r = await load(dir, {
      files: ['-'],
      readStdin: async () => 'services:\n  s:\n    image: "x:${TAG}"\n',
    });
    expect(r.problems).toEqual([]);
    expect(r.raw?.files).toEqual(['-']);
    expect(r.raw?.projectDir).toBe(dir);
    expect(r.raw?.data).toEqual({ services: { s: { image: 'x:9' } } });
    expect(r.raw?.locate(['services', 's', 'image'])).toEqual({ file: '<stdin>', line: 3, col: 12 });
    expect(r.sourceText('<stdin>')).toContain('image');
  });

  it('reports the problems of every file at once', async () => {
    const dir = project({
      'a.yml': 'services:\n  web:\n    image: a\n    image: b\n',
      'b.yml': 'services:\n  db:\n    image: ${DB:?set DB}\n',
      'c.yml': 'services: [unclosed\n',
    });
    const r = await load(dir, { files: ['a.yml', 'b.yml', 'c.yml'] });
    expect(r.raw).toBeUndefined();
    const where = r.problems.map((p) => `${p.location?.file}:${p.location?.line}`);
    expect(where).toContain('a.yml:4');
    expect(where).toContain('b.yml:3');
    expect(where.some((w) => w.startsWith('c.yml:'))).toBe(true);
    expect(r.problems.find((p) => p.location?.file === 'b.yml')?.message).toBe(
      'required variable DB is missing a value: set DB',
    );
  });

  it('keeps the raw project when only values failed to interpolate', async () => {
    const dir = project({ 'compose.yaml': 'services:\n  web:\n    image: ${IMG?}\n' });
    const r = await load(dir);
    expect(r.raw).toBeDefined();
    expect(r.problems).toEqual([
      {
        location: { file: 'compose.yaml', line: 3, col: 12 },
        path: ['services', 'web', 'image'],
        message: 'required variable IMG is missing a value',
      },
    ]);
  });

  it('takes profiles from --profile, else TSSTACK_PROFILES / COMPOSE_PROFILES', async () => {
    const dir = project({ 'compose.yaml': 'services: {}\n', '.env': 'COMPOSE_PROFILES=dev, debug\n' });
    expect((await load(dir)).raw?.profiles).toEqual(['dev', 'debug']);
    expect((await load(dir, { env: { TSSTACK_PROFILES: 'ci' } })).raw?.profiles).toEqual(['ci']);
    expect((await load(dir, { profiles: ['x', 'x', 'y'] })).raw?.profiles).toEqual(['x', 'y']);
  });

  it('names the project from name:, COMPOSE_PROJECT_NAME in .env, or -p; invalid ones are located', async () => {
    const dir = project({ 'compose.yaml': 'name: from-file\nservices: {}\n' }, 'My_Proj');
    expect((await load(dir)).raw?.projectName).toBe('from-file');
    expect((await load(dir, { projectName: 'cli' })).raw?.projectName).toBe('cli');
    const bad = project({ 'compose.yaml': 'name: Not Valid\nservices: {}\n' });
    const r = await load(bad);
    expect(r.problems).toEqual([
      {
        location: { file: 'compose.yaml', line: 1, col: 7 },
        path: ['name'],
        message:
          'invalid project name "Not Valid": use only lowercase letters, digits, "-" and "_", starting with a letter or digit',
      },
    ]);
    const folder = project(
      { 'compose.yaml': 'services: {}\n', '.env': 'COMPOSE_PROJECT_NAME=dotenv-name\n' },
      'My.Folder',
    );
    expect((await load(folder)).raw?.projectName).toBe('dotenv-name');
  });

  it('names files outside the working folder by absolute path', async () => {
    const dir = project({ 'compose.yaml': 'services:\n  a: {image: a}\n', 'sub/x': '' });
    const r = await load(path.join(dir, 'sub'), { files: ['../compose.yaml'] });
    expect(r.raw?.locate(['services', 'a'])?.file).toBe(path.join(dir, 'compose.yaml'));
  });

  it('exposes the project name to interpolation as COMPOSE_PROJECT_NAME, name: itself interpolated', async () => {
    const dir = project(
      {
        'compose.yaml': 'services:\n  web:\n    image: x\n    container_name: ${COMPOSE_PROJECT_NAME}-web\n',
      },
      'shop',
    );
    const web = async (o: Parameters<typeof load>[1]) =>
      ((await load(dir, o)).raw?.data as { services: { web: { container_name: string } } }).services.web
        .container_name;
    expect(await web({})).toBe('shop-web');
    expect(await web({ projectName: 'cli' })).toBe('cli-web');
    const named = project({
      'compose.yaml': 'name: ${STAGE:-dev}-app\nservices:\n  web:\n    image: ${COMPOSE_PROJECT_NAME}\n',
    });
    const r = await load(named, { env: { STAGE: 'prod' } });
    expect(r.raw?.projectName).toBe('prod-app');
    expect(r.raw?.data).toEqual({ name: 'prod-app', services: { web: { image: 'prod-app' } } });
  });

  it('lists every file it read in sources (env files, extends and include targets)', async () => {
    const dir = project({
      'compose.yaml':
        'include: [inc/compose.yaml]\nservices:\n  web:\n    extends: {file: base.yml, service: b}\n',
      'base.yml': 'services:\n  b: {image: b}\n',
      'inc/compose.yaml': 'services:\n  i: {image: i}\n',
      '.env': 'A=1\n',
    });
    const r = await load(dir);
    expect([...(r.raw?.sources ?? [])].sort()).toEqual(
      ['.env', 'base.yml', 'compose.yaml', 'inc/compose.yaml'].map((f) => path.join(dir, f)).sort(),
    );
  });
});

describe('variables named like Object properties', () => {
  it('are unset unless defined ($constructor, ${toString})', async () => {
    const dir = project({
      'compose.yaml': 'services:\n  web:\n    image: "x${constructor}${toString:-d}$hasOwnProperty"\n',
      '.env': 'A=${constructor}\n',
    });
    const r = await load(dir);
    expect(r.raw?.data).toEqual({ services: { web: { image: 'xd' } } });
    expect(r.raw?.env.A).toBe('');
    // Code that reads raw.env[name] directly (environment: [constructor]) finds nothing either.
    expect(r.raw?.env.constructor).toBeUndefined();
    expect(r.raw?.env.toString).toBeUndefined();
  });
});
