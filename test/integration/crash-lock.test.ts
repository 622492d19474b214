// Two mutating commands on one project at once: the per-project lock serializes them, so two
// concurrent `up -d` converge to one correct set of containers, and `--no-lock-wait` exits 1 naming the holder.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrashProject } from './helpers/crash.js';
import { eventually, removeProject, uniqueName } from './helpers/stack-cli.js';

const N = 10;
const project = uniqueName('t-lock');
let p: CrashProject;
let tmp = '';

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tsstack-lock-'));
  p = new CrashProject(project, tmp, N, { XDG_RUNTIME_DIR: tmp });
  await p.write();
});

afterAll(async () => {
  await removeProject(project);
  await rm(tmp, { recursive: true, force: true });
});

describe('concurrent commands on one project', () => {
  it('two up -d at once: both succeed, one waited for the other, one correct set of containers', async () => {
    const [a, b] = await Promise.all([p.cli(['up', '-d']), p.cli(['up', '-d'])]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const waited = [a, b].filter((r) =>
      /project "t-lock-[0-9a-f]+" is locked by pid \d+ \(tsstack .*up -d/.test(r.stderr),
    );
    expect(waited).toHaveLength(1);
    expect(await p.convergedProblems('1')).toEqual([]);
  }, 180_000);

  it('three at once with a changed file: still one correct, current set', async () => {
    const rs = await Promise.all([1, 2, 3].map(() => p.cli(['up', '-d'], { GEN: '2' })));
    for (const r of rs) expect(r.code, r.stderr).toBe(0);
    expect(await p.convergedProblems('2')).toEqual([]);
  }, 180_000);

  it('--no-lock-wait exits 1 naming the holder while another up runs', async () => {
    const first = p.cli(['up', '-d', '--force-recreate'], { GEN: '2' });
    const lockFile = join(tmp, 'tsstack', `${project}.lock`);
    expect(await eventually(async () => existsSync(lockFile), 60_000, 20)).toBe(true);
    const second = await p.cli(['--no-lock-wait', 'down'], { GEN: '2' });
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(
      new RegExp(
        `^project "${project}" is locked by pid \\d+ \\(tsstack -f \\S+ -p ${project} up -d --force-recreate, since `,
      ),
    );
    expect((await first).code).toBe(0);
    expect(existsSync(lockFile)).toBe(false);
    expect(await p.convergedProblems('2')).toEqual([]);
  }, 180_000);
});
