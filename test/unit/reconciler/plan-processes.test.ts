// Host processes in the containers' plan: one graph in both directions, the same reasons and golden text,
// only the changed process recreated, reverse order on stop and down, scale-down and orphans, and the
// scheduler asking the processes' supervisor for waits on them.
import { beforeEach, describe, expect, it } from 'vitest';
import { renderPlan } from '../../../src/model/plan-text.js';
import { desired } from '../../../src/reconciler/desired.js';
import { planDown, planRestart, planStart, planStop } from '../../../src/reconciler/lifecycle.js';
import { observe } from '../../../src/reconciler/observe.js';
import { planActions, type PlanOptions } from '../../../src/reconciler/plan.js';
import { FakeRuntime, simulateCommands } from '../../../src/runtime/fake.js';
import { applyPlan } from '../../../src/scheduler/apply.js';
import type { ProcessSpec, Stack } from '../../../src/spec/types.js';
import { FakeProcesses } from '../helpers/fake-processes.js';
import { dep, makeProcess, makeStack } from '../helpers/stack-factory.js';

const IMAGE = 'tsstack-test/busybox:latest';

/** db (container) ← api (process) ← web (container), as in examples/mixed. */
function mixed(api: Partial<ProcessSpec> = {}, extra: Partial<Stack> = {}): Stack {
  return makeStack(
    'demo',
    {
      db: { command: ['sleep', '1000'], healthcheck: { test: ['CMD', 'true'], disable: false } },
      web: { process_depends_on: { api: dep('service_healthy') } },
    },
    {
      processes: {
        api: makeProcess('api', {
          depends_on: { db: dep('service_healthy') },
          healthcheck: { probe: { kind: 'tcp', host: '127.0.0.1', port: 3000 }, disable: false },
          ...api,
        }),
      },
      ...extra,
    },
  );
}

let fake: FakeRuntime;
let procs: FakeProcesses;

beforeEach(() => {
  fake = new FakeRuntime();
  fake.simulate = simulateCommands;
  fake.addImage(IMAGE);
  procs = new FakeProcesses();
});

async function plan(stack: Stack, options: PlanOptions = {}) {
  return planActions(desired(stack), await observe(fake, stack.name, procs), options);
}

async function up(stack: Stack, options: PlanOptions = {}) {
  const p = await plan(stack, options);
  const result = await applyPlan(fake, p, { concurrency: 4, processes: procs, project: stack.name });
  return { plan: p, result };
}

