import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { load, tempProjects } from './load-helpers.js';

const project = tempProjects();

async function loadFiles(files: Record<string, string>, options: { files?: string[] } = {}) {
  const t = { dir: project(files) };
  const r = await load(t.dir, { files: options.files ?? ['compose.yaml'] });
  return { ...r, dir: t.dir, data: r.raw?.data as { services: Record<string, Record<string, unknown>> } };
}

describe('extends', () => {
  it('extends a service of the same file, the local keys winning', async () => {
    const r = await loadFiles({
      'compose.yaml': [
        'services:',
        '  base:',
        '    image: app',
        '    environment: [A=1, B=2]',
        '    ports: ["80:80"]',
        '  web:',
        '    extends: base',
        '    environment: {B: "3"}',
        '    ports: ["81:81"]',
        '  worker:',
        '    extends: {service: base}',
        '    command: work',
      ].join('\n'),
    });
    expect(r.problems).toEqual([]);
    expect(r.data.services.web).toEqual({
      image: 'app',
      environment: { A: '1', B: '3' },
      ports: ['80:80', '81:81'],
    });
    expect(r.data.services.worker).toEqual({
      image: 'app',
      environment: ['A=1', 'B=2'],
      ports: ['80:80'],
      command: 'work',
    });
    expect(r.data.services.base).toBeDefined();
  });

  it('follows chains', async () => {
    const r = await loadFiles({
      'compose.yaml':
        'services:\n  a: {image: a, user: ua}\n  b: {extends: a, user: ub, tty: true}\n  c: {extends: b, init: true}\n',
    });
    expect(r.data.services.c).toEqual({ image: 'a', user: 'ub', tty: true, init: true });
  });

  it('extends a service of another file, resolving its relative paths against that file', async () => {
    const r = await loadFiles({
      'compose.yaml':
        'services:\n  web:\n    extends: {file: common/base.yml, service: app}\n    volumes: ["./mine:/mine"]\n',
      'common/base.yml': [
        'services:',
        '  app:',
        '    build: ./src',
        '    env_file: app.env',
        '    volumes: ["./data:/data", "named:/named", {type: bind, source: ../shared, target: /shared}]',
        '  deeper:',
        '    extends: {file: ../compose.yaml, service: web}',
      ].join('\n'),
    });
    expect(r.problems).toEqual([]);
    const common = path.join(r.dir, 'common');
    expect(r.data.services.web).toEqual({
      build: path.join(common, 'src'),
      env_file: path.join(common, 'app.env'),
      volumes: [
        `${path.join(common, 'data')}:/data`,
        'named:/named',
        { type: 'bind', source: path.join(r.dir, 'shared'), target: '/shared' },
        './mine:/mine',
      ],
    });
  });

  it('reports a cycle with the chain and its location', async () => {
    const r = await loadFiles({
      'compose.yaml':
        'services:\n  a:\n    extends: b\n  b:\n    extends: {service: c}\n  c:\n    extends: a\n',
    });
    const cycle = r.problems.find((p) => p.message.startsWith('extends cycle'));
    expect(cycle?.message).toBe('extends cycle: a → b → c → a');
    expect(cycle?.location).toEqual({ file: 'compose.yaml', line: 7, col: 14 });
    expect(cycle?.path).toEqual(['services', 'c', 'extends']);
  });

  it('reports a cycle across files', async () => {
    const r = await loadFiles({
      'compose.yaml': 'services:\n  a:\n    extends: {file: other.yml, service: b}\n',
      'other.yml': 'services:\n  b:\n    extends: {file: compose.yaml, service: a}\n',
    });
    expect(r.problems.map((p) => p.message)).toContain('extends cycle: a → b → a');
  });

  it('reports an unknown service and an unreadable file at the extends that names them', async () => {
    const r = await loadFiles({
      'compose.yaml': [
        'services:',
        '  web:',
        '    extends: nope',
        '  api:',
        '    extends: {file: missing.yml, service: x}',
        '  app:',
        '    extends: {file: other.yml, service: y}',
      ].join('\n'),
      'other.yml': 'services:\n  z: {image: z}\n',
    });
    expect(r.problems).toEqual([
      {
        location: { file: 'compose.yaml', line: 3, col: 14 },
        path: ['services', 'web', 'extends'],
        message: 'extends names service "nope", which is not defined (services: web, api, app)',
      },
      {
        location: { file: 'compose.yaml', line: 5, col: 21 },
        path: [],
        message: 'cannot read missing.yml: no such file',
      },
      {
        location: { file: 'compose.yaml', line: 7, col: 41 },
        path: ['services', 'app', 'extends', 'service'],
        message: 'extends names service "y", which is not defined in other.yml (services: z)',
      },
    ]);
  });

  it('lets a service of a later -f file extend a service of an earlier one', async () => {
    const r = await loadFiles(
      {
        'compose.yaml': 'services:\n  web:\n    image: web\n    environment: [A=1]\n',
        'compose.dev.yaml': 'services:\n  worker:\n    extends: web\n    command: work\n',
      },
      { files: ['compose.yaml', 'compose.dev.yaml'] },
    );
    expect(r.problems).toEqual([]);
    expect(r.data.services.worker).toEqual({ image: 'web', environment: ['A=1'], command: 'work' });
  });

  it('treats a base service with nothing under it as empty', async () => {
    const r = await loadFiles({
      'compose.yaml': 'services:\n  base:\n  web:\n    extends: base\n    image: x\n',
    });
    expect(r.problems).toEqual([]);
    expect(r.data.services.web).toEqual({ image: 'x' });
  });

  it("gives a build without context the other file's folder as context", async () => {
    const r = await loadFiles({
      'compose.yaml': 'services:\n  web:\n    extends: {file: lib/base.yml, service: app}\n',
      'lib/base.yml': 'services:\n  app:\n    build: {dockerfile: Dockerfile.dev}\n',
    });
    expect(r.data.services.web).toEqual({
      build: { dockerfile: 'Dockerfile.dev', context: path.join(r.dir, 'lib') },
    });
  });
});
