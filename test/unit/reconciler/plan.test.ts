import { beforeEach, describe, expect, it } from 'vitest';
import { FakeRuntime, simulateCommands } from '../../../src/runtime/fake.js';
import { LABEL } from '../../../src/model/labels.js';
import { dep, makeStack, type ServiceInput } from '../helpers/stack-factory.js';
import { planFor, textFor, up } from '../helpers/converge.js';

const IMAGE = 'tsstack-test/busybox:latest';

function demo(overrides: Record<string, ServiceInput> = {}): ReturnType<typeof makeStack> {
  return makeStack('demo', {
    db: { command: ['sleep', '1000'], ...overrides.db },
    web: {
      depends_on: { db: dep() },
      ports: [{ target: 80, published: '18080', protocol: 'tcp' }],
      ...overrides.web,
    },
    ...Object.fromEntries(Object.entries(overrides).filter(([k]) => k !== 'db' && k !== 'web')),
  });
}

describe('planActions', () => {
  let fake: FakeRuntime;
  beforeEach(() => {
    fake = new FakeRuntime();
    fake.addImage(IMAGE);
  });

  it('plans a fresh stack: network, then dependencies before dependents', async () => {
    expect(await textFor(fake, demo())).toBe(
      [
        '#1 create network demo_default (no network)',
        '#2 create container demo-db-1 (no container) after #1',
        '#3 start container demo-db-1 (created) after #2',
        '#4 create container demo-web-1 (no container) after #1 #3',
        '#5 start container demo-web-1 (created) after #3 #4',
        '',
      ].join('\n'),
    );
  });

  it('plans nothing, and makes no create/stop/remove call, when nothing changed', async () => {
    await up(fake, demo());
    fake.clearCalls();
    const { plan, result } = await up(fake, demo());
    expect(plan.operations).toEqual([]);
    expect(result.done).toEqual([]);
    expect(fake.mutatingCalls()).toEqual([]);
    expect(await textFor(fake, demo())).toBe('nothing to do\n');
  });

  it('recreates only the changed service and says which field changed', async () => {
    await up(fake, demo());
    const dbBefore = (await fake.inspectContainer('demo-db-1'))?.id;
    const text = await textFor(fake, demo({ web: { environment: { MODE: 'prod' } } }));
    expect(text).toBe(
      [
        '#1 stop container demo-web-1 (config changed: environment)',
        '#2 remove container demo-web-1 (config changed: environment) after #1',
        '#3 create container demo-web-1 (config changed: environment) after #2',
        '#4 start container demo-web-1 (created) after #3',
        '',
      ].join('\n'),
    );
    await up(fake, demo({ web: { environment: { MODE: 'prod' } } }));
    expect((await fake.inspectContainer('demo-db-1'))?.id).toBe(dbBefore);
    expect(fake.specOf('demo-web-1').env).toEqual(['MODE=prod']);
  });

  it('leaves dependents alone when a dependency changes, unless depends_on.restart is true', async () => {
    await up(fake, demo());
    const changedDb = { db: { command: ['sleep', '2000'] } };
    const plain = await planFor(fake, demo(changedDb));
    expect(plain.operations.map((o) => o.target)).not.toContain('demo-web-1');
    const withRestart = demo({ ...changedDb, web: { depends_on: { db: dep('service_started', true) } } });
    // Changing web's depends_on does not change its config hash: depends_on is not part of it.
    expect(await textFor(fake, withRestart)).toBe(
      [
        '#1 stop container demo-db-1 (config changed: command)',
        '#2 remove container demo-db-1 (config changed: command) after #1',
        '#3 create container demo-db-1 (config changed: command) after #2',
        '#4 start container demo-db-1 (created) after #3',
        '#5 restart container demo-web-1 (dependency db restarted) after #4',
        '',
      ].join('\n'),
    );
  });

  it('stops dependents before their dependencies when both are recreated', async () => {
    await up(fake, demo());
    const plan = await planFor(fake, demo({ db: { user: 'nobody' }, web: { user: 'nobody' } }));
    const ids = plan.operations.map((o) => o.id);
    const stopDb = plan.operations.find((o) => o.id === 'container.stop:demo-db-1');
    expect(stopDb?.after).toContain('container.stop:demo-web-1');
    expect(ids.indexOf('container.stop:demo-web-1')).toBeLessThan(ids.indexOf('container.stop:demo-db-1'));
    const createWeb = plan.operations.find((o) => o.id === 'container.create:demo-web-1');
    expect(createWeb?.after).toContain('container.start:demo-db-1');
  });

  it('scales up by creating the missing replicas and down by removing the highest numbers', async () => {
    await up(fake, demo());
    const three = demo({ web: { replicas: 3, ports: [] } });
    const upPlan = await planFor(fake, three);
    expect(upPlan.operations.filter((o) => o.kind === 'container.create').map((o) => o.target)).toEqual(
      expect.arrayContaining(['demo-web-2', 'demo-web-3']),
    );
    // web-1 changed too (ports removed), so it is recreated: the replica count is not part of the hash.
    await up(fake, three);
    expect((await planFor(fake, three)).operations).toEqual([]);
    const down = await textFor(fake, demo({ web: { replicas: 1, ports: [] } }));
    expect(down).toBe(
      [
        '#1 stop container demo-web-3 (scaled down)',
        '#2 remove container demo-web-3 (scaled down) after #1',
        '#3 stop container demo-web-2 (scaled down)',
        '#4 remove container demo-web-2 (scaled down) after #3',
        '',
      ].join('\n'),
    );
  });

  it('does not recreate replicas when only the replica count changes', async () => {
    await up(fake, demo({ web: { replicas: 2 } }));
    const before = (await fake.inspectContainer('demo-web-1'))?.id;
    const plan = await planFor(fake, demo({ web: { replicas: 3 } }));
    expect(plan.operations.map((o) => o.id)).toEqual([
      'container.create:demo-web-3',
      'container.start:demo-web-3',
    ]);
    await up(fake, demo({ web: { replicas: 3 } }));
    expect((await fake.inspectContainer('demo-web-1'))?.id).toBe(before);
  });

  it('reports orphans, and removes them only with removeOrphans', async () => {
    await up(fake, demo({ cache: {} }));
    const plan = await planFor(fake, demo());
    expect(plan.orphans).toEqual(['demo-cache-1']);
    expect(plan.operations).toEqual([]);
    expect(plan.notes[0]).toMatch(/orphan containers \(demo-cache-1\).*--remove-orphans/);
    expect(await textFor(fake, demo(), { removeOrphans: true })).toBe(
      [
        '#1 stop container demo-cache-1 (orphan)',
        '#2 remove container demo-cache-1 (orphan) after #1',
        '',
      ].join('\n'),
    );
  });

  it('starts a crashed container of a long-running service again, but not a completed one-shot', async () => {
    const stack = demo({
      migrate: { command: ['true'] },
      web: { depends_on: { db: dep(), migrate: dep('service_completed_successfully') } },
    });
    fake.simulate = simulateCommands; // web waits for migrate's `true` to exit 0
    await up(fake, stack);
    fake.exitContainer('demo-db-1', 1);
    fake.exitContainer('demo-migrate-1', 0);
    expect(await textFor(fake, stack)).toBe('#1 start container demo-db-1 (exited, starting again)\n');
    fake.exitContainer('demo-migrate-1', 3);
    expect(await textFor(fake, stack)).toContain('start container demo-migrate-1 (exited, starting again)');
  });

  it('honours forceRecreate, noRecreate and noStart', async () => {
    await up(fake, demo());
    const forced = await planFor(fake, demo(), { forceRecreate: true });
    expect(forced.operations.filter((o) => o.kind === 'container.create')).toHaveLength(2);
    expect(forced.operations[0]?.reason).toBe('forced');
    const changed = demo({ web: { environment: { A: '1' } } });
    expect((await planFor(fake, changed, { noRecreate: true })).operations).toEqual([]);
    const fresh = new FakeRuntime();
    fresh.addImage(IMAGE);
    const noStart = await planFor(fresh, demo(), { noStart: true });
    expect(noStart.operations.map((o) => o.kind)).toEqual([
      'network.create',
      'container.create',
      'container.create',
    ]);
  });

  it('acts only on the selected services and their dependencies', async () => {
    const stack = demo({ other: {} });
    const plan = await planFor(fake, stack, { services: ['web'] });
    expect(plan.operations.filter((o) => o.kind === 'container.create').map((o) => o.service)).toEqual([
      'db',
      'web',
    ]);
  });

  it('counts a changed image ID as a config change', async () => {
    await up(fake, demo(), {}, { imageIds: { db: 'sha256:old', web: 'sha256:w' } });
    const plan = await planFor(fake, demo(), {}, { imageIds: { db: 'sha256:new', web: 'sha256:w' } });
    expect(plan.operations.map((o) => `${o.kind} ${o.target} ${o.reason}`)).toEqual([
      'container.stop demo-db-1 image changed',
      'container.remove demo-db-1 image changed',
      'container.create demo-db-1 image changed',
      'container.start demo-db-1 created',
    ]);
  });

  it('names networks and volumes after the project and labels everything it creates', async () => {
    const stack = makeStack(
      'demo',
      {
        web: {
          networks: { front: { aliases: ['www'] } },
          volumes: [{ type: 'volume', source: 'data', target: '/data', read_only: false }],
        },
      },
      {
        networks: {
          front: {
            name: 'demo_front',
            driver_opts: {},
            external: false,
            internal: false,
            attachable: false,
            labels: {},
          },
        },
        volumes: { data: { name: 'demo_data', driver_opts: {}, external: false, labels: {} } },
      },
    );
    await up(fake, stack);
    const spec = fake.specOf('demo-web-1');
    expect(spec.networks).toEqual([{ network: 'demo_front', aliases: ['web', 'demo-web-1', 'www'] }]);
    expect(spec.mounts[0]).toMatchObject({ type: 'volume', source: 'demo_data', target: '/data' });
    expect(spec.labels[LABEL.project]).toBe('demo');
    expect(spec.labels[LABEL.service]).toBe('web');
    expect(spec.labels[LABEL.replica]).toBe('1');
    expect(spec.labels[LABEL.configHash]).toMatch(/^[0-9a-f]{64}$/);
    const nets = await fake.listNetworks({ [LABEL.project]: 'demo' });
    expect(nets.map((n) => n.name)).toEqual(['demo_front']);
    const vols = await fake.listVolumes({ [LABEL.project]: 'demo' });
    expect(vols.map((v) => v.name)).toEqual(['demo_data']);
  });
});

