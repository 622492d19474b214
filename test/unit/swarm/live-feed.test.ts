import { describe, expect, it, vi } from 'vitest';
import { startSwarmFeed } from '../../../src/session/swarm-live.js';
import { EventBus } from '../../../src/events/bus.js';
import type { StackEvent } from '../../../src/events/types.js';
import type {
  SwarmLogLine,
  SwarmNode,
  SwarmRuntime,
  SwarmServiceSummary,
  SwarmTask,
} from '../../../src/runtime/types.js';

const web: SwarmServiceSummary = {
  id: 'svc-web',
  name: 'demo_web',
  version: 1,
  labels: { 'io.tsstack.project': 'demo', 'io.tsstack.service': 'web' },
  image: 'busybox',
  mode: { kind: 'replicated', replicas: 1 },
  ports: [],
};

function task(id: string, over: Partial<SwarmTask> = {}): SwarmTask {
  return {
    id,
    serviceId: 'svc-web',
    nodeId: 'n1',
    slot: 1,
    desiredState: 'running',
    state: 'running',
    message: '',
    updatedAt: '2026-11-23T15:00:00Z',
    ...over,
  };
}

/** A swarm whose tasks and log streams the test drives. */
function fakeSwarm() {
  const state = { services: [web], tasks: [task('t1', { state: 'pending', nodeId: '' })], down: false };
  const calls = { listTasks: 0, listNodes: 0, logs: [] as Record<string, unknown>[] };
  const streams: { push(l: SwarmLogLine): void; end(): void }[] = [];
  const swarm = {
    endpoint: 'fake',
    listServices: async () => {
      if (state.down) throw new Error('connect ECONNREFUSED');
      return state.services;
    },
    listTasks: async (f: { serviceIds?: string[] }) => {
      calls.listTasks++;
      return state.tasks.filter((t) => f.serviceIds?.includes(t.serviceId));
    },
    listNodes: async (): Promise<SwarmNode[]> => {
      calls.listNodes++;
      return [{ id: 'n1', hostname: 'node-a', role: 'manager', availability: 'active', state: 'ready' }];
    },
    serviceLogs(
      _id: string,
      opts: Record<string, unknown>,
      signal?: AbortSignal,
    ): AsyncIterable<SwarmLogLine> {
      calls.logs.push(opts);
      const queue: (SwarmLogLine | null)[] = [];
      let wake = () => undefined as void;
      streams.push({
        push: (l) => (queue.push(l), wake()),
        end: () => (queue.push(null), wake()),
      });
      return (async function* () {
        for (;;) {
          while (queue.length === 0) {
            if (signal?.aborted) return;
            await new Promise<void>((r) => {
              wake = r;
              signal?.addEventListener('abort', () => r(), { once: true });
            });
          }
          const l = queue.shift();
          if (!l) return;
          yield l;
        }
      })();
    },
  } as unknown as SwarmRuntime;
  return { swarm, state, calls, streams };
}

describe('startSwarmFeed', () => {
  it('polls tasks into events, maps log lines to their slot, follows a log again after it ended, and reports the engine going away', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: false });
    try {
      const { swarm, state, calls, streams } = fakeSwarm();
      const bus = new EventBus();
      const events: StackEvent[] = [];
      bus.subscribe((e) => events.push(e));
      const stop = new AbortController();
      const feed = startSwarmFeed({ swarm, project: 'demo', bus, signal: stop.signal, since: 1000 });
      await vi.advanceTimersByTimeAsync(10);
      expect(events.map((e) => e.kind)).toEqual(['swarm.service', 'swarm.task']);
      expect(calls.logs).toEqual([{ follow: true, details: true, since: 1000 }]);

      // The task is scheduled and runs; nodes are listed once the task names one.
      state.tasks = [task('t1')];
      await vi.advanceTimersByTimeAsync(1000);
      expect(events.at(-1)).toMatchObject({
        kind: 'swarm.task',
        replica: 1,
        node: 'node-a',
        state: 'running',
      });
      expect(calls.listNodes).toBe(1);

      // A line from a task the feed has not seen yet asks for a poll first, then lands on that task's slot.
      state.tasks = [task('t1', { state: 'shutdown', desiredState: 'shutdown' }), task('t2', { slot: 2 })];
      state.services = [{ ...web, mode: { kind: 'replicated', replicas: 2 } }];
      streams[0]!.push({ stream: 'stdout', message: 'hello', task: 't2' });
      await vi.advanceTimersByTimeAsync(10);
      expect(events.filter((e) => e.kind === 'log')).toEqual([
        {
          kind: 'log',
          service: 'web',
          replica: 2,
          stream: 'stdout',
          message: 'hello',
          time: expect.any(Number),
        },
      ]);

      // The log stream ends while the service still exists: followed again, from where it stopped.
      streams[0]!.end();
      await vi.advanceTimersByTimeAsync(7000);
      expect(calls.logs).toHaveLength(2);
      expect(calls.logs[1]).toMatchObject({ follow: true, details: true, since: expect.any(Number) });

      // The engine stops answering, then comes back.
      state.down = true;
      await vi.advanceTimersByTimeAsync(3000);
      state.down = false;
      await vi.advanceTimersByTimeAsync(1000);
      const kinds = events.map((e) => e.kind);
      expect(kinds.filter((k) => k === 'engine.disconnected')).toHaveLength(1);
      expect(kinds.indexOf('engine.reconnected')).toBeGreaterThan(kinds.indexOf('engine.disconnected'));

      stop.abort();
      await vi.advanceTimersByTimeAsync(10);
      await feed.done;
      expect(calls.listTasks).toBeGreaterThan(5);
    } finally {
      vi.useRealTimers();
    }
  });
});
