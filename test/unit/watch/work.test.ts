import { describe, expect, it } from 'vitest';
import type { ServiceSpec, Stack } from '../../../src/spec/types.js';
import { DEFAULT_BATCHING } from '../../../src/watch/batcher.js';
import { compileRule } from '../../../src/watch/rules.js';
import {
  batchingFor,
  describeWork,
  mergeWork,
  serviceTriggerMode,
  toChanges,
  workFromBatch,
} from '../../../src/watch/work.js';
import { rule, service } from './helpers.js';

const web = compileRule('web', rule({ path: '/p/web', target: '/app', action: 'sync+restart' }));
const webRebuild = compileRule('web', rule({ path: '/p/web/package.json', action: 'rebuild' }));
const api = compileRule(
  'api',
  rule({ path: '/p/api', target: '/srv', action: 'sync+exec', exec: { command: ['true'] } }),
);
const batch = (paths: [string, 'add' | 'change' | 'unlink'][], firstAt = 1000) => ({
  changes: paths.map(([path, kind]) => ({ path, kind })),
  firstAt,
  lastAt: firstAt,
  events: paths.length,
});

describe('workFromBatch', () => {
  it('groups changes by service and rule, with the actions they call for', () => {
    const work = workFromBatch(
      [web, webRebuild, api],
      batch([
        ['/p/web/a.js', 'change'],
        ['/p/api/b.js', 'add'],
        ['/p/api/c.js', 'unlink'],
        ['/p/other/x', 'change'],
      ]),
    );
    expect([...work.keys()].sort()).toEqual(['api', 'web']);
    const w = work.get('web')!;
    expect(describeWork(w)).toBe('sync+restart');
    expect(toChanges(w.syncs.get(web)!)).toEqual([{ path: '/p/web/a.js', kind: 'change' }]);
    const a = work.get('api')!;
    expect(describeWork(a)).toBe('sync+exec');
    expect(a.files.size).toBe(2);
    expect(a.execs.has(api)).toBe(true);
  });

  it('describes a batch with a rebuild match as a rebuild', () => {
    const work = workFromBatch(
      [web, webRebuild],
      batch([
        ['/p/web/a.js', 'change'],
        ['/p/web/package.json', 'change'],
      ]),
    );
    expect(describeWork(work.get('web')!)).toBe('rebuild');
    expect(work.get('web')!.files.size).toBe(2);
  });

  it('ignores editor temp files', () => {
    expect(workFromBatch([web], batch([['/p/web/.a.js.swp', 'change']])).size).toBe(0);
  });
});

describe('mergeWork', () => {
  it('unites files and actions, keeps the earliest time, the newer event per path', () => {
    const a = workFromBatch([web], batch([['/p/web/a.js', 'add']], 1000)).get('web')!;
    const b = workFromBatch(
      [web, webRebuild],
      batch(
        [
          ['/p/web/a.js', 'unlink'],
          ['/p/web/package.json', 'change'],
        ],
        2000,
      ),
    ).get('web')!;
    const m = mergeWork(a, b);
    expect(m.firstAt).toBe(1000);
    expect(m.rebuild).toBe(true);
    expect(m.files.size).toBe(2);
    expect(toChanges(m.syncs.get(web)!)).toContainEqual({ path: '/p/web/a.js', kind: 'unlink' });
    // The inputs are not modified.
    expect(toChanges(a.syncs.get(web)!)).toEqual([{ path: '/p/web/a.js', kind: 'add' }]);
  });
});

describe('serviceTriggerMode', () => {
  it('is manual only when x-tsstack.watch.trigger says so', () => {
    expect(
      serviceTriggerMode(service('a', [], { extensions: { 'x-tsstack': { watch: { trigger: 'manual' } } } })),
    ).toBe('manual');
    expect(
      serviceTriggerMode(service('a', [], { extensions: { 'x-tsstack': { watch: { trigger: 'auto' } } } })),
    ).toBe('auto');
    expect(serviceTriggerMode(service('a', []))).toBe('auto');
    expect(serviceTriggerMode(undefined)).toBe('auto');
  });
});

describe('batchingFor', () => {
  const stackOf = (top: unknown, services: ServiceSpec[]): Stack =>
    ({
      services: Object.fromEntries(services.map((s) => [s.name, s])),
      extensions: top === undefined ? {} : { 'x-tsstack': top },
    }) as unknown as Stack;
  const debounced = (name: string, d: unknown) =>
    service(name, [], { extensions: { 'x-tsstack': { watch: { debounce: d } } } });

  it('uses the defaults without x-tsstack.watch.debounce', () => {
    expect(batchingFor(stackOf(undefined, [service('a', [])]))).toEqual(DEFAULT_BATCHING);
  });

  it('waits the debounce after every event, first included; the longest one given wins', () => {
    expect(batchingFor(stackOf({ watch: { debounce: '500ms' } }, []))).toEqual({
      quietMs: 500,
      firstQuietMs: 500,
      maxWaitMs: 3000,
    });
    expect(
      batchingFor(stackOf({ watch: { debounce: '200ms' } }, [debounced('a', '2s'), debounced('b', '1s')])),
    ).toEqual({ quietMs: 2000, firstQuietMs: 2000, maxWaitMs: 4000 });
    expect(batchingFor(stackOf(undefined, [debounced('a', '0s')]))).toMatchObject({ quietMs: 0 });
  });
});
