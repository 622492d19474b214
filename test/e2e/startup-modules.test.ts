// The CLI bundle loads child_process, https, zlib, fs/promises and tls on first use (scripts/bundle.mjs): `ps`
// never loads them (docker-modem sets up its HTTPS wrapper for every engine call without loading https),
// and a build, which runs the buildx plugin, loads what it uses and works.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, tsstack } from './helpers/built-cli.js';

let dir: string;
const LAZY = ['child_process', 'https', 'zlib', 'fs/promises', 'tls'];
const BUILDX = ['/usr/local/lib/docker/cli-plugins', '/usr/libexec/docker/cli-plugins'].some((d) =>
  existsSync(path.join(d, 'docker-buildx')),
);

beforeAll(async () => {
  await ensureBuilt();
  dir = mkdtempSync(path.join(tmpdir(), 'tsstack-startup-'));
  writeFileSync(path.join(dir, 'compose.yaml'), 'services:\n  a:\n    image: tsstack-test/busybox:latest\n');
  // Prints the built-in modules loaded after Node's own start, when the process exits.
  writeFileSync(
    path.join(dir, 'loaded.cjs'),
    `const before = new Set(process.moduleLoadList);
process.on('exit', () => {
  const after = process.moduleLoadList.filter((m) => !before.has(m) && m.startsWith('NativeModule '));
  require('node:fs').writeSync(2, 'LOADED ' + JSON.stringify(after.map((m) => m.slice(13))) + '\\n');
});
`,
  );
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function loaded(stderr: string): string[] {
  const line = stderr.split('\n').find((l) => l.startsWith('LOADED '));
  return JSON.parse(line?.slice(7) ?? 'null') as string[];
}

describe('built-in modules loaded on first use', () => {
  it('ps loads none of them', () => {
    const env = { ...process.env, NODE_OPTIONS: `-r ${path.join(dir, 'loaded.cjs')}` };
    const r = tsstack(dir, ['-p', `t-startup-${process.pid}`, 'ps'], undefined, env);
    expect(r.code, r.stderr).toBe(0);
    const mods = loaded(r.stderr);
    expect(mods).toContain('http');
    for (const m of LAZY) expect(mods, m).not.toContain(m);
  });

  it.runIf(BUILDX)('a build loads child_process and fs/promises when it uses them, and works', () => {
    const env = { ...process.env, NODE_OPTIONS: `-r ${path.join(dir, 'loaded.cjs')}` };
    writeFileSync(path.join(dir, 'Dockerfile'), 'FROM tsstack-test/busybox:latest\nRUN true\n');
    writeFileSync(
      path.join(dir, 'compose.yaml'),
      `services:\n  a:\n    build: { context: . }\n    image: tsstack-test/startup-${process.pid}:latest\n`,
    );
    const project = `t-startup-b-${process.pid}`;
    try {
      const r = tsstack(dir, ['-p', project, 'build'], undefined, env);
      expect(r.code, r.stderr).toBe(0);
      // Built through the buildx plugin (engine-setup.sh installs it): run as a program, its context
      // files read through fs/promises.
      expect(loaded(r.stderr)).toEqual(expect.arrayContaining(['child_process', 'fs/promises']));
    } finally {
      tsstack(dir, ['-p', project, 'down', '--rmi', 'all']);
    }
  });
});
