import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/events/bus.js';
import type { StackEvent } from '../../src/events/types.js';
import { converge } from '../../src/reconciler/converge.js';
import { desired } from '../../src/reconciler/desired.js';
import { connectRuntime } from '../../src/runtime/index.js';
import type { Runtime } from '../../src/runtime/types.js';
import { waitForServices } from '../../src/scheduler/wait.js';
import type { Stack } from '../../src/spec/types.js';
import { docker, loadStackText } from './helpers/stack-cli.js';

const PROJECT = `t-sched-cond-${Math.random().toString(36).slice(2, 8)}`;
const LABELS = { 'io.tsstack.project': PROJECT };
let rt: Runtime;
let dir: string;

const stackOf = (yaml: string): Promise<Stack> => loadStackText(dir, PROJECT, yaml);

async function cleanup(): Promise<void> {
  for (const c of await rt.listContainers(LABELS, { all: true }))
    await rt.removeContainer(c.id, { force: true });
  for (const n of await rt.listNetworks(LABELS)) await rt.removeNetwork(n.id);
}

/** Engine-side times: when the container started, and when its health check first passed. */
async function times(name: string): Promise<{ started: number; healthyAt?: number }> {
  const info = await docker.getContainer(name).inspect();
  const log = (info.State.Health?.Log ?? []) as { ExitCode: number; End: string }[];
  const ok = log.find((l) => l.ExitCode === 0);
  return { started: Date.parse(info.State.StartedAt), healthyAt: ok ? Date.parse(ok.End) : undefined };
}

