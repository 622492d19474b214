import { describe, expect, it } from 'vitest';
import { EventBus } from '../../../src/events/bus.js';
import type { StackEvent } from '../../../src/events/types.js';
import type { SwarmRuntime, SwarmServiceSummary } from '../../../src/runtime/types.js';
import { STOPPED_REPLICAS_LABEL, swarmActions } from '../../../src/swarm/actions.js';

function service(name: string, replicas: number, labels: Record<string, string> = {}): SwarmServiceSummary {
  return {
    id: `id-${name}`,
    name: `demo_${name}`,
    version: 1,
    labels: { 'io.tsstack.project': 'demo', 'io.tsstack.service': name, ...labels },
    image: 'busybox',
    mode: { kind: 'replicated', replicas },
    ports: [],
  };
}

function fixture(services: SwarmServiceSummary[], fail?: string) {
  const calls: string[] = [];
  const swarm = {
    listServices: async () => services,
    forceUpdateService: async (id: string) => {
      if (fail) throw new Error(fail);
      calls.push(`force ${id}`);
    },
    scaleService: async (id: string, n: number, labels?: Record<string, string | null>) => {
      if (fail) throw new Error(fail);
      calls.push(`scale ${id} ${n} ${JSON.stringify(labels)}`);
      return 0;
    },
  } as unknown as SwarmRuntime;
  const bus = new EventBus();
  const events: StackEvent[] = [];
  bus.subscribe((e) => events.push(e));
  return { swarm, bus, calls, events };
}

describe('swarmActions', () => {
  it('an engine error becomes a warning naming the service; nothing throws', async () => {
    const f = fixture([service('web', 2)], 'update out of sequence');
    const a = swarmActions({ swarm: f.swarm, project: 'demo', bus: f.bus });
    await expect(a.restart('web')).resolves.toBeUndefined();
    await expect(a.stop('web')).resolves.toBeUndefined();
    expect(f.events).toEqual([
      { kind: 'warning', service: 'web', message: 'restart of web failed: update out of sequence' },
      { kind: 'warning', service: 'web', message: 'stop of web failed: update out of sequence' },
    ]);
  });

  it('start: the count before the stop, else the stack file count, else 1; a running service is left alone', async () => {
    const labelled = fixture([service('web', 0, { [STOPPED_REPLICAS_LABEL]: '3' })]);
    await swarmActions({
      swarm: labelled.swarm,
      project: 'demo',
      bus: labelled.bus,
      replicas: { web: 5 },
    }).start('web');
    expect(labelled.calls).toEqual([`scale id-web 3 {"${STOPPED_REPLICAS_LABEL}":null}`]);

    const fromFile = fixture([service('web', 0)]);
    await swarmActions({
      swarm: fromFile.swarm,
      project: 'demo',
      bus: fromFile.bus,
      replicas: { web: 5 },
    }).start('web');
    expect(fromFile.calls).toEqual([`scale id-web 5 {"${STOPPED_REPLICAS_LABEL}":null}`]);

    const none = fixture([service('web', 0), service('db', 2)]);
    const a = swarmActions({ swarm: none.swarm, project: 'demo', bus: none.bus });
    await a.start('web');
    await a.start('db');
    expect(none.calls).toEqual([`scale id-web 1 {"${STOPPED_REPLICAS_LABEL}":null}`]);
    expect(none.events).toEqual([]);
  });
});
