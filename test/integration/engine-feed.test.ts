import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/events/bus.js';
import { startEngineFeed } from '../../src/events/engine-feed.js';
import type { StackEvent } from '../../src/events/types.js';
import { connectRuntime } from '../../src/runtime/index.js';
import type { Runtime } from '../../src/runtime/types.js';

const IMAGE = 'tsstack-test/busybox:latest';
const PROJECT = `t-feed-${Math.random().toString(36).slice(2, 8)}`;
const LABELS = { 'io.tsstack.project': PROJECT };
let rt: Runtime;

async function until(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  rt = await connectRuntime({ env: process.env });
});

afterAll(async () => {
  if (!rt) return;
  for (const c of await rt.listContainers(LABELS, { all: true }))
    await rt.removeContainer(c.id, { force: true });
});

describe('engine feed on the real engine', () => {
  it("emits a container's start, log lines (stdout and stderr), stats and exit; follows a restart without repeating lines; reports removal", async () => {
    // Prints a few lines over about three seconds, one on stderr, then exits 3.
    const script = 'for i in 0 1 2 3 4 5; do echo "line-$i"; sleep 0.5; done; echo oops >&2; exit 3';
    const spec = {
      name: `${PROJECT}-printer-1`,
      image: IMAGE,
      labels: { ...LABELS, 'io.tsstack.service': 'printer', 'io.tsstack.replica': '1' },
      command: ['sh', '-c', script],
      env: [],
      exposedPorts: [],
      ports: [],
      mounts: [],
      networks: [],
    };
    const id = await rt.createContainer(spec);

    const bus = new EventBus();
    const seen: StackEvent[] = [];
    bus.subscribe((e) => seen.push(e));
    const abort = new AbortController();
    const feed = startEngineFeed({
      runtime: rt,
      project: PROJECT,
      bus,
      signal: abort.signal,
      initialTail: 100,
    });
    try {
      const states = () =>
        seen.flatMap((e) =>
          e.kind === 'container.state' && e.service === 'printer'
            ? [`${e.phase}${e.exitCode !== undefined ? `:${e.exitCode}` : ''}`]
            : [],
        );
      const logs = () => seen.flatMap((e) => (e.kind === 'log' ? [`${e.stream}:${e.message}`] : []));

      // Seen by the snapshot as created. A probe container created after the snapshot can only arrive
      // through the event stream: once it does, the subscription is live and no event of ours is missed.
      await until(() => states().includes('created'), 'the snapshot');
      await rt.createContainer({
        ...spec,
        name: `${PROJECT}-probe-1`,
        labels: { ...spec.labels, 'io.tsstack.service': 'probe' },
      });
      await until(
        () => seen.some((e) => e.kind === 'container.state' && e.service === 'probe'),
        'the event stream',
      );
      await rt.startContainer(id);

      await until(() => states().includes('exited:3'), 'the exit');
      await until(() => logs().includes('stderr:oops'), 'the last line');
      expect(states()).toEqual(['created', 'running', 'exited:3']);
      const first = seen.find((e) => e.kind === 'container.state' && e.phase === 'running');
      expect(first).toMatchObject({ service: 'printer', replica: 1, container: `${PROJECT}-printer-1` });
      expect((first as { startedAt?: number }).startedAt).toBeGreaterThan(Date.now() - 60_000);
      expect(logs()).toEqual([
        'stdout:line-0',
        'stdout:line-1',
        'stdout:line-2',
        'stdout:line-3',
        'stdout:line-4',
        'stdout:line-5',
        'stderr:oops',
      ]);
      const log = seen.find((e) => e.kind === 'log');
      expect(log).toMatchObject({ service: 'printer', replica: 1 });
      expect((log as { time: number }).time).toBeGreaterThan(Date.now() - 60_000);
      expect(seen.some((e) => e.kind === 'container.stats' && e.service === 'printer')).toBe(true);

      // A second run: its lines follow, the first run's are not repeated.
      await rt.startContainer(id);
      await until(() => states().filter((s) => s === 'exited:3').length === 2, 'the second exit');
      await until(() => logs().filter((l) => l === 'stderr:oops').length === 2, 'the second run lines');
      expect(states()).toEqual(['created', 'running', 'exited:3', 'running', 'exited:3']);
      expect(logs().filter((l) => l === 'stdout:line-0')).toHaveLength(2);
      expect(logs()).toHaveLength(14);

      await rt.removeContainer(id, { force: true });
      await until(() => states().includes('removed'), 'the removal');
    } finally {
      abort.abort();
      await feed.done;
    }
  });
});
