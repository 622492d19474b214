import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { startHeadless } from '../../../src/session/headless.js';
import { EventBus } from '../../../src/events/bus.js';
import { serviceRow } from '../../../src/events/summary.js';
import type { StackEvent } from '../../../src/events/types.js';
import { initialViewState, reduce, type ViewState } from '../../../src/events/view-model.js';
import { withDetails } from '../../../src/runtime/docker-swarm.js';
import type { SwarmServiceSummary, SwarmTask } from '../../../src/runtime/types.js';
import { emptySnapshot, liveEvents, liveSnapshot, type LiveSnapshot } from '../../../src/swarm/live.js';

const NOW = Date.UTC(2026, 10, 23, 15, 0, 0);

function service(name: string, over: Partial<SwarmServiceSummary> = {}): SwarmServiceSummary {
  return {
    id: `id-${name}`,
    name: `demo_${name}`,
    version: 1,
    labels: { 'io.tsstack.project': 'demo', 'io.tsstack.service': name },
    image: 'busybox',
    mode: { kind: 'replicated', replicas: 2 },
    ports: [],
    ...over,
  };
}

function task(id: string, over: Partial<SwarmTask> = {}): SwarmTask {
  return {
    id,
    serviceId: 'id-web',
    nodeId: 'n1',
    slot: 1,
    desiredState: 'running',
    state: 'running',
    message: '',
    updatedAt: '2026-11-23T14:59:00.000000000Z',
    ...over,
  };
}

const nodes = new Map([
  ['n1', 'manager-1'],
  ['n2', 'worker-1'],
]);

function snap(services: { service: SwarmServiceSummary; tasks: SwarmTask[] }[]): LiveSnapshot {
  const order = ['n1', 'n2'];
  return liveSnapshot({ project: 'demo', services, nodes, nodeReplica: (n) => order.indexOf(n) + 1 });
}

function fold(events: StackEvent[], state: ViewState = initialViewState()): ViewState {
  return events.reduce((s, e) => reduce(s, e, NOW), state);
}

describe('liveSnapshot: one current task per slot', () => {
  it('picks the newest task the swarm wants running, with its node, and keeps a failed predecessor as the error', () => {
    const s = snap([
      {
        service: service('web'),
        tasks: [
          task('old', {
            state: 'failed',
            desiredState: 'shutdown',
            error: 'task: non-zero exit (1)',
            exitCode: 1,
            updatedAt: '2026-11-23T14:58:00Z',
          }),
          task('new', { state: 'pending', nodeId: '', updatedAt: '2026-11-23T14:58:01Z' }),
          task('two', { slot: 2, nodeId: 'n2', exitCode: 0 }),
        ],
      },
    ]);
    expect([...s.tasks.values()]).toEqual([
      {
        service: 'web',
        replica: 1,
        task: 'new',
        node: '',
        state: 'pending',
        desiredState: 'running',
        error: 'previous task: task: non-zero exit (1)',
      },
      {
        service: 'web',
        replica: 2,
        task: 'two',
        node: 'worker-1',
        state: 'running',
        desiredState: 'running',
        startedAt: Date.parse('2026-11-23T14:59:00Z'),
      },
    ]);
    expect(s.taskReplica.get('old')).toEqual({ service: 'web', replica: 1 });
    expect(s.services.get('web')).toEqual({ service: 'web', desired: 2, ports: [] });
  });

  it('drops slots left over from a scale-down, numbers global tasks by node, and reports update state and ports', () => {
    const s = snap([
      {
        service: service('web', { mode: { kind: 'replicated', replicas: 1 } }),
        tasks: [task('a'), task('gone', { slot: 3, state: 'shutdown', desiredState: 'shutdown' })],
      },
      {
        service: service('agent', {
          mode: { kind: 'global' },
          updateState: 'rollback_completed',
          ports: [
            { target: 80, published: 8080, protocol: 'tcp', mode: 'host' },
            { target: 81, protocol: 'tcp', mode: 'ingress' },
          ],
        }),
        tasks: [task('g2', { slot: undefined, nodeId: 'n2' }), task('g1', { slot: undefined })],
      },
    ]);
    expect([...s.tasks.keys()]).toEqual(['web\u00001', 'agent\u00001', 'agent\u00002']);
    expect(s.tasks.get('agent\u00002')?.node).toBe('worker-1');
    expect(s.services.get('agent')).toEqual({
      service: 'agent',
      desired: 2,
      updateState: 'rollback_completed',
      ports: [{ hostPort: 8080, target: 80, protocol: 'tcp' }],
    });
  });
});

describe('liveEvents', () => {
  it('emits every service and task first, then only what changed, and a removal for a slot gone', () => {
    const one = snap([
      { service: service('web'), tasks: [task('a'), task('b', { slot: 2, state: 'starting' })] },
    ]);
    const first = liveEvents(emptySnapshot(), one);
    expect(first.map((e) => e.kind)).toEqual(['swarm.service', 'swarm.task', 'swarm.task']);
    expect(liveEvents(one, one)).toEqual([]);

    const two = snap([
      { service: service('web', { mode: { kind: 'replicated', replicas: 1 } }), tasks: [task('a')] },
    ]);
    expect(liveEvents(one, two)).toEqual([
      { kind: 'swarm.service', service: 'web', desired: 1, ports: [] },
      { kind: 'container.state', service: 'web', replica: 2, container: 'b', phase: 'removed' },
    ]);
    expect(liveEvents(two, snap([]))).toEqual([
      { kind: 'container.state', service: 'web', replica: 1, container: 'a', phase: 'removed' },
      { kind: 'warning', service: 'web', message: 'service web is no longer in the swarm' },
    ]);
  });
});

