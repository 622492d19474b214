import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, tsstack } from './helpers/built-cli.js';

let root: string;

function project(name: string, files: Record<string, string>): string {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

const GOOD = [
  'services:',
  '  web:',
  '    image: tsstack-test/busybox:${TAG:-latest}',
  '    ports: ["127.0.0.1:8080:80"]',
  '    environment: [MODE=prod]',
  '    volumes: [data:/data]',
  '    depends_on: [db]',
  '  db:',
  '    image: tsstack-test/busybox:latest',
  '  debug:',
  '    image: tsstack-test/busybox:latest',
  '    profiles: [debug]',
  'volumes:',
  '  data: {}',
].join('\n');

beforeAll(async () => {
  await ensureBuilt();
  root = mkdtempSync(path.join(tmpdir(), 'tsstack-e2e-config-'));
}, 300_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

// Each test spawns the CLI a few times; a busy machine makes that slow, never wrong.
describe('tsstack config', { timeout: 180_000 }, () => {
  it('prints the normalized stack as YAML', () => {
    const dir = project('shop', { 'compose.yaml': GOOD, '.env': 'TAG=1.0\n' });
    const r = tsstack(dir, ['config']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^name: shop$/m);
    expect(r.stdout).toContain('image: tsstack-test/busybox:1.0');
    expect(r.stdout).toMatch(/target: 80/);
    expect(r.stdout).not.toMatch(/^ {2}debug:/m);
  });

  it('prints JSON with --format json, global options before the command', () => {
    const dir = project('json', { 'a.yml': GOOD, 'b.yml': 'services:\n  db:\n    environment: {X: "1"}\n' });
    const r = tsstack(dir, [
      '-f',
      'a.yml',
      '-f',
      'b.yml',
      '-p',
      'demo',
      '--profile',
      'debug',
      'config',
      '--format',
      'json',
    ]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { name: string; services: Record<string, { environment?: object }> };
    expect(doc.name).toBe('demo');
    expect(Object.keys(doc.services).sort()).toEqual(['db', 'debug', 'web']);
    expect(doc.services.db?.environment).toEqual({ X: '1' });
  });

  it('lists services, volumes and profiles; -q prints nothing', () => {
    const dir = project('lists', { 'compose.yaml': GOOD });
    expect(tsstack(dir, ['config', '--services']).stdout.trim().split('\n').sort()).toEqual(['db', 'web']);
    expect(tsstack(dir, ['config', '--volumes']).stdout).toBe('data\n');
    expect(tsstack(dir, ['config', '--profiles']).stdout).toBe('debug\n');
    const q = tsstack(dir, ['config', '-q']);
    expect(q).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('warns on stderr, located, about variables that are not set', () => {
    const dir = project('warn', { 'compose.yaml': 'services:\n  web:\n    image: "busybox${SUFFIX}"\n' });
    const r = tsstack(dir, ['config', '--services']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('web\n');
    expect(r.stderr).toBe(
      'warning: compose.yaml:3:12 services.web.image: the SUFFIX variable is not set; using an empty string\n',
    );
  });

  it('reads the stack from stdin with -f -', () => {
    const dir = project('stdin', {});
    const r = tsstack(dir, ['-f', '-', 'config', '--services'], 'services:\n  only:\n    image: x\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('only\n');
  });

  it('reads the stack from stdin with -f - for the swarm target too (checked before any engine call)', () => {
    const dir = project('stdin-swarm', {});
    // A key Swarm cannot express: the swarm target reports it from the file it read, here stdin, before it
    // connects (so no swarm is needed; before the fix stdin was refused outright).
    const r = tsstack(
      dir,
      ['-f', '-', 'up', '--target', 'swarm', '--dry-run'],
      'name: t-stdin-swarm\nservices:\n  only:\n    image: tsstack-test/busybox:latest\n    container_name: fixed\n',
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      '<stdin>:5:5 services.only.container_name: Swarm names task containers itself',
    );
  });

  it('exits 2 with file:line:col and a code frame on invalid input, without a stack trace', () => {
    const dir = project('bad', {
      'compose.yaml':
        'services:\n  web:\n    image: x\n    command: echo $1\n    imag: y\n  api:\n    image: ${API_IMAGE:?set API_IMAGE}\n',
    });
    const r = tsstack(dir, ['config']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^compose\.yaml:4:19 services\.web\.command: invalid interpolation format/m);
    expect(r.stderr).toMatch(
      /^compose\.yaml:7:12 services\.api\.image: required variable API_IMAGE is missing a value: set API_IMAGE$/m,
    );
    expect(r.stderr).toMatch(/^compose\.yaml:5:\d+ services\.web/m);
    expect(r.stderr).toMatch(/^> +4 \| +command: echo \$1$/m);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('exits 2 on YAML syntax errors, duplicate keys and a "billion laughs" file', () => {
    const dup = project('dup', { 'compose.yaml': 'services:\n  web:\n    image: a\n    image: b\n' });
    const r1 = tsstack(dup, ['config']);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(
      /^compose\.yaml:4:5 services\.web\.image: duplicate key "image" \(first written at line 3\)$/m,
    );

    const syntax = project('syntax', { 'compose.yaml': 'services:\n  web: {image: a\n' });
    const r2 = tsstack(syntax, ['config']);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/^compose\.yaml:\d+:\d+ YAML syntax error/m);

    const lines = ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i <= 9; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    const bomb = project('bomb', { 'compose.yaml': `${lines.join('\n')}\nservices: {}\n` });
    const r3 = tsstack(bomb, ['config', '-q']);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toMatch(/^compose\.yaml:\d+:\d+ a\d\[\d\]: aliases expand to more than \d+ values/m);
  });

  it('exits 2, located, on an empty file or one with only comments, for every command (as Compose does)', () => {
    const empty = project('empty-file', { 'compose.yaml': '' });
    const comments = project('comments-only', { 'compose.yaml': '# later\n\n# much later\n' });
    // No engine is reachable here: a command that got past loading would fail with exit 1 instead.
    const offline = { ...process.env, DOCKER_HOST: 'unix:///nonexistent/tsstack-e2e.sock' };
    for (const args of [['config', '-q'], ['config'], ['up', '-d'], ['down'], ['ps']]) {
      const r = tsstack(empty, args, undefined, offline);
      expect({ args, code: r.code, stdout: r.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(r.stderr).toMatch(
        /^compose\.yaml:1:1 the stack file is empty; a stack needs a services: mapping$/m,
      );
    }
    const r = tsstack(comments, ['config', '-q']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^compose\.yaml:1:1 the stack file holds only comments; a stack needs a services: mapping$/m,
    );
    expect(r.stderr).toMatch(/^> 1 \| # later$/m);
  });

  it('a stack with no services: config accepts it; up, run, scale and watch exit 2 at services:, before any engine call', () => {
    const none = project('no-services', { 'compose.yaml': 'name: e2e-none\nservices: {}\n' });
    const netsOnly = project('networks-only', { 'compose.yaml': 'networks:\n  front: {}\n' });
    const offline = { ...process.env, DOCKER_HOST: 'unix:///nonexistent/tsstack-e2e.sock' };
    expect(tsstack(none, ['config', '-q'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(tsstack(netsOnly, ['config', '--services'])).toEqual({ code: 0, stdout: '', stderr: '' });
    for (const args of [
      ['up', '-d'],
      ['up', '--dry-run'],
      ['up', '--target', 'swarm', '-d'],
      ['run', 'web', 'true'],
      ['scale', 'web=2'],
      ['watch'],
    ]) {
      const r = tsstack(none, args, undefined, offline);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toContain(
        `compose.yaml:2:1 services: the stack defines no services; "${args[0]}" needs at least one`,
      );
    }
    const r = tsstack(netsOnly, ['up', '-d'], undefined, offline);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^compose\.yaml:1:1 services: the stack defines no services; "up" needs at least one$/m,
    );
  });

  it('all services behind disabled profiles: up names them and --profile', () => {
    const dir = project('all-profiled', {
      'compose.yaml': 'services:\n  tools:\n    image: tsstack-test/busybox:latest\n    profiles: [ops]\n',
    });
    const offline = { ...process.env, DOCKER_HOST: 'unix:///nonexistent/tsstack-e2e.sock' };
    const r = tsstack(dir, ['up', '-d'], undefined, offline);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^compose\.yaml:1:1 services: no service is enabled \(tools has profiles that are not enabled\); "up" needs at least one: enable a profile with --profile NAME$/m,
    );
  });

  it('exits 2 when no stack file is found, and on an invalid -p', () => {
    const empty = project('empty', { 'readme.txt': '' });
    const r = tsstack(empty, ['config']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no stack file found/);
    const named = project('named', { 'compose.yaml': GOOD });
    const bad = tsstack(named, ['-p', 'Bad Name', 'config']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/invalid project name "Bad Name"/);
  });
});
