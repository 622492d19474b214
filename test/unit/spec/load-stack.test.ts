import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SpecError } from '../../../src/spec/errors.js';
import { loadStack, type LoadOptions } from '../../../src/spec/index.js';
import { tempProjects } from './load-helpers.js';

const project = tempProjects();

const opts = (cwd: string, more: Partial<LoadOptions> = {}): LoadOptions => ({
  files: [],
  cwd,
  envFiles: [],
  profiles: [],
  env: {},
  ...more,
});

async function specError(p: Promise<unknown>): Promise<SpecError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof SpecError) return err;
    throw err;
  }
  throw new Error('expected a SpecError');
}

describe('loadStack', () => {
  it('turns files into a normalized Stack', async () => {
    const dir = project(
      {
        'compose.yaml': [
          'x-common: &common',
          '  restart: always',
          'services:',
          '  web:',
          '    <<: *common',
          '    image: "nginx:${TAG:-1}"',
          '    ports: ["127.0.0.1:${PORT}:80"]',
          '    depends_on: [db]',
          '    volumes: ["./html:/usr/share/nginx/html:ro"]',
          '  db:',
          '    extends: {file: base.yml, service: pg}',
        ].join('\n'),
        'base.yml': 'services:\n  pg:\n    image: postgres\n    environment: [POSTGRES_PASSWORD=x]\n',
        '.env': 'PORT=8080\n',
      },
      'webapp',
    );
    const { stack, warnings } = await loadStack(opts(dir));
    expect(warnings).toEqual([]);
    expect(stack.name).toBe('webapp');
    expect(stack.projectDir).toBe(dir);
    expect(Object.keys(stack.services).sort()).toEqual(['db', 'web']);
    const web = stack.services.web;
    expect(web?.image).toBe('nginx:1');
    expect(web?.restart).toBe('always');
    expect(web?.ports).toEqual([{ target: 80, published: '8080', host_ip: '127.0.0.1', protocol: 'tcp' }]);
    expect(web?.depends_on.db?.condition).toBe('service_started');
    expect(web?.volumes[0]).toMatchObject({
      type: 'bind',
      source: path.join(dir, 'html'),
      target: '/usr/share/nginx/html',
      read_only: true,
    });
    expect(stack.services.db?.environment).toEqual({ POSTGRES_PASSWORD: 'x' });
  });

  it('passes on warnings for unset variables', async () => {
    const dir = project({ 'compose.yaml': 'services:\n  web:\n    image: "busybox${SUFFIX}"\n' });
    const { warnings } = await loadStack(opts(dir));
    expect(warnings).toEqual([
      {
        location: { file: 'compose.yaml', line: 3, col: 12 },
        path: 'services.web.image',
        message: 'the SUFFIX variable is not set; using an empty string',
      },
    ]);
  });

  it('reports problems from every stage in one SpecError, sorted, with code frames', async () => {
    const dir = project({
      'compose.yaml': [
        'services:',
        '  web:',
        '    image: ${IMG:?set IMG}',
        '    depends_on: [ghost]',
        '  api:',
        '    image: api',
        '    restart: sometimes',
      ].join('\n'),
    });
    const err = await specError(loadStack(opts(dir)));
    expect(err.exitCode).toBe(2);
    const lines = err.message.split('\n').filter((l) => /^compose\.yaml:/.test(l));
    expect(lines[0]).toBe(
      'compose.yaml:3:12 services.web.image: required variable IMG is missing a value: set IMG',
    );
    expect(lines.some((l) => l.startsWith('compose.yaml:4:') && l.includes('ghost'))).toBe(true);
    expect(lines.some((l) => l.startsWith('compose.yaml:7:') && l.includes('services.api.restart'))).toBe(
      true,
    );
    expect(err.message).toContain('> 3 |     image: ${IMG:?set IMG}');
    expect(err.problems.map((p) => p.location?.line)).toEqual(
      [...err.problems.map((p) => p.location?.line)].sort(),
    );
  });

  it('does not repeat a schema complaint about a value that failed to interpolate', async () => {
    const dir = project({ 'compose.yaml': 'services:\n  web:\n    image: x\n    scale: ${N:?need N}\n' });
    const err = await specError(loadStack(opts(dir)));
    expect(err.problems.map((p) => p.message)).toEqual(['required variable N is missing a value: need N']);
  });

  it('a list entry that fails to interpolate is reported once, not again as an empty key', async () => {
    const dir = project({ 'compose.yaml': 'services:\n  web:\n    image: x\n    environment: ["A=b$;c"]\n' });
    const err = await specError(loadStack(opts(dir)));
    expect(err.problems.map((p) => `${p.location?.line}:${p.location?.col} ${p.message}`)).toEqual([
      '4:23 invalid interpolation format in "A=b$;c"; write $$ for a literal $',
    ]);
  });

  it('reports YAML errors of all files without going further', async () => {
    const dir = project({ 'a.yml': 'services: [\n', 'b.yml': 'x: &a 1\ny: *b\n' });
    const err = await specError(loadStack(opts(dir, { files: ['a.yml', 'b.yml'] })));
    const files = err.problems.map((p) => p.location?.file);
    expect(files).toContain('a.yml');
    expect(files).toContain('b.yml');
  });

  it('leaves out networks, volumes, secrets and configs no enabled service uses, as Compose does', async () => {
    const dir = project({
      'compose.yaml': [
        'services:',
        '  web:',
        '    image: x',
        '    networks: [front]',
        '    volumes: [data:/data]',
        '    secrets: [token]',
        '    build: { context: ., secrets: [npmrc] }',
        '  debug:',
        '    image: x',
        '    profiles: [debug]',
        '    volumes: [traces:/t]',
        '    configs: [tracing]',
        'networks: { front: {}, back: {} }',
        'volumes: { data: {}, traces: {}, spare: { external: true } }',
        'secrets: { token: { file: ./t }, npmrc: { file: ./n }, old: { file: ./o } }',
        'configs: { tracing: { file: ./c } }',
      ].join('\n'),
    });
    const plain = (await loadStack(opts(dir))).stack;
    expect(
      [plain.networks, plain.volumes, plain.secrets, plain.configs].map((r) => Object.keys(r).sort()),
    ).toEqual([['front'], ['data'], ['npmrc', 'token'], []]);
    const debug = (await loadStack(opts(dir, { profiles: ['debug'] }))).stack;
    expect(Object.keys(debug.volumes).sort()).toEqual(['data', 'traces']);
    expect(Object.keys(debug.configs)).toEqual(['tracing']);
  });

  it('still checks what no service uses', async () => {
    const dir = project({
      'compose.yaml': 'services:\n  web:\n    image: x\nvolumes:\n  spare:\n    name: "../x"\n',
    });
    const err = await specError(loadStack(opts(dir)));
    expect(err.message).toMatch(/compose\.yaml:6:11 volumes\.spare\.name/);
  });

  it('returns an empty stack with allowMissing and -p when there is no file', async () => {
    const dir = project({ 'readme.txt': '' });
    const { stack } = await loadStack(opts(dir, { allowMissing: true, projectName: 'orphan' }));
    expect(stack.name).toBe('orphan');
    expect(stack.services).toEqual({});
    const err = await specError(loadStack(opts(dir, { allowMissing: true })));
    expect(err.message).toMatch(/no stack file found/);
  });
});

