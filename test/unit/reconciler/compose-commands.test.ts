// Plans of the Compose commands on existing containers: kill, pause, unpause, down SERVICE, start and
// restart with their dependencies, and up's --no-deps / --always-recreate-deps / --all-resources.
import { beforeEach, describe, expect, it } from 'vitest';
import { renderPlan } from '../../../src/model/plan-text.js';
import { planKill, planPause, planUnpause } from '../../../src/reconciler/container-signals.js';
import { planDown, planRestart, planStart, planStop } from '../../../src/reconciler/lifecycle.js';
import { observe } from '../../../src/reconciler/observe.js';
import { FakeRuntime } from '../../../src/runtime/fake.js';
import { applyPlan } from '../../../src/scheduler/apply.js';
import { planLifecycle, restartDependents } from '../../../src/session/lifecycle.js';
import { textFor, up } from '../helpers/converge.js';
import { dep, makeStack } from '../helpers/stack-factory.js';

const stack = makeStack('demo', {
  db: {},
  api: { depends_on: { db: dep('service_started', true) } },
  web: { depends_on: { api: dep() } },
  solo: {},
});

describe('plans for kill, pause, unpause, down SERVICE, start and restart', () => {
  let fake: FakeRuntime;
  beforeEach(async () => {
    fake = new FakeRuntime();
    fake.addImage('tsstack-test/busybox:latest');
    await up(fake, stack);
  });

  it('kill sends the signal to each running container of the services, and nothing else', async () => {
    const plan = planKill(await observe(fake, 'demo'), { services: ['web', 'db'], signal: 'SIGHUP' });
    expect(renderPlan(plan)).toBe(
      [
        '#1 kill container demo-db-1 (kill -s SIGHUP)',
        '#2 kill container demo-web-1 (kill -s SIGHUP)',
        '',
      ].join('\n'),
    );
    await applyPlan(fake, plan);
    const killed = fake.mutatingCalls().filter((c) => c.method === 'killContainer');
    expect(killed.map((c) => c.args[1])).toEqual(['SIGHUP', 'SIGHUP']);
  });

  it('kill leaves orphans alone unless --remove-orphans, and says when there is nothing to kill', async () => {
    const observed = await observe(fake, 'demo');
    const spec = ['db', 'api', 'web'];
    expect(
      planKill(observed, { signal: 'SIGKILL', specServices: spec }).operations.map((o) => o.target),
    ).not.toContain('demo-solo-1');
    expect(
      planKill(observed, { signal: 'SIGKILL', specServices: spec, includeOrphans: true }).operations.map(
        (o) => o.target,
      ),
    ).toContain('demo-solo-1');
    await applyPlan(fake, planStop(observed));
    expect(planKill(await observe(fake, 'demo'), { signal: 'SIGKILL' }).notes).toEqual([
      'no container to kill',
    ]);
  });

  it('pause pauses running containers only; unpause resumes paused ones only; both are idempotent', async () => {
    await applyPlan(fake, planPause(await observe(fake, 'demo'), { services: ['web'] }));
    const states = async () =>
      Object.fromEntries((await fake.listContainers({}, { all: true })).map((c) => [c.name, c.state]));
    expect((await states())['demo-web-1']).toBe('paused');
    expect((await states())['demo-db-1']).toBe('running');
    expect(planPause(await observe(fake, 'demo'), { services: ['web'] }).operations).toEqual([]);
    const resume = planUnpause(await observe(fake, 'demo'));
    expect(resume.operations.map((o) => `${o.kind} ${o.target}`)).toEqual(['container.unpause demo-web-1']);
    await applyPlan(fake, resume);
    expect((await states())['demo-web-1']).toBe('running');
  });

  it('down SERVICE removes it and its dependents, keeps the network the others still use', async () => {
    const text = renderPlan(planDown(await observe(fake, 'demo'), { services: ['api'] }));
    expect(text).toContain('remove container demo-api-1');
    expect(text).toContain('remove container demo-web-1');
    expect(text).not.toContain('demo-db-1');
    expect(text).not.toContain('remove network');
    expect(text).toContain('note: network demo_default kept: still used by other services');
  });

  it('start SERVICE starts what it depends on; restart SERVICE restarts dependents that asked (not with --no-deps)', async () => {
    await applyPlan(fake, planStop(await observe(fake, 'demo')));
    const start = renderPlan(planStart(await observe(fake, 'demo'), { services: ['web'] }));
    expect(start.split('\n').filter(Boolean)).toEqual([
      '#1 start container demo-db-1 (start)',
      '#2 start container demo-api-1 (start) after #1',
      '#3 start container demo-web-1 (start) after #2',
    ]);
    const observed = await observe(fake, 'demo');
    const deps = restartDependents(stack);
    expect(deps).toEqual({ db: ['api'] });
    const restart = planRestart(observed, { services: ['db'], restartDependents: deps });
    expect(restart.operations.map((o) => o.target)).toEqual(['demo-db-1', 'demo-api-1']);
    const only = planRestart(observed, { services: ['db'], restartDependents: deps, noDeps: true });
    expect(only.operations.map((o) => o.target)).toEqual(['demo-db-1']);
  });

  it('planLifecycle maps each command to its planner', async () => {
    const observed = await observe(fake, 'demo');
    expect(planLifecycle({ kind: 'pause' }, observed, stack, ['solo']).operations.map((o) => o.kind)).toEqual(
      ['container.pause'],
    );
    expect(
      planLifecycle({ kind: 'kill', signal: 'SIGTERM' }, observed, stack, ['solo']).operations.map(
        (o) => o.kind,
      ),
    ).toEqual(['container.kill']);
  });
});

describe('up: --no-deps, --always-recreate-deps, --all-resources', () => {
  let fake: FakeRuntime;
  beforeEach(() => {
    fake = new FakeRuntime();
    fake.addImage('tsstack-test/busybox:latest');
  });

  it('--no-deps plans only the named service', async () => {
    const text = await textFor(fake, stack, { services: ['web'], noDeps: true });
    expect(text).toContain('create container demo-web-1');
    expect(text).not.toContain('demo-api-1');
    expect(await textFor(fake, stack, { services: ['web'] })).toContain('create container demo-api-1');
  });

  it('--force-recreate recreates the named services only; --always-recreate-deps their dependencies too', async () => {
    await up(fake, stack);
    const named = await textFor(fake, stack, { services: ['api'], forceRecreate: true });
    expect(named).toContain('create container demo-api-1 (forced)');
    expect(named).not.toContain('create container demo-db-1');
    const deps = await textFor(fake, stack, {
      services: ['api'],
      forceRecreate: true,
      forceRecreateDeps: true,
    });
    expect(deps).toContain('create container demo-db-1 (forced)');
  });

  it('--all-resources creates networks and volumes no service uses', async () => {
    const withUnused = makeStack(
      'demo',
      { solo: {} },
      { volumes: { spare: { name: 'demo_spare', driver_opts: {}, external: false, labels: {} } } },
    );
    expect(await textFor(fake, withUnused)).not.toContain('demo_spare');
    expect(await textFor(fake, withUnused, { allResources: true })).toContain('create volume demo_spare');
  });
});
