// The detached supervisor's own bundle: the launcher points the CLI at it, `up -d` starts it with the
// arguments of the hidden `__supervise` command, and it reads them as that command does.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { launch } from '../../../src/cli/launch.js';
import { main, projectArg } from '../../../src/cli/supervisor-entry.js';
import { startSupervisor, SUPERVISOR_ENTRY } from '../../../src/supervisor/launch.js';

const dirs: string[] = [];
const global = globalThis as Record<symbol, unknown>;
afterEach(() => {
  delete global[SUPERVISOR_ENTRY];
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tsstack-supentry-'));
  dirs.push(d);
  return d;
}

describe('the supervisor bundle', () => {
  it('reads the project as the CLI does, and refuses anything else with a usage line', async () => {
    expect(projectArg(['-p', 'web', '__supervise'])).toBe('web');
    expect(projectArg(['--project-name', 'web', '__supervise'])).toBe('web');
    expect(projectArg(['--project-name=web', '__supervise'])).toBe('web');
    expect(projectArg(['-pweb', '__supervise'])).toBe('web');
    expect(projectArg(['__supervise'])).toBeUndefined();
    expect(await main(['node', 'supervisor.cjs', '__supervise'])).toBe(2);
    expect(await main(['node', 'supervisor.cjs', '-p', 'web'])).toBe(2);
  });

  it('the launcher hands the CLI the bundle named in build.json', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'build.json'),
      JSON.stringify({ id: 'test', cli: 'cli.cjs', ui: 'ui.js', supervisor: 'supervisor.cjs' }),
    );
    writeFileSync(
      join(dir, 'cli.cjs'),
      "exports.main = async () => (globalThis[Symbol.for('tsstack.supervisorEntry')] === __dirname + '/supervisor.cjs' ? 7 : 3);\n",
    );
    const before = process.env.TSSTACK_NO_CACHE;
    process.env.TSSTACK_NO_CACHE = '1';
    try {
      expect(await launch(['node', 'tsstack', 'up'], dir)).toBe(7);
    } finally {
      if (before === undefined) delete process.env.TSSTACK_NO_CACHE;
      else process.env.TSSTACK_NO_CACHE = before;
    }
  });

  it('up starts that bundle with -p PROJECT __supervise', async () => {
    const dir = tempDir();
    const seen = join(dir, 'args');
    const fake = join(dir, 'supervisor.cjs');
    writeFileSync(
      fake,
      `require('node:fs').writeFileSync(${JSON.stringify(seen)}, JSON.stringify(process.argv.slice(2)));\n`,
    );
    global[SUPERVISOR_ENTRY] = fake;
    const env = { ...process.env, XDG_RUNTIME_DIR: join(dir, 'run'), XDG_STATE_HOME: join(dir, 'state') };
    // The fake never answers on the socket: starting it times out, after it has run.
    await expect(startSupervisor('supentry', { env, timeoutMs: 4000 })).rejects.toThrow(/did not start/);
    expect(existsSync(seen)).toBe(true);
    expect(JSON.parse(readFileSync(seen, 'utf8'))).toEqual(['-p', 'supentry', '__supervise']);
  });
});
