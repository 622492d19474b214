import { render } from 'ink-testing-library';
import { describe, expect, it, vi } from 'vitest';
import { ViewStore } from '../../../src/events/store.js';
import type { StackEvent } from '../../../src/events/types.js';
import { App, type UiCallbacks } from '../../../src/ui/App.js';

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

function callbacks(): UiCallbacks & { calls: string[] } {
  const calls: string[] = [];
  const rec = (name: string) => (service?: string) => calls.push(service ? `${name}:${service}` : name);
  return {
    calls,
    onRestart: rec('restart'),
    onStop: rec('stop'),
    onStart: rec('start'),
    onRebuild: rec('rebuild'),
    onDetach: rec('detach'),
    onQuit: rec('quit'),
    onKill: rec('kill'),
  };
}

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

  it('q, d and Ctrl-C only detach; r, s and b do nothing', async () => {
    const cb = callbacks();
    const ui = render(
      <App store={swarmStore()} callbacks={cb} now={() => NOW} size={size} color={false} mode="swarm" />,
    );
    for (const k of ['r', 's', 'b', 'q', 'd', '\u0003']) {
      ui.stdin.write(k);
      await tick();
    }
    await vi.waitFor(() => expect(cb.calls).toEqual(['detach', 'detach', 'detach']));
    ui.unmount();
  });
});
