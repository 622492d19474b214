import { describe, expect, it } from 'vitest';
import type { DeploySpec } from '../../../src/spec/types.js';
import { service, stack, volume } from './factory.js';
import { exportValid, find, reason, workloadOf } from './helpers.js';

describe('update strategy and restart policy', () => {
  const update = (order: 'start-first' | 'stop-first', parallelism = 1) => ({
    labels: {},
    resources: { limits: {}, reservations: {} },
    update_config: { parallelism, delay: 0, order, failure_action: 'pause' as const },
  });

  it('start-first surges one pod with none unavailable; stop-first the reverse', () => {
    const r = exportValid(
      stack('p', [
        service('a', { image: 'x', deploy: update('start-first') }),
        service('b', { image: 'x', deploy: update('stop-first') }),
      ]),
    );
    expect(find(r, 'Deployment', 'a').spec?.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
    });
    expect(find(r, 'Deployment', 'b').spec?.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: 0, maxUnavailable: 1 },
    });
    expect(r.skipped).toEqual([]);
  });

  it('uses parallelism as the batch size (0 means all at once)', () => {
    const r = exportValid(
      stack('p', [
        service('a', { image: 'x', deploy: update('start-first', 2) }),
        service('b', { image: 'x', deploy: update('stop-first', 0) }),
      ]),
    );
    expect(find(r, 'Deployment', 'a').spec?.strategy?.rollingUpdate).toEqual({
      maxSurge: 2,
      maxUnavailable: 0,
    });
    expect(find(r, 'Deployment', 'b').spec?.strategy?.rollingUpdate).toEqual({
      maxSurge: 0,
      maxUnavailable: '100%',
    });
  });

  it('reports start-first for a StatefulSet', () => {
    const s = stack(
      'p',
      [
        service('db', {
          image: 'x',
          deploy: update('start-first'),
          volumes: [{ type: 'volume', source: 'd', target: '/d', read_only: false }],
        }),
      ],
      { volumes: { d: volume('p', 'd') } },
    );
    const r = exportValid(s);
    expect(reason(r, 'services.db.deploy.update_config.order')).toMatch(
      /stops each pod before starting its replacement/,
    );
  });

  it('accepts restart: always silently and reports every other policy', () => {
    const r = exportValid(
      stack('p', [
        service('a', { image: 'x', restart: 'always' }),
        service('b', { image: 'x', restart: 'on-failure:3' }),
        service('c', { image: 'x', restart: 'no' }),
        service('d', { image: 'x', restart: 'unless-stopped' }),
      ]),
    );
    expect(reason(r, 'services.a.restart')).toBeUndefined();
    expect(reason(r, 'services.b.restart')).toMatch(/only run pods with restartPolicy Always/);
    expect(reason(r, 'services.c.restart')).toMatch(/only run pods with restartPolicy Always/);
    expect(reason(r, 'services.d.restart')).toMatch(/exported as restartPolicy Always/);
  });
});

describe('deploy.mode and placement', () => {
  const deploy = (over: Partial<DeploySpec>): DeploySpec => ({
    labels: {},
    resources: { limits: {}, reservations: {} },
    ...over,
  });

  it('exports a global service as a DaemonSet, with update_config as its rolling update', () => {
    const r = exportValid(
      stack('p', [
        service('agent', {
          image: 'x',
          deploy: deploy({
            mode: 'global',
            update_config: { parallelism: 1, delay: 0, order: 'stop-first', failure_action: 'pause' },
          }),
        }),
      ]),
    );
    const ds = find(r, 'DaemonSet', 'agent');
    expect(ds.spec?.updateStrategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: 0, maxUnavailable: 1 },
    });
    expect(ds.spec?.selector.matchLabels).toEqual(ds.spec?.template.metadata?.labels);
    expect(r.objects.some((o) => o.kind === 'Deployment')).toBe(false);
  });

  it('turns constraints into a nodeSelector and node affinity, spread into topology spread, one per node into anti-affinity', () => {
    const r = exportValid(
      stack('p', [
        service('w', {
          image: 'x',
          platform: 'linux/amd64',
          deploy: deploy({
            placement: {
              constraints: [
                'node.labels.disk == ssd',
                'node.platform.arch==x86_64',
                'node.hostname != old-box',
                'node.role == manager',
              ],
              preferences: [{ spread: 'node.labels.zone' }],
              max_replicas_per_node: 1,
            },
          }),
        }),
      ]),
    );
    const pod = workloadOf(r, 'w').spec?.template.spec;
    expect(pod?.nodeSelector).toEqual({
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      disk: 'ssd',
    });
    expect(pod?.affinity?.nodeAffinity).toEqual({
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'NotIn', values: ['old-box'] }] },
        ],
      },
    });
    const pods = { 'app.kubernetes.io/name': 'w', 'app.kubernetes.io/part-of': 'p' };
    expect(pod?.affinity?.podAntiAffinity).toEqual({
      requiredDuringSchedulingIgnoredDuringExecution: [
        { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: pods } },
      ],
    });
    expect(pod?.topologySpreadConstraints).toEqual([
      {
        maxSkew: 1,
        topologyKey: 'zone',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: pods },
      },
    ]);
    expect(reason(r, 'services.w.deploy.placement.constraints[3]')).toMatch(
      /"node.role == manager" has no Kubernetes node label/,
    );
  });

  it('reports max_replicas_per_node above 1', () => {
    const r = exportValid(
      stack('p', [
        service('w', {
          image: 'x',
          deploy: deploy({ placement: { constraints: [], preferences: [], max_replicas_per_node: 2 } }),
        }),
      ]),
    );
    expect(reason(r, 'services.w.deploy.placement.max_replicas_per_node')).toMatch(/not cap them/);
  });
});
