// The validator the export tests rely on must itself reject what the API server rejects.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/export/kubernetes/types.js';
import { allErrors } from './kube-validate.js';

describe('export test validator', () => {
  it('rejects bad names, labels, selectors, ports and dangling volume mounts', () => {
    const bad: KubeObject[] = [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'Bad_Name', labels: { 'a b': 'x y' } },
        spec: {
          selector: { matchLabels: { a: 'b' } },
          template: {
            metadata: { labels: {} },
            spec: {
              containers: [
                {
                  name: 'c',
                  image: 'i',
                  ports: [{ containerPort: 70000 }],
                  volumeMounts: [{ name: 'v', mountPath: '/x' }],
                },
              ],
            },
          },
        },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: '1svc' },
        spec: { selector: { a: 'b' }, ports: [{ port: 80 }, { port: 81, name: 'tcp--81' }] },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'x' },
        spec: { ports: [{ port: 'x' as unknown as number }] },
      },
    ];
    const errors = allErrors(bad);
    for (const expected of [
      'metadata.name "Bad_Name" is not valid',
      'label key "a b"',
      'label value "x y"',
      'selector a=b does not match the template',
      'containerPort 70000',
      'mounts unknown volume v',
      'metadata.name "1svc" is not valid for a Service',
      'multi-port Service needs port names',
      'service port name tcp--81',
      'data/spec/ports/0/port must be integer',
      'Service without selector',
    ]) {
      expect(
        errors.some((e) => e.includes(expected)),
        expected,
      ).toBe(true);
    }
  });

  it('rejects a volume that refers to a Secret the export does not create', () => {
    const d: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'w' },
      spec: {
        selector: { matchLabels: { a: 'b' } },
        template: {
          metadata: { labels: { a: 'b' } },
          spec: {
            containers: [{ name: 'w', image: 'i' }],
            volumes: [{ name: 's', secret: { secretName: 'gone' } }],
          },
        },
      },
    };
    expect(allErrors([d])).toEqual(['Deployment/w refers to missing Secret/gone']);
  });
});