describe('the view model and rows of a swarm stack', () => {
  it('shows running/desired, each task with node, state and error, and the update state', () => {
    const s1 = snap([
      {
        service: service('web', {
          updateState: 'updating',
          ports: [{ target: 80, published: 8080, protocol: 'tcp', mode: 'host' }],
        }),
        tasks: [task('a'), task('b', { slot: 2, state: 'failed', nodeId: 'n2', error: 'boom', exitCode: 3 })],
      },
    ]);
    const state = fold(liveEvents(emptySnapshot(), s1));
    const row = serviceRow(state.services.web!, NOW);
    expect(row).toMatchObject({ name: 'web', ready: 1, desired: 2, state: 'updating', lastExitCode: 3 });
    expect(row.ports).toBe('8080->80/tcp');
    expect(row.tasks).toEqual([
      { label: 'web.1', node: 'manager-1', state: 'running', error: '', tone: 'ok' },
      { label: 'web.2', node: 'worker-1', state: 'failed', error: 'boom', tone: 'bad' },
    ]);

    // The swarm replaces the failed task: a restart, and the update finishes.
    const s2 = snap([
      {
        service: service('web', { updateState: 'completed' }),
        tasks: [
          task('a'),
          task('b', {
            slot: 2,
            state: 'failed',
            desiredState: 'shutdown',
            nodeId: 'n2',
            error: 'boom',
            exitCode: 3,
          }),
          task('c', { slot: 2, state: 'running', nodeId: 'n2', updatedAt: '2026-11-23T14:59:30Z' }),
        ],
      },
    ]);
    const after = serviceRow(fold(liveEvents(s1, s2), state).services.web!, NOW);
    expect(after).toMatchObject({ ready: 2, desired: 2, state: 'running', restarts: 1 });
    expect(after.tasks?.map((t) => `${t.label} ${t.node} ${t.state}`)).toEqual([
      'web.1 manager-1 running',
      'web.2 worker-1 running',
    ]);

    const rolled = snap([
      { service: service('web', { updateState: 'rollback_completed' }), tasks: [task('a')] },
    ]);
    expect(serviceRow(fold(liveEvents(s2, rolled), state).services.web!, NOW).state).toBe('rolled back');
  });
});

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _e: string, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

describe('headless lines for a swarm stack', () => {
  const events = (): StackEvent[] => [
    { kind: 'swarm.service', service: 'web', desired: 1, ports: [] },
    {
      kind: 'swarm.task',
      service: 'web',
      replica: 1,
      task: 'abcdef0123456789',
      node: '',
      state: 'pending',
      desiredState: 'running',
    },
    {
      kind: 'swarm.task',
      service: 'web',
      replica: 1,
      task: 'abcdef0123456789',
      node: 'node-a',
      state: 'running',
      desiredState: 'running',
    },
    // The same again (another poll): no line.
    {
      kind: 'swarm.task',
      service: 'web',
      replica: 1,
      task: 'abcdef0123456789',
      node: 'node-a',
      state: 'running',
      desiredState: 'running',
    },
    { kind: 'log', service: 'web', replica: 1, stream: 'stdout', message: 'hello', time: NOW },
    { kind: 'swarm.service', service: 'web', desired: 1, updateState: 'updating', ports: [] },
    {
      kind: 'swarm.task',
      service: 'web',
      replica: 1,
      task: 'abcdef0123456789',
      node: 'node-a',
      state: 'failed',
      desiredState: 'shutdown',
      error: 'task: non-zero exit (2)',
      exitCode: 2,
    },
  ];

  it('plain: task state lines with node and error, update lines, prefixed logs', async () => {
    const bus = new EventBus();
    const out = new Sink();
    const h = startHeadless({ bus, out, format: 'plain', env: {} });
    for (const e of events()) bus.emit(e);
    await h.stop();
    expect(out.text).toBe(
      [
        'web.1 task pending [abcdef012345]',
        'web.1 task running on node-a [abcdef012345]',
        'web-1  | hello',
        'web update updating',
        'web.1 task failed on node-a (exit code 2): task: non-zero exit (2) [abcdef012345]',
        '',
      ].join('\n'),
    );
  });

  it('json: one object a line, task events named task_<state>', async () => {
    const bus = new EventBus();
    const out = new Sink();
    const h = startHeadless({ bus, out, format: 'json', env: {}, now: () => NOW });
    for (const e of events()) bus.emit(e);
    await h.stop();
    const lines = out.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.event ?? 'log')).toEqual([
      'task_pending',
      'task_running',
      'log',
      'service_update',
      'task_failed',
    ]);
    expect(lines[1]).toMatchObject({
      service: 'web',
      replica: 1,
      node: 'node-a',
      state: 'running',
      task: 'abcdef0123456789',
    });
    expect(lines[2]).toEqual({
      time: new Date(NOW).toISOString(),
      service: 'web',
      replica: 1,
      stream: 'stdout',
      message: 'hello',
    });
    expect(lines[4]).toMatchObject({ error: 'task: non-zero exit (2)', exitCode: 2 });
  });
});

describe('withDetails: service log lines with their attributes', () => {
  it('takes the task ID from the attributes and keeps the message', () => {
    expect(
      withDetails(
        'com.docker.swarm.node.id=n1,com.docker.swarm.service.id=s1,com.docker.swarm.task.id=t1 hello world',
      ),
    ).toEqual({ message: 'hello world', task: 't1' });
    expect(withDetails(' no attributes')).toEqual({ message: 'no attributes' });
    expect(withDetails('a%3Db=c%2Cd msg')).toEqual({ message: 'msg' });
  });
});