beforeAll(async () => {
  rt = await connectRuntime({ env: process.env });
  dir = mkdtempSync(join(tmpdir(), 'tsstack-sched-cond-'));
});
afterEach(async () => {
  if (rt) await cleanup();
});
afterAll(async () => {
  if (rt) await cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const IMG = 'tsstack-test/busybox:latest';

describe('depends_on conditions on the real engine', () => {
  it('service_healthy: the dependent starts only after the dependency passed its health check', async () => {
    const stack = await stackOf(`
services:
  db:
    image: ${IMG}
    command: ["sh", "-c", "sleep 1.5; touch /tmp/ready; exec sleep 600"]
    healthcheck: { test: ["CMD", "test", "-f", "/tmp/ready"], interval: 300ms, timeout: 1s, retries: 20 }
    stop_grace_period: 0s
  web:
    image: ${IMG}
    command: ["sleep", "600"]
    stop_grace_period: 0s
    depends_on: { db: { condition: service_healthy } }
`);
    await converge(rt, stack);
    const db = await times(`${PROJECT}-db-1`);
    const web = await times(`${PROJECT}-web-1`);
    expect(db.healthyAt).toBeDefined();
    expect(web.started).toBeGreaterThanOrEqual(db.healthyAt as number);
  });

  it('service_healthy: a health check that never passes fails, naming the dependency; the dependent is not started', async () => {
    const stack = await stackOf(`
services:
  db:
    image: ${IMG}
    command: ["sleep", "600"]
    healthcheck: { test: ["CMD", "false"], interval: 200ms, timeout: 1s, retries: 2 }
    stop_grace_period: 0s
  web:
    image: ${IMG}
    command: ["sleep", "600"]
    depends_on: { db: { condition: service_healthy } }
`);
    await expect(converge(rt, stack)).rejects.toThrow(
      `service web: start container ${PROJECT}-web-1 failed: dependency db (${PROJECT}-db-1) is unhealthy`,
    );
    expect((await rt.inspectContainer(`${PROJECT}-web-1`))?.state).toBe('created');
  });

  it('service_completed_successfully: waits for exit 0; a non-zero exit stops dependents with the code', async () => {
    const ok = await stackOf(`
services:
  migrate:
    image: ${IMG}
    command: ["sh", "-c", "sleep 1; exit 0"]
  web:
    image: ${IMG}
    command: ["sleep", "600"]
    stop_grace_period: 0s
    depends_on: { migrate: { condition: service_completed_successfully } }
`);
    await converge(rt, ok);
    const migrate = await docker.getContainer(`${PROJECT}-migrate-1`).inspect();
    const web = await times(`${PROJECT}-web-1`);
    expect(migrate.State.ExitCode).toBe(0);
    expect(web.started).toBeGreaterThanOrEqual(Date.parse(migrate.State.FinishedAt));
    await cleanup();
    const bad = await stackOf(`
services:
  migrate:
    image: ${IMG}
    command: ["sh", "-c", "exit 3"]
  web:
    image: ${IMG}
    command: ["sleep", "600"]
    depends_on: { migrate: { condition: service_completed_successfully } }
`);
    await expect(converge(rt, bad)).rejects.toThrow(/dependency migrate \(.*-migrate-1\) exited with code 3/);
    expect((await rt.inspectContainer(`${PROJECT}-web-1`))?.state).toBe('created');
  });

  it('required: false — a dependency that exits non-zero only warns; the dependent runs', async () => {
    const stack = await stackOf(`
services:
  cache:
    image: ${IMG}
    command: ["sh", "-c", "exit 1"]
  web:
    image: ${IMG}
    command: ["sleep", "600"]
    stop_grace_period: 0s
    depends_on: { cache: { condition: service_completed_successfully, required: false } }
`);
    const bus = new EventBus();
    const events: StackEvent[] = [];
    bus.subscribe((e) => events.push(e));
    await converge(rt, stack, { bus });
    expect((await rt.inspectContainer(`${PROJECT}-web-1`))?.state).toBe('running');
    expect(events.some((e) => e.kind === 'warning' && e.message.includes('exited with code 1'))).toBe(true);
  });

  it('restart: true — a dependent restarts when its dependency is recreated', async () => {
    const yaml = (v: string) => `
services:
  db:
    image: ${IMG}
    command: ["sleep", "600"]
    environment: { V: "${v}" }
    stop_grace_period: 0s
  web:
    image: ${IMG}
    command: ["sleep", "600"]
    stop_grace_period: 0s
    depends_on: { db: { condition: service_started, restart: true } }
`;
    await converge(rt, await stackOf(yaml('1')));
    const before = await times(`${PROJECT}-web-1`);
    await converge(rt, await stackOf(yaml('2')));
    const after = await times(`${PROJECT}-web-1`);
    expect(after.started).toBeGreaterThan(before.started);
  });

  it('restart policies reach the engine, and up --wait returns once healthy or completed', async () => {
    const stack = await stackOf(`
services:
  a: { image: ${IMG}, command: ["sleep", "600"], restart: always, stop_grace_period: 0s }
  b: { image: ${IMG}, command: ["sleep", "600"], restart: "on-failure:3", stop_grace_period: 0s }
  c: { image: ${IMG}, command: ["sleep", "600"], restart: unless-stopped, stop_grace_period: 0s }
  d:
    image: ${IMG}
    command: ["sh", "-c", "sleep 1; touch /tmp/ok; exec sleep 600"]
    healthcheck: { test: ["CMD", "test", "-f", "/tmp/ok"], interval: 200ms, retries: 30 }
    stop_grace_period: 0s
  once: { image: ${IMG}, command: ["sh", "-c", "sleep 0.5"] }
  after: { image: ${IMG}, command: ["sleep", "600"], stop_grace_period: 0s, depends_on: { once: { condition: service_completed_successfully } } }
`);
    const { desired: want } = await converge(rt, stack);
    await waitForServices(rt, want, { services: Object.keys(stack.services), timeoutMs: 30_000 });
    expect((await rt.inspectContainer(`${PROJECT}-d-1`))?.health).toBe('healthy');
    const policy = async (s: string) =>
      (await docker.getContainer(`${PROJECT}-${s}-1`).inspect()).HostConfig.RestartPolicy;
    expect(await policy('a')).toEqual({ Name: 'always', MaximumRetryCount: 0 });
    expect(await policy('b')).toEqual({ Name: 'on-failure', MaximumRetryCount: 3 });
    expect(await policy('c')).toEqual({ Name: 'unless-stopped', MaximumRetryCount: 0 });
  });

  it('up --wait fails naming the service and showing its last log lines; --wait-timeout bounds it', async () => {
    const stack = await stackOf(`
services:
  api:
    image: ${IMG}
    command: ["sh", "-c", "echo starting api; sleep 0.2; echo config missing >&2; exec sleep 600"]
    healthcheck: { test: ["CMD", "false"], interval: 200ms, retries: 2 }
    stop_grace_period: 0s
  slow:
    image: ${IMG}
    command: ["sh", "-c", "echo warming up; exec sleep 600"]
    healthcheck: { test: ["CMD", "false"], interval: 30s, retries: 3 }
    stop_grace_period: 0s
`);
    const { desired: want } = await converge(rt, stack);
    await expect(waitForServices(rt, want, { services: ['api'] })).rejects.toThrow(
      new RegExp(
        `service api failed --wait: api \\(${PROJECT}-api-1\\) is unhealthy\\nlast 2 log lines of ${PROJECT}-api-1:\\n  starting api\\n  config missing`,
      ),
    );
    await expect(
      waitForServices(rt, desired(stack), { services: ['slow'], timeoutMs: 1500 }),
    ).rejects.toThrow(
      /--wait timed out after 2s: service slow is not healthy yet\nlast 1 log line of .*-slow-1:\n {2}warming up/,
    );
  });
});