describe('loadStack with a target', () => {
  // Issue 14 item 2: valid for `docker stack deploy`, refused for one engine.
  const replicated = [
    'services:',
    '  web:',
    '    image: tsstack-test/busybox:latest',
    '    ports: ["18483:8080"]',
    '    deploy:',
    '      replicas: 2',
    '      placement: { constraints: ["node.role == manager"] }',
  ].join('\n');

  it('checks a fixed port of a replicated service for the local engine only', async () => {
    const dir = project({ 'compose.yaml': replicated }, 'mesh');
    const err = await specError(loadStack(opts(dir)));
    expect(err.problems.map((p) => p.message)).toEqual([
      'host port 18483/tcp is fixed but the service has 2 replicas; publish a range or leave the host port out',
    ]);
    const { stack } = await loadStack(opts(dir, { target: 'swarm' }));
    expect(stack.services.web?.replicas).toBe(2);
  });

  it('warns about Swarm-only keys for the local engine only', async () => {
    const dir = project({ 'compose.yaml': replicated.replace('replicas: 2', 'replicas: 1') }, 'keys');
    expect((await loadStack(opts(dir))).warnings.map((w) => w.path)).toEqual([
      'services.web.deploy.placement',
    ]);
    expect((await loadStack(opts(dir, { target: 'swarm' }))).warnings).toEqual([]);
  });
});
