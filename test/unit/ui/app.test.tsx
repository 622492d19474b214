import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ViewStore } from '../../../src/events/store.js';
import type { StackEvent } from '../../../src/events/types.js';
import { App } from '../../../src/ui/App.js';
import { recordingCallbacks } from './callbacks.js';

const NOW = Date.UTC(2026, 0, 1, 12);
const KEY = {
  up: '\u001B[A',
  down: '\u001B[B',
  enter: '\r',
  escape: '\u001B',
  pageUp: '\u001B[5~',
  pageDown: '\u001B[6~',
  ctrlC: '\u0003',
  backspace: '\u007F',
};

const callbacks = recordingCallbacks;

export function sampleStore(clock = { now: NOW - 65_000 }): ViewStore {
  const store = new ViewStore({ now: () => clock.now });
  const c = (service: string, replica: number) => ({
    service,
    replica,
    container: `demo-${service}-${replica}`,
  });
  const events: StackEvent[] = [
    {
      kind: 'stack.loaded',
      project: 'demo',
      services: ['web', 'db', 'worker'],
      files: [],
      replicas: { web: 2 },
    },
    { kind: 'container.state', ...c('web', 1), phase: 'running' },
    { kind: 'container.state', ...c('web', 2), phase: 'running' },
    { kind: 'container.health', ...c('web', 1), health: 'healthy' },
    { kind: 'container.health', ...c('web', 2), health: 'healthy' },
    {
      kind: 'container.ports',
      service: 'web',
      replica: 1,
      ports: [{ hostIp: '127.0.0.1', hostPort: 8080, target: 80, protocol: 'tcp' }],
    },
    {
      kind: 'container.stats',
      service: 'web',
      replica: 1,
      cpuPercent: 3.25,
      memoryUsage: 5 * 1048576,
      memoryLimit: 1,
    },
    { kind: 'container.state', ...c('db', 1), phase: 'running' },
    { kind: 'container.health', ...c('db', 1), health: 'starting' },
    { kind: 'container.state', ...c('worker', 1), phase: 'exited', exitCode: 2 },
  ];
  for (const e of events) store.dispatch(e);
  for (let i = 0; i < 40; i++) {
    const service = ['web', 'db', 'worker'][i % 3]!;
    store.dispatch({
      kind: 'log',
      service,
      replica: 1,
      stream: 'stdout',
      message: `${service} line ${i}`,
      time: i,
    });
  }
  store.flush();
  return store;
}

const tick = () => new Promise((r) => setTimeout(r, 10));

/** Types keys one at a time, as a user would. */
async function press(ui: { stdin: { write(s: string): void } }, ...keys: string[]): Promise<void> {
  for (const k of keys) {
    ui.stdin.write(k);
    await tick();
  }
}

/** Waits until the latest frame passes `check` (renders are asynchronous). */
async function frame(ui: { lastFrame(): string | undefined }, check: (f: string) => void): Promise<void> {
  await vi.waitFor(() => check(ui.lastFrame() ?? ''), { timeout: 3000, interval: 10 });
}
const size = { columns: 120, rows: 30 };

afterEach(() => {
  vi.useRealTimers();
});

