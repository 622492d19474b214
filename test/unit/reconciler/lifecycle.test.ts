import { beforeEach, describe, expect, it } from 'vitest';
import { applyPlan } from '../../../src/scheduler/apply.js';
import { planDown, planRemove, planRestart, planStart, planStop } from '../../../src/reconciler/lifecycle.js';
import { observe } from '../../../src/reconciler/observe.js';
import { renderPlan } from '../../../src/model/plan-text.js';
import { FakeRuntime } from '../../../src/runtime/fake.js';
import { up } from '../helpers/converge.js';
import { dep, makeStack } from '../helpers/stack-factory.js';

const stack = makeStack(
  'demo',
  {
    db: { volumes: [{ type: 'volume', source: 'data', target: '/data', read_only: false }] },
    web: { depends_on: { db: dep() } },
  },
  {
    volumes: {
      data: { name: 'demo_data', driver_opts: {}, external: false, labels: {} },
      shared: { name: 'shared', driver_opts: {}, external: true, labels: {} },
    },
  },
);

describe('lifecycle plans', () => {
  let fake: FakeRuntime;
  beforeEach(async () => {
    fake = new FakeRuntime();
    fake.addImage('tsstack-test/busybox:latest');
    await fake.createVolume({ name: 'shared', driver: 'local', labels: {}, options: {} });
    await fake.createNetwork({
      name: 'unlabelled',
      driver: 'bridge',
      labels: {},
      options: {},
      internal: false,
      attachable: false,
    });
    await up(fake, stack);
  });

  it('down stops dependents first, removes containers then networks, and keeps volumes', async () => {
    const plan = planDown(await observe(fake, 'demo'));
    expect(renderPlan(plan)).toBe(
      [
        '#1 stop container demo-web-1 (down)',
        '#2 stop container demo-db-1 (down) after #1',
        '#3 remove container demo-db-1 (down) after #2',
        '#4 remove container demo-web-1 (down) after #1',
        '#5 remove network demo_default (down) after #3 #4',
        '',
      ].join('\n'),
    );
    await applyPlan(fake, plan);
    expect(await fake.listContainers({}, { all: true })).toEqual([]);
    expect((await fake.listVolumes({})).map((v) => v.name).sort()).toEqual(['demo_data', 'shared']);
    expect((await fake.listNetworks({})).map((n) => n.name)).toEqual(['unlabelled']);
  });

  it('down -v removes the project volumes but never external or unlabelled ones', async () => {
    await applyPlan(fake, planDown(await observe(fake, 'demo'), { volumes: true }));
    expect((await fake.listVolumes({})).map((v) => v.name)).toEqual(['shared']);
  });

  it('down keeps orphans (and their network) unless removeOrphans', async () => {
    await up(fake, makeStack('demo', { ...stack.services, extra: {} }, { volumes: stack.volumes }));
    const keep = planDown(await observe(fake, 'demo'), { specServices: ['db', 'web'] });
    expect(keep.orphans).toEqual(['demo-extra-1']);
    expect(keep.operations.map((o) => o.target)).not.toContain('demo-extra-1');
    expect(keep.operations.map((o) => o.kind)).not.toContain('network.remove');
    const all = planDown(await observe(fake, 'demo'), { specServices: ['db', 'web'], removeOrphans: true });
    expect(all.operations.map((o) => o.target)).toContain('demo-extra-1');
  });

  it('stop, start and restart order by the depends-on labels, so they work without the stack file', async () => {
    const stop = planStop(await observe(fake, 'demo'), { timeout: 3 });
    expect(renderPlan(stop)).toBe(
      '#1 stop container demo-web-1 (stop)\n#2 stop container demo-db-1 (stop) after #1\n',
    );
    expect(stop.operations[0]).toMatchObject({ kind: 'container.stop', timeout: 3 });
    await applyPlan(fake, stop);
    const start = planStart(await observe(fake, 'demo'));
    expect(renderPlan(start)).toBe(
      '#1 start container demo-db-1 (start)\n#2 start container demo-web-1 (start) after #1\n',
    );
    await applyPlan(fake, start);
    expect(planStart(await observe(fake, 'demo')).operations).toEqual([]);
    const restart = planRestart(await observe(fake, 'demo'), { services: ['web'] });
    expect(renderPlan(restart)).toBe('#1 restart container demo-web-1 (restart)\n');
  });

  it('rm removes only stopped containers unless asked to stop them first', async () => {
    fake.exitContainer('demo-web-1', 0);
    const rm = planRemove(await observe(fake, 'demo'));
    expect(rm.operations.map((o) => `${o.kind} ${o.target}`)).toEqual(['container.remove demo-web-1']);
    expect(rm.notes).toEqual(['demo-db-1 is running; stop it first or use rm -s']);
    const rmStop = planRemove(await observe(fake, 'demo'), { stop: true, services: ['db'] });
    expect(rmStop.operations.map((o) => `${o.kind} ${o.target}`)).toEqual([
      'container.stop demo-db-1',
      'container.remove demo-db-1',
    ]);
  });
});
