// Attached `up` through the built CLI, as a user runs it: a service that fails at once must show its last
// words and its exit code (Compose: `bad-1  | config missing`, `bad-1 exited with code 3`), in plain and
// JSON headless output and in the live UI's log pane; a stack whose services all exit ends by itself,
// after their output.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  removeProject,
  spawnCli,
  stopCli,
  tsstack,
  uniqueName,
  type RunningCli,
} from '../integration/helpers/stack-cli.js';
import { HAS_TMUX, TmuxTerminals } from '../integration/helpers/tmux.js';
import { ensureBuilt } from './helpers/built-cli.js';

const projects: string[] = [];
let dir: string;
const term = new TmuxTerminals();

const BAD = `  bad:
    image: tsstack-test/busybox:latest
    command: sh -c 'echo "config missing" >&2; exit 3'
`;
const GOOD = `  good:
    image: tsstack-test/busybox:latest
    command: sleep 100000
    stop_signal: SIGKILL
`;

/** A stack file with these services, and a project name of its own. */
function stackFile(name: string, services: string): { file: string; project: string } {
  const project = uniqueName(`t-e2e-${name}`);
  projects.push(project);
  const file = join(dir, `${name}.yml`);
  writeFileSync(file, `services:\n${services}`);
  return { file, project };
}

async function until(cond: () => boolean, what: string, cli?: RunningCli): Promise<void> {
  const end = Date.now() + 60_000;
  while (!cond()) {
    if (Date.now() > end)
      throw new Error(
        `timed out waiting for ${what}; stdout:\n${cli?.out.stdout}\nstderr:\n${cli?.out.stderr}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  await ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'tsstack-e2e-output-'));
}, 180_000);

afterAll(async () => {
  term.close();
  for (const p of projects) await removeProject(p);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('attached up shows what a failing service said', { timeout: 180_000 }, () => {
  it('up --headless: the line and the exit code of a service that dies at once, before Ctrl-C', async () => {
    const { file, project } = stackFile('plain', BAD + GOOD);
    const cli = spawnCli(['-f', file, '-p', project, 'up', '--headless']);
    try {
      await until(() => /^bad-1 exited with code 3$/m.test(cli.out.stdout), 'the exit', cli);
      await until(() => /^good-1 started$/m.test(cli.out.stdout), 'good to start', cli);
    } finally {
      expect(await stopCli(cli)).toBe(0);
    }
    const out = cli.out.stdout;
    expect(out).toMatch(/^bad-1 +\| config missing$/m);
    expect(out.indexOf('config missing')).toBeLessThan(out.indexOf('bad-1 exited with code 3'));
    expect(await tsstack(['-f', file, '-p', project, 'down'])).toMatchObject({ code: 0 });
  });

  it('up --headless --log-format json: the line (stderr) and then the exit, with its code', async () => {
    const { file, project } = stackFile('json', BAD + GOOD);
    const cli = spawnCli(['-f', file, '-p', project, 'up', '--headless', '--log-format', 'json']);
    const bad = () => cli.jsonLines().filter((l) => l.service === 'bad');
    try {
      await until(() => bad().some((l) => l.event === 'exited'), 'the exit', cli);
    } finally {
      expect(await stopCli(cli)).toBe(0);
    }
    expect(
      bad().map((l) => ({ event: l.event, stream: l.stream, message: l.message, exitCode: l.exitCode })),
    ).toEqual([
      { event: 'started', stream: undefined, message: undefined, exitCode: undefined },
      { event: undefined, stream: 'stderr', message: 'config missing', exitCode: undefined },
      { event: 'exited', stream: undefined, message: undefined, exitCode: 3 },
    ]);
    expect(await tsstack(['-f', file, '-p', project, 'down'])).toMatchObject({ code: 0 });
  });

  it('up --headless with only services that exit: ends by itself, after their lines and exits', async () => {
    const { file, project } = stackFile('ends', BAD);
    const cli = spawnCli(['-f', file, '-p', project, 'up', '--headless']);
    const ended = await Promise.race([
      cli.exited,
      new Promise<'running'>((r) => setTimeout(() => r('running'), 60_000)),
    ]);
    if (ended === 'running') await stopCli(cli);
    expect(ended, cli.out.stderr).toBe(0);
    expect(cli.out.stdout).toMatch(/^bad-1 +\| config missing\nbad-1 exited with code 3\n/m);
    expect(await tsstack(['-f', file, '-p', project, 'down'])).toMatchObject({ code: 0 });
  });

  it.skipIf(!HAS_TMUX)('the live UI: the log pane shows the line of the service that died', async () => {
    const { file, project } = stackFile('ui', BAD + GOOD);
    term.cli('ui', ['-f', file, '-p', project, 'up']);
    const shown = await term.waitFor(
      'ui',
      (s) => /bad-1 \| config missing/.test(s),
      'the line in the log pane',
    );
    expect(shown).toMatch(/bad\s+0\/1\s+exited \(3\)/);
    term.keys('ui', 'q');
    const after = await term.waitFor('ui', (s) => s.includes('EXIT='), 'the session to end');
    expect(after).toContain('EXIT=0');
  });
});
