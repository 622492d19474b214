import { describe, expect, it } from 'vitest';
import { compileRule } from '../../../src/watch/rules.js';
import {
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
