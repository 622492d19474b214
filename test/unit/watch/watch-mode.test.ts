import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { printWatchEvents, watchedConfigFiles } from '../../../src/session/watch-mode.js';
import { EventBus } from '../../../src/events/bus.js';
import type { RawProject } from '../../../src/spec/raw.js';
import type { Stack } from '../../../src/spec/types.js';

const stack = {
  name: 'p',
  projectDir: '/proj',
  files: ['/proj/compose.yml', '/proj/compose.override.yml', '-'],
  services: {},
} as unknown as Stack;

describe('watchedConfigFiles', () => {
  it('lists the stack files, .env, --env-files and every service env_file (string, list or long form)', () => {
    const raw = {
      data: {
        services: {
          a: { env_file: 'a.env' },
          b: { env_file: ['b.env', { path: '/abs/c.env', required: false }] },
          c: {},
        },
      },
    } as unknown as RawProject;
    expect(watchedConfigFiles(stack, raw, ['/cli/x.env']).sort()).toEqual(
      [
        '/abs/c.env',
        '/cli/x.env',
        '/proj/.env',
        '/proj/a.env',
        '/proj/b.env',
        '/proj/compose.override.yml',
        '/proj/compose.yml',
      ].sort(),
    );
  });

  it('adds every file loading read (extends and include targets)', () => {
    const raw = {
      data: {},
      sources: ['/proj/compose.yml', '/proj/base.yml', '/lib/include.yml', '-'],
    } as unknown as RawProject;
    expect(watchedConfigFiles(stack, raw, []).sort()).toEqual(
      [
        '/lib/include.yml',
        '/proj/.env',
        '/proj/base.yml',
        '/proj/compose.override.yml',
        '/proj/compose.yml',
      ].sort(),
    );
  });

  it('works without the raw document', () => {
    expect(watchedConfigFiles(stack, undefined, []).sort()).toEqual([
      '/proj/.env',
      '/proj/compose.override.yml',
      '/proj/compose.yml',
    ]);
  });
});

describe('printWatchEvents', () => {
  it('prints one line per applied, pending or failed change and invalid stack', () => {
    const bus = new EventBus();
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    const stop = printWatchEvents(bus, out);
    bus.emit({ kind: 'watch.applied', service: 'web', action: 'sync', files: 3, ms: 112.4 });
    bus.emit({ kind: 'watch.pending', service: 'api', action: 'rebuild', files: 1 });
    bus.emit({ kind: 'watch.failed', service: 'web', action: 'sync', error: 'no running container' });
    bus.emit({ kind: 'stack.invalid', message: 'compose.yml:3:1 services: bad' });
    bus.emit({ kind: 'log', service: 'web', replica: 1, stream: 'stdout', message: 'not printed', time: 0 });
    stop();
    bus.emit({ kind: 'watch.applied', service: 'web', action: 'sync', files: 1, ms: 1 });
    expect(text.split('\n').filter(Boolean)).toEqual([
      'watch: web sync 3 files in 112 ms',
      'watch: api rebuild waiting for a trigger (1 files)',
      'watch: web sync failed: no running container',
      'invalid stack, still running the previous one:',
      'compose.yml:3:1 services: bad',
    ]);
  });
});
