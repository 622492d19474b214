// Zero-downtime update of examples/todo: while wrk sends reads and a writer sends POSTs through nginx on
// 127.0.0.1, the app's environment changes and `up -d` replaces its two replicas one at a time
// (deploy.update_config.order: start-first). Every response must be 2xx, and every row written must be
// there afterwards. Latency is reported (p99 over the load, which spans the whole update), never asserted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectObjects } from '../../integration/helpers/stack-cli.js';
import { HAS_WRK, startLoad, type LoadReport } from './load.js';
import { ON_REAL_STACK_ENGINE, TodoStack, type Row } from './todo-stack.js';

const ROUNDS = Number(process.env.TSSTACK_ROLLING_ROUNDS ?? 3);
let stack: TodoStack;

interface Writes {
  rows: Row[];
  failures: string[];
}

/** POSTs one todo after another until `signal` aborts; every answer must be 201. */
async function writeUntil(signal: AbortSignal, tag: string): Promise<Writes> {
  const out: Writes = { rows: [], failures: [] };
  for (let i = 1; !signal.aborted; i++) {
    const title = `${tag}-${i}`;
    try {
      const reply = await stack.http('/api/todos', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ title }),
      });
      if (reply.status === 201) out.rows.push({ id: (JSON.parse(reply.body) as { id: number }).id, title });
      else out.failures.push(`${title}: ${reply.status} ${reply.body}`);
    } catch (err) {
      out.failures.push(`${title}: ${String(err)}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return out;
}

describe.skipIf(!ON_REAL_STACK_ENGINE || !HAS_WRK)('examples/todo: rolling update under load', () => {
  beforeAll(async () => {
    stack = await TodoStack.create('t-todo-roll');
  });

  afterAll(async () => {
    await stack?.remove();
  });

  it('up -d --wait', async () => {
    const up = await stack.cli(['up', '-d', '--wait', '--build']);
    expect(up.code, up.stderr).toBe(0);
  });

  for (let round = 1; round <= ROUNDS; round++) {
    const version = String(round + 1);
    it(`APP_VERSION=${version} up -d under load: no failed request, every write kept (round ${round})`, async () => {
      const reads = startLoad(`http://127.0.0.1:${stack.port}/api/todos`);
      const stopWrites = new AbortController();
      const writes = writeUntil(stopWrites.signal, `roll${round}`);
      await new Promise((r) => setTimeout(r, 2000));
      const started = Date.now();
      const up = await stack.cli(['up', '-d'], { APP_VERSION: version });
      const updateSeconds = (Date.now() - started) / 1000;
      await new Promise((r) => setTimeout(r, 1000));
      stopWrites.abort();
      const [report, written] = await Promise.all([reads.stop(), writes]);
      expect(up.code, up.stderr).toBe(0);
      expect(up.stdout + up.stderr).toContain('-next');

      const line = summary(report, written, updateSeconds);
      console.log(`[real-stack] rolling update round ${round}: ${line}`);
      expect(written.failures, line).toEqual([]);
      expect(report.failures, `${line}\n${report.raw}`).toBe(0);
      expect(report.requests).toBeGreaterThan(0);
      expect(written.rows.length).toBeGreaterThan(0);
      expect(await stack.missing(written.rows)).toEqual([]);

      // Both replicas run the new version under their own names; no -next is left.
      const names = (await projectObjects(stack.project)).containers
        .filter((c) => c.Labels['io.tsstack.service'] === 'app')
        .map((c) => c.Names[0]?.replace(/^\//, ''))
        .sort();
      expect(names).toEqual([stack.container('app', 1), stack.container('app', 2)]);
      const versions = new Set<string>();
      for (let i = 0; i < 6; i++) {
        versions.add((JSON.parse((await stack.http('/api/todos')).body) as { version: string }).version);
      }
      expect([...versions]).toEqual([version]);
    });
  }
});

function summary(r: LoadReport, w: Writes, updateSeconds: number): string {
  return (
    `update ${updateSeconds.toFixed(1)} s; reads ${r.requests} in ${r.seconds.toFixed(1)} s, ` +
    `${r.failures} failed (non-2xx ${r.non2xx}, socket ${JSON.stringify(r.socketErrors)}), ` +
    `p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms, max ${r.maxMs.toFixed(0)} ms; ` +
    `writes ${w.rows.length + w.failures.length}, ${w.failures.length} failed`
  );
}
