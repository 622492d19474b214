import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { attachLogs } from '../../../src/session/attach-logs.js';
import { FakeRuntime } from '../../../src/runtime/fake.js';
import type { ContainerCreateSpec } from '../../../src/runtime/types.js';

const spec = (name: string): ContainerCreateSpec => ({
  name,
  image: 'img',
  labels: {},
  env: [],
  exposedPorts: [],
  ports: [],
  mounts: [],
  networks: [],
});

describe('attachLogs', () => {
  it('prefixes every line like Compose, padded to the longest name, until the streams end', async () => {
    const fake = new FakeRuntime();
    fake.seedContainer(spec('p-web-1'));
    fake.seedContainer(spec('p-worker-10'));
    fake.appendLog('p-web-1', { stream: 'stdout', message: 'listening' });
    fake.appendLog('p-worker-10', { stream: 'stderr', message: 'started' });
    fake.appendLog('p-web-1', { stream: 'stdout', message: 'GET /' });
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    await attachLogs(
      fake,
      [
        { id: 'p-web-1', service: 'web', replica: 1 },
        { id: 'p-worker-10', service: 'worker', replica: 10 },
      ],
      { signal: new AbortController().signal, out, color: false },
    );
    expect(text.split('\n').filter(Boolean).sort()).toEqual([
      'web-1      | GET /',
      'web-1      | listening',
      'worker-10  | started',
    ]);
    const follow = fake.calls.find((c) => c.method === 'logs')?.args[1];
    expect(follow).toMatchObject({ follow: true });
  });
});