describe('planActions: shared namespaces', () => {
  it('recreates a service that uses network_mode service:X or volumes_from X when X is recreated', async () => {
    const fake = new FakeRuntime();
    fake.addImage(IMAGE);
    const stack = (env: Record<string, string>) =>
      makeStack('demo', {
        web: { environment: env },
        sidecar: { network_mode: 'service:web' },
        borrower: { volumes_from: ['web:ro'] },
        bystander: { depends_on: { web: dep() } },
      });
    await up(fake, stack({}));
    expect(fake.specOf('demo-sidecar-1').networkMode).toBe('container:demo-web-1');
    expect(fake.specOf('demo-borrower-1').volumesFrom).toEqual(['demo-web-1:ro']);
    const plan = await planFor(fake, stack({ A: '1' }));
    const recreated = plan.operations
      .filter((o) => o.kind === 'container.create')
      .map((o) => `${o.target}: ${o.reason}`);
    expect(recreated).toEqual([
      'demo-web-1: config changed: environment',
      'demo-borrower-1: web recreated (shares its namespace or volumes)',
      'demo-sidecar-1: web recreated (shares its namespace or volumes)',
    ]);
    await up(fake, stack({ A: '1' }));
    expect((await planFor(fake, stack({ A: '1' }))).operations).toEqual([]);
  });
});