describe('App', () => {
  it('shows every service with replicas, state, health, restarts, ports, uptime, CPU and memory', () => {
    const ui = render(
      <App store={sampleStore()} callbacks={callbacks()} now={() => NOW} size={size} color={false} />,
    );
    const frame = ui.lastFrame()!;
    const line = (name: string) =>
      frame.split('\n').find((l) => l.includes(` ${name} `) || l.startsWith(`> ${name}`))!;
    expect(frame).toContain('tsstack demo');
    expect(frame).toMatch(/SERVICE\s+READY\s+STATE\s+HEALTH\s+RESTARTS\s+UPTIME\s+CPU\s+MEM\s+PORTS/);
    expect(line('web')).toMatch(
      /web\s+2\/2\s+healthy\s+healthy\s+0\s+1m05s\s+3\.3%\s+5\.00MiB\s+127\.0\.0\.1:8080->80\/tcp/,
    );
    expect(line('db')).toMatch(/db\s+0\/1\s+starting\s+starting/);
    expect(line('worker')).toMatch(/worker\s+0\/1\s+exited \(2\)/);
    expect(frame).toContain('worker-1 | worker line 38');
    ui.unmount();
  });

  it('updates when the store notifies: a restart countdown, then running again', async () => {
    const clock = { now: NOW - 65_000 };
    const store = sampleStore(clock);
    const app = (now: number) => (
      <App store={store} callbacks={callbacks()} now={() => now} size={size} color={false} />
    );
    const ui = render(app(NOW));
    clock.now = NOW;
    store.dispatch({
      kind: 'container.restarting',
      service: 'worker',
      replica: 1,
      container: 'demo-worker-1',
      attempt: 1,
      backoffMs: 10_000,
      reason: 'exited with code 2',
      lastExitCode: 2,
    });
    store.flush();
    await frame(ui, (f) => expect(f).toMatch(/worker\s+0\/1\s+restarting in 10s\s+-\s+1 \(exit 2\)/));
    ui.rerender(app(NOW + 3_000));
    await frame(ui, (f) => expect(f).toMatch(/worker\s+0\/1\s+restarting in 7s/));
    clock.now = NOW + 10_000;
    store.dispatch({
      kind: 'container.state',
      service: 'worker',
      replica: 1,
      container: 'demo-worker-1',
      phase: 'running',
    });
    store.flush();
    ui.rerender(app(NOW + 12_000));
    await frame(ui, (f) => expect(f).toMatch(/worker\s+1\/1\s+running\s+-\s+1 \(exit 2\)\s+2s/));
    ui.unmount();
  });

  it('selects with arrows and j/k and sends r, s, b for the selected service', async () => {
    const cb = callbacks();
    const ui = render(<App store={sampleStore()} callbacks={cb} now={() => NOW} size={size} color={false} />);
    await press(ui, 'r', KEY.down, 's', 'j', 's', 'b', 'k', KEY.up, 'r');
    await vi.waitFor(() =>
      expect(cb.calls).toEqual(['restart:web', 'stop:db', 'start:worker', 'rebuild:worker', 'restart:web']),
    );
    await frame(ui, (f) => expect(f).toMatch(/^> web/m));
    ui.unmount();
  });

  it('t triggers pending watch changes of the selection, only when the session has a trigger', async () => {
    const cb = callbacks();
    const triggered: string[] = [];
    const ui = render(
      <App
        store={sampleStore()}
        callbacks={{ ...cb, onTrigger: (s) => triggered.push(s) }}
        now={() => NOW}
        size={size}
        color={false}
      />,
    );
    await press(ui, 'j', 't', '?');
    await vi.waitFor(() => expect(triggered).toEqual(['db']));
    await frame(ui, (f) => expect(f).toContain('apply the watched changes waiting for a trigger'));
    ui.unmount();
    const plain = render(
      <App store={sampleStore()} callbacks={cb} now={() => NOW} size={size} color={false} />,
    );
    await press(plain, 't', '?');
    await frame(plain, (f) => expect(f).toContain('select a service'));
    expect(plain.lastFrame()).not.toContain('apply the watched changes');
    expect(cb.calls).toEqual([]);
    plain.unmount();
  });

  it('keeps up with keys typed faster than it renders', async () => {
    const cb = callbacks();
    const ui = render(<App store={sampleStore()} callbacks={cb} now={() => NOW} size={size} color={false} />);
    await tick();
    ui.stdin.write('j');
    ui.stdin.write('j');
    ui.stdin.write('r');
    // Several keys in one read, as a terminal delivers fast typing or a paste.
    ui.stdin.write('kbkb');
    ui.stdin.write('/xyz\r');
    ui.stdin.write(KEY.ctrlC);
    ui.stdin.write(KEY.ctrlC);
    await vi.waitFor(() =>
      expect(cb.calls).toEqual(['restart:worker', 'rebuild:db', 'rebuild:web', 'quit', 'kill']),
    );
    await frame(ui, (f) => expect(f).toContain('filter: xyz'));
    ui.unmount();
  });

  it('q quits once, a second Ctrl-C kills, d detaches', async () => {
    const cb = callbacks();
    const ui = render(<App store={sampleStore()} callbacks={cb} now={() => NOW} size={size} color={false} />);
    await press(ui, 'd', 'q');
    await frame(ui, (f) => expect(f).toContain('stopping the stack… Ctrl-C again to kill'));
    await press(ui, 'q', KEY.ctrlC);
    await vi.waitFor(() => expect(cb.calls).toEqual(['detach', 'quit', 'kill']));
    ui.unmount();
  });

  it('in top mode q and Ctrl-C only detach, and the footer says so', async () => {
    const cb = callbacks();
    const ui = render(
      <App store={sampleStore()} callbacks={cb} now={() => NOW} size={size} color={false} mode="top" />,
    );
    await frame(ui, (f) => expect(f).toContain('q detach (stack keeps running)'));
    await press(ui, 'q', KEY.ctrlC);
    await vi.waitFor(() => expect(cb.calls).toEqual(['detach', 'detach']));
    ui.unmount();
  });

  it('Enter follows the selected service logs; Enter again shows all', async () => {
    const ui = render(
      <App store={sampleStore()} callbacks={callbacks()} now={() => NOW} size={size} color={false} />,
    );
    await press(ui, 'j', KEY.enter);
    await frame(ui, (f) => {
      expect(f).toContain('logs: db');
      expect(f).toContain('db-1 | db line 37');
      expect(f).not.toContain('web-1 |');
    });
    await press(ui, KEY.enter);
    await frame(ui, (f) => {
      expect(f).toContain('logs: all services');
      expect(f).toContain('web-1 ');
    });
    ui.unmount();
  });

  it('/ filters log lines as you type; Esc clears the filter', async () => {
    const ui = render(
      <App store={sampleStore()} callbacks={callbacks()} now={() => NOW} size={size} color={false} />,
    );
    await press(ui, '/', 'l', 'i', 'n', 'e', ' ', '1', '4');
    await frame(ui, (f) => {
      expect(f).toContain('filter: line 14');
      const logLines = f.split('\n').filter((l) => l.includes(' | '));
      expect(logLines.map((l) => l.trim())).toEqual(['worker-1 | worker line 14']);
    });
    // Keys typed into the filter are not commands; Enter applies it.
    await press(ui, KEY.enter);
    await frame(ui, (f) => expect(f).toContain('filter: line 14 ·'));
    await press(ui, '/', KEY.escape);
    await frame(ui, (f) => {
      expect(f).not.toContain('filter:');
      expect(f.split('\n').filter((l) => l.includes(' | ')).length).toBeGreaterThan(5);
    });
    ui.unmount();
  });

  it('p pauses the log pane; PgUp scrolls back, PgDn follows again', async () => {
    const store = sampleStore();
    const ui = render(
      <App store={store} callbacks={callbacks()} now={() => NOW} size={size} color={false} />,
    );
    await press(ui, 'p');
    await frame(ui, (f) => expect(f).toContain('PAUSED'));
    store.dispatch({
      kind: 'log',
      service: 'web',
      replica: 1,
      stream: 'stdout',
      message: 'new while paused',
      time: 1,
    });
    store.flush();
    await tick();
    expect(ui.lastFrame()).not.toContain('new while paused');
    await press(ui, 'p');
    await frame(ui, (f) => expect(f).toContain('new while paused'));

    await press(ui, KEY.pageUp);
    await frame(ui, (f) => {
      expect(f).toContain('scrolled (End to follow)');
      expect(f).not.toContain('new while paused');
      expect(f).toContain('web line 0');
    });
    await press(ui, KEY.pageDown);
    await frame(ui, (f) => {
      expect(f).toContain('new while paused');
      expect(f).not.toContain('scrolled');
    });
    ui.unmount();
  });

  it('? shows the help', async () => {
    const ui = render(
      <App store={sampleStore()} callbacks={callbacks()} now={() => NOW} size={size} color={false} />,
    );
    await press(ui, '?');
    await frame(ui, (f) => expect(f).toContain('stop the stack gracefully and exit'));
    await press(ui, '?');
    await frame(ui, (f) => expect(f).not.toContain('stop the stack gracefully and exit'));
    ui.unmount();
  });

  it('fits narrow terminals by dropping columns, and degrades to plain lines when too small', () => {
    const narrow = render(
      <App
        store={sampleStore()}
        callbacks={callbacks()}
        now={() => NOW}
        size={{ columns: 60, rows: 30 }}
        color={false}
      />,
    );
    const frame = narrow.lastFrame()!;
    expect(frame).toMatch(/SERVICE\s+READY\s+STATE/);
    expect(frame).not.toContain('MEM');
    for (const l of frame.split('\n')) expect(l.length).toBeLessThanOrEqual(60);
    narrow.unmount();

    const tiny = render(
      <App
        store={sampleStore()}
        callbacks={callbacks()}
        now={() => NOW}
        size={{ columns: 40, rows: 8 }}
        color={false}
      />,
    );
    const lines = tiny.lastFrame()!.split('\n');
    expect(lines[0]).toMatch(/^>web\s+2\/2 healthy/);
    expect(lines.map((l) => l.trimEnd())).toContain(' worker 0/1 exited (2)');
    expect(tiny.lastFrame()).not.toContain('SERVICE');
    expect(lines.length).toBeLessThanOrEqual(7);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(40);
    tiny.unmount();
  });
});