describe('host processes in the plan', () => {
  it('a fresh mixed stack: the container, then the process waiting for it, then the container waiting for the process', async () => {
    const p = await plan(mixed());
    expect(renderPlan(p)).toBe(
      [
        '#1 create network demo_default (no network)',
        '#2 create container demo-db-1 (no container) after #1',
        '#3 start container demo-db-1 (created) after #2',
        '#4 start process demo-api-1 (no process) after #3',
        '#5 create container demo-web-1 (no container) after #1 #4',
        '#6 start container demo-web-1 (created) after #4 #5',
        '',
      ].join('\n'),
    );
    const byTarget = new Map(p.operations.map((o) => [`${o.kind} ${o.target}`, o]));
    expect(byTarget.get('process.start demo-api-1')?.waitsFor).toEqual([
      { service: 'db', condition: 'service_healthy', required: true },
    ]);
    expect(byTarget.get('container.start demo-web-1')?.waitsFor).toEqual([
      { service: 'api', condition: 'service_healthy', required: true, workload: 'process' },
    ]);
    // The containers of a stack with host processes reach them as host.docker.internal.
    const web = p.operations.find((o) => o.kind === 'container.create' && o.target === 'demo-web-1');
    expect(web?.kind === 'container.create' && web.spec.extraHosts).toEqual([
      'host.docker.internal:host-gateway',
    ]);
  });

  it('applies both ways (the container waits on the supervisor), then plans nothing', async () => {
    const { result } = await up(mixed());
    expect(result.failed).toEqual([]);
    expect(procs.calls).toEqual(['start demo-api-1', 'wait api healthy']);
    expect(renderPlan(await plan(mixed()))).toBe('nothing to do\n');
  });

  it('a process that cannot get healthy keeps the container waiting for it from starting', async () => {
    procs.waits.set(
      'api',
      new Error('dependency api (demo-api-1) exited with code 1 before becoming healthy'),
    );
    const { result } = await up(mixed());
    expect(result.failed.map((f) => [f.operation.target, f.error])).toEqual([
      ['demo-web-1', 'dependency api (demo-api-1) exited with code 1 before becoming healthy'],
    ]);
    expect((await fake.inspectContainer('demo-web-1'))?.state).toBe('created');
  });

  it('a changed command restarts only that process, saying which field changed', async () => {
    await up(mixed());
    const text = renderPlan(await plan(mixed({ command: ['node', 'server.js'] })));
    expect(text).toBe(
      [
        '#1 stop process demo-api-1 (config changed: command)',
        '#2 start process demo-api-1 (config changed: command) after #1',
        '',
      ].join('\n'),
    );
  });

  it('a process that exited is started again; a one-shot another waits to complete is not', async () => {
    await up(mixed());
    procs.procs.set('demo-api-1', {
      ...procs.procs.get('demo-api-1')!,
      phase: 'exited',
      exitCode: 1,
      pid: 0,
    });
    expect(renderPlan(await plan(mixed()))).toBe(
      '#1 start process demo-api-1 (exited (1), starting again)\n',
    );
    // A fresh project, so nothing of the first stack shows up as an orphan.
    fake = new FakeRuntime();
    fake.simulate = simulateCommands;
    fake.addImage(IMAGE);
    procs = new FakeProcesses();
    const oneShot = makeStack(
      'demo',
      { web: { process_depends_on: { migrate: dep('service_completed_successfully') } } },
      {
        processes: { migrate: makeProcess('migrate', { command: ['true'] }) },
      },
    );
    await up(oneShot);
    procs.procs.set('demo-migrate-1', {
      ...procs.procs.get('demo-migrate-1')!,
      phase: 'exited',
      exitCode: 0,
      pid: 0,
    });
    expect(renderPlan(await plan(oneShot))).toBe('nothing to do\n');
  });

  it('scale-down and orphans: extra replicas removed, processes no longer in the file kept unless asked', async () => {
    await up(mixed({ replicas: 2 }));
    expect(renderPlan(await plan(mixed()))).toBe('#1 remove process demo-api-2 (scaled down)\n');
    const without = makeStack('demo', { db: { command: ['sleep', '1000'] }, web: {} });
    const kept = await plan(without);
    expect(kept.orphans).toEqual(['demo-api-1', 'demo-api-2']);
    expect(kept.notes).toEqual([
      'found orphan processes (demo-api-1, demo-api-2) for services not in the stack; run with --remove-orphans to remove them',
    ]);
    expect(renderPlan(await plan(without, { removeOrphans: true }))).toMatch(
      /remove process demo-api-1 \(orphan\)/,
    );
  });
});

describe('stop, start, restart and down across both kinds', () => {
  it('down stops dependents first: the container before the process it waits for, the process before its database', async () => {
    await up(mixed());
    const observed = await observe(fake, 'demo', procs);
    expect(renderPlan(planDown(observed))).toBe(
      [
        '#1 stop container demo-web-1 (down)',
        '#2 remove process demo-api-1 (down) after #1',
        '#3 stop container demo-db-1 (down) after #2',
        '#4 remove container demo-db-1 (down) after #3',
        '#5 remove container demo-web-1 (down) after #1',
        '#6 remove network demo_default (down) after #4 #5',
        '',
      ].join('\n'),
    );
    expect(renderPlan(planStop(observed, { services: ['api'] }))).toBe('#1 stop process demo-api-1 (stop)\n');
    expect(renderPlan(planRestart(observed, { services: ['api'] }))).toBe(
      '#1 restart process demo-api-1 (restart)\n',
    );
  });

  it('start brings back a stopped process with the command it was started with, after its dependency', async () => {
    await up(mixed());
    await applyPlan(fake, planStop(await observe(fake, 'demo', procs)), { processes: procs });
    expect(renderPlan(planStart(await observe(fake, 'demo', procs)))).toBe(
      [
        '#1 start container demo-db-1 (start)',
        '#2 start process demo-api-1 (start) after #1',
        '#3 start container demo-web-1 (start) after #2',
        '',
      ].join('\n'),
    );
  });
});
