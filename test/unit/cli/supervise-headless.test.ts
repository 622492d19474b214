import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { superviseAttached } from '../../../src/session/supervise.js';
import { EventBus } from '../../../src/events/bus.js';
import { FakeRuntime } from '../../../src/runtime/fake.js';
import { loadStack } from '../../../src/spec/index.js';

async function until(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('headless supervisor (fake engine)', () => {
  it('follows logs but opens no stats stream (CPU and memory are shown only in the live UI)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsstack-sup-'));
    try {
      writeFileSync(join(dir, 'stack.yml'), 'name: sup\nservices:\n  web:\n    image: img\n');
      const { stack } = await loadStack({
        files: [join(dir, 'stack.yml')],
        cwd: dir,
        envFiles: [],
        profiles: [],
        env: {},
      });
      const fake = new FakeRuntime();
      const labels = {
        'io.tsstack.project': 'sup',
        'io.tsstack.service': 'web',
        'io.tsstack.replica': '1',
      };
      fake.seedContainer({
        name: 'sup-web-1',
        image: 'img',
        labels,
        env: [],
        exposedPorts: [],
        ports: [],
        mounts: [],
        networks: [],
      });
      fake.appendLog('sup-web-1', { stream: 'stdout', message: 'hello from web' });
      const out = new PassThrough();
      let text = '';
      out.on('data', (c: Buffer) => (text += c.toString()));
      const bus = new EventBus();
      const signals = new EventEmitter();
      const session = superviseAttached({
        runtime: fake,
        stack,
        bus,
        ui: false,
        logFormat: 'json',
        stdout: out as unknown as NodeJS.WriteStream,
        signals: signals as unknown as NodeJS.Process,
        env: {},
      });
      await until(() => text.includes('hello from web'), 'the log line');
      signals.emit('SIGTERM');
      await session;
      expect(fake.calls.some((c) => c.method === 'logs')).toBe(true);
      expect(fake.calls.filter((c) => c.method === 'stats')).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
