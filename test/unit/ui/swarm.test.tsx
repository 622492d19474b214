import { render } from 'ink-testing-library';
import { describe, expect, it, vi } from 'vitest';
import { ViewStore } from '../../../src/events/store.js';
import type { StackEvent } from '../../../src/events/types.js';
import { App } from '../../../src/ui/App.js';
import { recordingCallbacks } from './callbacks.js';

const NOW = Date.UTC(2026, 10, 23, 15);
const size = { columns: 120, rows: 30 };
const tick = () => new Promise((r) => setTimeout(r, 20));

function swarmStore(): ViewStore {
  const store = new ViewStore({ now: () => NOW });
  const task = { kind: 'swarm.task', service: 'web', desiredState: 'running' } as const;
  const events: StackEvent[] = [
    { kind: 'stack.loaded', project: 'demo', services: ['web', 'worker'], files: [] },
    {
      kind: 'swarm.service',
      service: 'web',
      desired: 2,
      updateState: 'updating',
      ports: [{ hostPort: 8080, target: 80, protocol: 'tcp' }],
    },
    { ...task, replica: 1, task: 't1', node: 'manager-1', state: 'running', startedAt: NOW - 65_000 },
    {
      ...task,
      replica: 2,
      task: 't2',
      node: '',
      state: 'pending',
      error: 'no suitable node (scheduling constraints not satisfied on 1 node)',
    },
    { kind: 'swarm.service', service: 'worker', desired: 1, ports: [] },
    {
      kind: 'swarm.task',
      service: 'worker',
      replica: 1,
      task: 't3',
      node: 'worker-1',
      state: 'failed',
      desiredState: 'shutdown',
      error: 'task: non-zero exit (1)',
      exitCode: 1,
    },
    { kind: 'log', service: 'web', replica: 1, stream: 'stdout', message: 'hello from the swarm', time: NOW },
  ];
  for (const e of events) store.dispatch(e);
  store.flush();
  return store;
}

const callbacks = recordingCallbacks;

describe('App in swarm mode', () => {
  it('shows each service with running/desired and update state, its tasks with node, state and error, and logs', () => {
    const ui = render(
      <App
        store={swarmStore()}
        callbacks={callbacks()}
        now={() => NOW}
        size={size}
        color={false}
        mode="swarm"
      />,
    );
    const frame = ui.lastFrame()!;
    const lines = frame.split('\n');
    expect(frame).toContain('tsstack demo (swarm)');
    expect(lines.find((l) => l.includes('web ') && !l.includes('web.'))).toMatch(
      /web\s+1\/2\s+updating.*8080->80\/tcp/,
    );
    expect(frame).toMatch(/web\.1\s+manager-1\s+running/);
    expect(frame).toMatch(/web\.2\s+-\s+pending\s+no suitable node/);
    expect(lines.find((l) => l.includes('worker ') && !l.includes('worker.'))).toMatch(
      /worker\s+0\/1\s+failed \(1\)/,
    );
    expect(frame).toMatch(/worker\.1\s+worker-1\s+failed\s+task: non-zero exit \(1\)/);
    expect(frame).toContain('web-1 | hello from the swarm');
    expect(frame).toContain('q detach (the swarm keeps the stack running)');
    ui.unmount();
  });

  it('q, d and Ctrl-C only detach', async () => {
    const cb = callbacks();
    const ui = render(
      <App store={swarmStore()} callbacks={cb} now={() => NOW} size={size} color={false} mode="swarm" />,
    );
    for (const k of ['q', 'd', '\u0003']) {
      ui.stdin.write(k);
      await tick();
    }
    await vi.waitFor(() => expect(cb.calls).toEqual(['detach', 'detach', 'detach']));
    ui.unmount();
  });

  it('r restarts and s stops the selected service; s starts one scaled to 0 (no task wanted)', async () => {
    const store = swarmStore();
    const cb = callbacks();
    const ui = render(
      <App store={store} callbacks={cb} now={() => NOW} size={size} color={false} mode="swarm" />,
    );
    const press = async (...keys: string[]) => {
      for (const k of keys) {
        ui.stdin.write(k);
        await tick();
      }
    };
    // web: 2 desired, one running. worker: 1 desired, its task failed: still wanted, so s stops it.
    await press('r', 's', 'j', 'r', 's');
    expect(cb.calls).toEqual(['restart:web', 'stop:web', 'restart:worker', 'stop:worker']);
    // The swarm scaled web to 0: it wants no task; task 1 still runs until it has shut down.
    store.dispatch({ kind: 'swarm.service', service: 'web', desired: 0, ports: [] });
    store.dispatch({
      kind: 'swarm.task',
      service: 'web',
      replica: 2,
      task: 't2',
      node: 'manager-1',
      state: 'shutdown',
      desiredState: 'shutdown',
    });
    store.flush();
    await tick();
    await press('k', 's');
    expect(cb.calls.at(-1)).toBe('start:web');
    ui.unmount();
  });

  it('b calls no rebuild: it shows a warning that a swarm service has no local build', async () => {
    const cb = callbacks();
    const ui = render(
      <App store={swarmStore()} callbacks={cb} now={() => NOW} size={size} color={false} mode="swarm" />,
    );
    ui.stdin.write('b');
    await vi.waitFor(() => expect(ui.lastFrame()).toContain('b: a swarm service has no local build'));
    expect(cb.calls).toEqual([]);
    ui.unmount();
  });

  it('the footer and the help list r and s, not b, d or t', async () => {
    const ui = render(
      <App
        store={swarmStore()}
        callbacks={{ ...callbacks(), onTrigger: () => undefined }}
        now={() => NOW}
        size={{ columns: 200, rows: 40 }}
        color={false}
        mode="swarm"
      />,
    );
    expect(ui.lastFrame()).toContain('r restart · s scale to 0/back');
    ui.stdin.write('?');
    await vi.waitFor(() => expect(ui.lastFrame()).toContain('Keys'));
    const help = ui.lastFrame()!;
    expect(help).toMatch(/^r\s+restart the selected service: a forced update/m);
    expect(help).toMatch(/^s\s+stop: scale the selected service to 0 replicas/m);
    expect(help).not.toMatch(/^(b|t|d)\s/m);
    ui.unmount();
  });
});
