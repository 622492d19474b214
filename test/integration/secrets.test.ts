// Secret file contents and secret-looking environment values stay out of what tsstack prints: config
// (redacted unless --no-redact), up/ps/logs output, --dry-run plans, the event bus (which is all the UI and
// the headless/JSON output ever see), and the labels tsstack writes. The secret does reach the container.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/events/bus.js';
import type { StackEvent } from '../../src/events/types.js';
import { converge } from '../../src/reconciler/converge.js';
import { connectRuntime } from '../../src/runtime/index.js';
import { IMAGE } from './helpers/crash.js';
import { docker, execIn, loadStackFile, removeProject, tsstack, uniqueName } from './helpers/stack-cli.js';

const project = uniqueName('t-secrets');
const secret = `S3CR3T-${randomBytes(6).toString('hex')}`;
const password = `pw-${randomBytes(6).toString('hex')}`;
let dir = '';
let file = '';
const cli = (...args: string[]) => tsstack(['-f', file, '-p', project, ...args]);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsstack-secrets-'));
  file = join(dir, 'stack.yml');
  writeFileSync(join(dir, 'token.txt'), `${secret}\n`);
  writeFileSync(
    file,
    `services:
  app:
    image: ${IMAGE}
    command: ["sh", "-c", "echo started; exec sleep 86400"]
    stop_signal: SIGKILL
    environment:
      DB_PASSWORD: ${password}
      MODE: plain-value
    secrets: [token]
secrets:
  token:
    file: ./token.txt
`,
  );
});

afterAll(async () => {
  await removeProject(project);
  rmSync(dir, { recursive: true, force: true });
});

describe('secrets stay secret', () => {
  it('config redacts secret-looking values and never prints secret file contents', async () => {
    for (const args of [['config'], ['config', '--format', 'json']]) {
      const r = await cli(...args);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('DB_PASSWORD');
      expect(r.stdout).toContain('**redacted**');
      expect(r.stdout).toContain('plain-value');
      expect(r.stdout + r.stderr).not.toContain(password);
      expect(r.stdout + r.stderr).not.toContain(secret);
    }
    const plain = await cli('config', '--no-redact');
    expect(plain.stdout).toContain(password);
    expect(plain.stdout).not.toContain(secret);
  }, 120_000);

  it('up, --dry-run, ps and logs print neither; the container gets the secret', async () => {
    const dry = await cli('up', '-d', '--dry-run');
    const up = await cli('up', '-d');
    expect(up.code, up.stderr).toBe(0);
    const ps = await cli('ps');
    const logs = await cli('logs');
    expect(logs.stdout).toContain('started');
    for (const r of [dry, up, ps, logs]) {
      expect(r.stdout + r.stderr).not.toContain(secret);
      expect(r.stdout + r.stderr).not.toContain(password);
    }
    expect((await execIn(`${project}-app-1`, 'cat /run/secrets/token')).output.trim()).toBe(secret);
    const labels = (await docker.getContainer(`${project}-app-1`).inspect()).Config.Labels;
    expect(JSON.stringify(labels)).not.toContain(secret);
    expect(JSON.stringify(labels)).not.toContain(password);
  }, 120_000);

  it('no event on the bus (what the UI and headless output read) carries either', async () => {
    const stack = await loadStackFile(file, project, dir);
    const runtime = await connectRuntime({ env: process.env });
    const bus = new EventBus();
    const events: StackEvent[] = [];
    bus.subscribe((e) => events.push(e));
    await converge(runtime, stack, { bus, forceRecreate: true });
    expect(events.length).toBeGreaterThan(0);
    const all = JSON.stringify(events);
    expect(all).not.toContain(secret);
    expect(all).not.toContain(password);
  }, 120_000);
});
