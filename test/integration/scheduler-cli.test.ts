import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectObjects, removeProject, tsstack, uniqueName } from './helpers/stack-cli.js';

// Through the built CLI (npm run build): exit codes and messages as a user sees them.
const project = uniqueName('t-sched-cli');
let dir: string;

function stackFile(yaml: string): string {
  const file = join(dir, `stack-${Math.random().toString(36).slice(2, 8)}.yml`);
  writeFileSync(file, yaml);
  return file;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsstack-sched-cli-'));
});
afterAll(async () => {
  for (const p of [project, `${project}-fit`, `${project}-wait`]) await removeProject(p);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const IMG = 'tsstack-test/busybox:latest';

describe('scheduler through the CLI', () => {
  it('up refuses a stack that cannot fit: exit 1, the numbers, nothing created', async () => {
    const p = `${project}-fit`;
    const file = stackFile(
      `services:\n  huge:\n    image: ${IMG}\n    command: ["sleep", "60"]\n    deploy: { replicas: 3, resources: { reservations: { memory: 100000G } } }\n`,
    );
    const r = await tsstack(['-f', file, '-p', p, 'up', '-d']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the stack does not fit on this machine; nothing was created/);
    expect(r.stderr).toMatch(/memory reservations need 293TiB but the machine has .* \(huge 3 × 97\.7TiB\)/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const objs = await projectObjects(p);
    expect(objs.containers).toEqual([]);
  });

  it('tsstack scale web=3 then web=1, and up --scale', async () => {
    const file = stackFile(
      `services:\n  web:\n    image: ${IMG}\n    command: ["sleep", "600"]\n    stop_grace_period: 0s\n`,
    );
    expect((await tsstack(['-f', file, '-p', project, 'up', '-d'])).code).toBe(0);
    const scaled = await tsstack(['-f', file, '-p', project, 'scale', 'web=3']);
    expect(scaled.code).toBe(0);
    const names = async () => (await projectObjects(project)).containers.map((c) => c.Names[0]).sort();
    expect(await names()).toEqual([1, 2, 3].map((n) => `/${project}-web-${n}`));
    expect((await tsstack(['-f', file, '-p', project, 'scale', 'web=1'])).code).toBe(0);
    expect(await names()).toEqual([`/${project}-web-1`]);
    expect((await tsstack(['-f', file, '-p', project, 'up', '-d', '--scale', 'web=2'])).code).toBe(0);
    expect(await names()).toEqual([1, 2].map((n) => `/${project}-web-${n}`));
    const bad = await tsstack(['-f', file, '-p', project, 'scale', 'web=two']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"web=two" is not a scale (expected SERVICE=REPLICAS, e.g. web=3)');
  });

  it('up --wait exits 0 once healthy, and 1 naming an unhealthy service with its last log lines', async () => {
    const p = `${project}-wait`;
    const good = stackFile(
      `services:\n  ok:\n    image: ${IMG}\n    command: ["sh", "-c", "sleep 0.5; touch /tmp/ok; exec sleep 600"]\n    stop_grace_period: 0s\n    healthcheck: { test: ["CMD", "test", "-f", "/tmp/ok"], interval: 200ms, retries: 30 }\n`,
    );
    expect((await tsstack(['-f', good, '-p', p, 'up', '--wait', '--wait-timeout', '60'])).code).toBe(0);
    const bad = stackFile(
      `services:\n  sick:\n    image: ${IMG}\n    command: ["sh", "-c", "echo cannot reach db; exec sleep 600"]\n    stop_grace_period: 0s\n    healthcheck: { test: ["CMD", "false"], interval: 200ms, retries: 2 }\n`,
    );
    const r = await tsstack(['-f', bad, '-p', p, 'up', '--wait']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/service sick failed --wait: sick \(.*-sick-1\) is unhealthy/);
    expect(r.stderr).toContain('cannot reach db');
  });
});
