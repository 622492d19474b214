import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectObjects, removeProject, tsstack, uniqueName } from '../integration/helpers/stack-cli.js';
import { HAS_TMUX, TmuxTerminals } from '../integration/helpers/tmux.js';

// The live UI in a real pseudo-terminal: tmux runs it and renders the screen we read back.
const term = new TmuxTerminals();
const PROJECT = uniqueName('t-e2e-ui');
let dir: string;
let file: string;

const allHealthy = (s: string) => /web\s+1\/1\s+healthy/.test(s) && /api\s+2\/2\s+healthy/.test(s);

async function states(): Promise<string[]> {
  return (await projectObjects(PROJECT)).containers.map((c) => c.State).sort();
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsstack-e2e-ui-'));
  file = join(dir, 'stack.yml');
  writeFileSync(
    file,
    `name: ${PROJECT}
services:
  web:
    image: tsstack-test/busybox:latest
    command: ["sh", "-c", "echo up > /tmp/index.html; exec httpd -f -v -p 80 -h /tmp"]
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "-", "http://127.0.0.1/"]
      interval: 1s
    stop_grace_period: 1s
  api:
    image: tsstack-test/busybox:latest
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do echo serving; sleep 1 & wait $$!; done"]
    deploy:
      replicas: 2
    healthcheck:
      test: ["CMD", "true"]
      interval: 1s
`,
  );
});

afterAll(async () => {
  term.close();
  await removeProject(PROJECT);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!HAS_TMUX)('the live UI in a pseudo-terminal', () => {
  it('tsstack ui shows every service healthy; q detaches and leaves the stack running', async () => {
    const up = await tsstack(['-f', file, 'up', '-d']);
    expect(up.code, up.stderr).toBe(0);
    term.cli('ui', ['-f', file, 'ui']);
    const shown = await term.waitFor('ui', allHealthy, 'every service healthy');
    expect(shown).toMatch(/SERVICE\s+READY\s+STATE/);
    expect(shown).toContain('q detach (stack keeps running)');
    await term.waitFor('ui', (s) => /api-[12] \| serving/.test(s), 'log lines');

    term.keys('ui', 'q');
    const after = await term.waitFor('ui', (s) => s.includes('EXIT='), 'the UI to exit');
    expect(after).toContain('EXIT=0');
    expect(after).toContain(`Detached from ${PROJECT}`);
    expect(await states()).toEqual(['running', 'running', 'running']);
  }, 120_000);

  it('attached tsstack up: the UI shows every service healthy, and q stops the stack gracefully', async () => {
    term.cli('up', ['-f', file, 'up']);
    const shown = await term.waitFor('up', allHealthy, 'every service healthy');
    expect(shown).toContain('q quit');

    term.keys('up', 'q');
    const after = await term.waitFor('up', (s) => s.includes('EXIT='), 'the session to end');
    expect(after).toContain('EXIT=0');
    expect(await states()).toEqual(['exited', 'exited', 'exited']);
  }, 120_000);

  it('with CI set, a terminal gets log lines and a notice instead of a blank live UI; ui refuses, naming CI', async () => {
    term.cli('ci-ui', ['-f', file, 'ui'], { CI: 'true' });
    const refused = await term.waitFor('ci-ui', (s) => s.includes('EXIT='), 'ui to refuse');
    expect(refused).toContain('EXIT=2');
    expect(refused).toContain('CI=true is set');

    term.cli('ci-up', ['-f', file, 'up'], { CI: 'true' });
    const shown = await term.waitFor('ci-up', (s) => /^api-[12] +\| serving/m.test(s), 'prefixed log lines');
    expect(shown).toContain('no live UI: CI=true is set');
    expect(shown).not.toContain('q quit');
    term.keys('ci-up', 'C-c');
    const after = await term.waitFor('ci-up', (s) => s.includes('EXIT='), 'up to stop');
    expect(after).toContain('EXIT=0');
    expect(await states()).toEqual(['exited', 'exited', 'exited']);
  }, 120_000);
});
