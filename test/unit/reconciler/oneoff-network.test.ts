import { describe, expect, it } from 'vitest';
import { serviceAttachments, serviceNetworkKeys } from '../../../src/network/networks.js';
import { serviceMounts } from '../../../src/network/volumes.js';
import { desired } from '../../../src/reconciler/desired.js';
import { LABEL } from '../../../src/model/labels.js';
import { observe } from '../../../src/reconciler/observe.js';
import { oneOffContainer, planOneOff } from '../../../src/reconciler/oneoff.js';
import { renderPlan } from '../../../src/model/plan-text.js';
import { FakeRuntime } from '../../../src/runtime/fake.js';
import { makeService, makeStack } from '../helpers/stack-factory.js';

describe('one-off containers', () => {
  it('are labelled oneoff, named <project>-<service>-run-<hex>, publish no ports, answer only to their name', async () => {
    const stack = makeStack('demo', {
      web: { ports: [{ target: 80, published: '8080', protocol: 'tcp' }], environment: { A: '1', B: '2' } },
    });
    const c = oneOffContainer(stack, stack.services.web as never, { command: ['echo', 'hi'], env: ['B=3'] });
    expect(c.name).toMatch(/^demo-web-run-[0-9a-f]{12}$/);
    expect(c.spec.labels[LABEL.oneoff]).toBe('true');
    expect(c.spec.labels[LABEL.replica]).toBe('0');
    expect(c.spec.ports).toEqual([]);
    expect(c.spec.command).toEqual(['echo', 'hi']);
    expect(c.spec.env).toEqual(['A=1', 'B=3']);
    expect(c.spec.networks).toEqual([{ network: 'demo_default', aliases: [c.name] }]);
    const fake = new FakeRuntime();
    const plan = planOneOff(desired(stack), await observe(fake, 'demo'), { ...c, name: 'demo-web-run-x' });
    expect(renderPlan(plan)).toBe(
      [
        '#1 create network demo_default (no network)',
        '#2 create container demo-web-run-x (run) after #1',
        '#3 start container demo-web-run-x (run) after #2',
        '',
      ].join('\n'),
    );
  });
});

describe('network and storage mapping', () => {
  it('orders networks by priority, maps network_mode, and skips networks for host/none/service:', () => {
    const stack = makeStack('demo', { db: {} });
    const s = makeService('web', {
      networks: { a: { aliases: [], priority: 1 }, b: { aliases: ['bee'], priority: 10 } },
    });
    expect(serviceNetworkKeys(s)).toEqual(['b', 'a']);
    expect(serviceAttachments(stack, s, 'demo-web-1').networkMode).toBe('demo_b');
    for (const [mode, expected] of [
      ['host', 'host'],
      ['none', 'none'],
      ['service:db', 'container:demo-db-1'],
      ['container:abc', 'container:abc'],
    ] as const) {
      const r = serviceAttachments(stack, makeService('x', { network_mode: mode }), 'demo-x-1');
      expect(r).toEqual({ networkMode: expected, networks: [] });
    }
  });

  it('mounts secrets at /run/secrets/<name> and configs at /<name>, read-only, plus tmpfs entries', () => {
    const stack = makeStack(
      'demo',
      {},
      {
        secrets: { token: { name: 'demo_token', file: '/s/token', external: false, labels: {} } },
        configs: { conf: { name: 'demo_conf', file: '/s/conf', external: false, labels: {} } },
      },
    );
    const s = makeService('web', {
      secrets: [{ source: 'token', target: 'token' }],
      configs: [{ source: 'conf', target: '/etc/app.conf' }],
      tmpfs: ['/run/cache:size=1m,mode=1777'],
    });
    expect(serviceMounts(stack, s)).toEqual([
      { type: 'tmpfs', target: '/run/cache', readOnly: false, tmpfsSize: 1048576, tmpfsMode: 0o1777 },
      { type: 'bind', source: '/s/token', target: '/run/secrets/token', readOnly: true },
      { type: 'bind', source: '/s/conf', target: '/etc/app.conf', readOnly: true },
    ]);
  });
});
