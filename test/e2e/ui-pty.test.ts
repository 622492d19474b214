import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BIN,
  ROOT,
  projectObjects,
  removeProject,
  tsstack,
  uniqueName,
} from '../integration/helpers/stack-cli.js';

// The live UI in a real pseudo-terminal: tmux runs it and renders the screen we read back.
const HAS_TMUX = spawnSync('tmux', ['-V']).status === 0;
const SOCKET = uniqueName('tsstack-e2e-ui');
const PROJECT = uniqueName('t-e2e-ui');
let dir: string;
let file: string;

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
}

function screen(session: string): string {
  return tmux('capture-pane', '-p', '-t', session);
}

async function waitForScreen(session: string, test: (s: string) => boolean, what: string): Promise<string> {
  const end = Date.now() + 90_000;
  let last = '';
  while (Date.now() < end) {
    last = screen(session);
    if (test(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}; the screen was:\n${last}`);
}

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
  if (HAS_TMUX) spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
  await removeProject(PROJECT);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!HAS_TMUX)('the live UI in a pseudo-terminal', () => {
  it('tsstack top shows every service healthy; q detaches and leaves the stack running', async () => {
    const up = await tsstack(['-f', file, 'up', '-d']);
    expect(up.code, up.stderr).toBe(0);
    tmux(
      'new-session',
      '-d',
      '-s',
      'top',
      '-x',
      '120',
      '-y',
      '30',
      `cd ${ROOT} && ${process.execPath} ${BIN} -f ${file} top; echo EXIT=$?; sleep 60`,
    );
    const shown = await waitForScreen('top', allHealthy, 'every service healthy');
    expect(shown).toMatch(/SERVICE\s+READY\s+STATE/);
    expect(shown).toContain('q detach (stack keeps running)');
    await waitForScreen('top', (s) => /api-[12] \| serving/.test(s), 'log lines');

    tmux('send-keys', '-t', 'top', 'q');
    const after = await waitForScreen('top', (s) => s.includes('EXIT='), 'the UI to exit');
    expect(after).toContain('EXIT=0');
    expect(after).toContain(`Detached from ${PROJECT}`);
    expect(await states()).toEqual(['running', 'running', 'running']);
  });

  it('attached tsstack up: the UI shows every service healthy, and q stops the stack gracefully', async () => {
    tmux(
      'new-session',
      '-d',
      '-s',
      'up',
      '-x',
      '120',
      '-y',
      '30',
      `cd ${ROOT} && ${process.execPath} ${BIN} -f ${file} up; echo EXIT=$?; sleep 60`,
    );
    const shown = await waitForScreen('up', allHealthy, 'every service healthy');
    expect(shown).toContain('q quit');

    tmux('send-keys', '-t', 'up', 'q');
    const after = await waitForScreen('up', (s) => s.includes('EXIT='), 'the session to end');
    expect(after).toContain('EXIT=0');
    expect(await states()).toEqual(['exited', 'exited', 'exited']);
  });
});
