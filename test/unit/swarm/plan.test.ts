import { describe, expect, it } from 'vitest';
import { LABEL } from '../../../src/model/labels.js';
import type { SwarmServiceSummary } from '../../../src/runtime/types.js';
import type { Stack } from '../../../src/spec/types.js';
import { desiredSwarm, type SwarmDesired } from '../../../src/swarm/desired.js';
import type { SwarmObserved } from '../../../src/swarm/observe.js';
import { planSwarm, planSwarmDown, renderSwarmPlan } from '../../../src/swarm/plan.js';
import { makeStack } from '../helpers/stack-factory.js';

const net = {
  name: 'demo_default',
  driver_opts: {},
  external: false,
  internal: false,
  attachable: false,
  labels: {},
};

function stack(replicas = 2, env: Record<string, string> = {}, secret = 'v1'): Stack {
  return makeStack(
    'demo',
    {
      web: {
        replicas,
        environment: env,
        networks: { default: { aliases: [] } },
        ports: [{ target: 80, published: '8080', protocol: 'tcp' }],
        secrets: [{ source: 'token', target: '/run/secrets/token' }],
        deploy: {
          labels: {},
          resources: { limits: { memory: 64 * 1024 * 1024 }, reservations: {} },
          update_config: { parallelism: 1, delay: 0, order: 'start-first', failure_action: 'rollback' },
        },
      },
    },
    {
      networks: { default: net },
      secrets: { token: { name: 'demo_token', content: secret, external: false, labels: {} } },
    },
  );
}

const desired = (s: Stack) => desiredSwarm(s, { read: () => Buffer.from(''), env: {} });

/** What the swarm would report after applying `d` (labels as sent, as the engine keeps them). */
function observedAfter(d: SwarmDesired): SwarmObserved {
  return {
    services: d.services.map((s, i): SwarmServiceSummary => ({
      id: `svc${i}`,
      name: s.spec.name,
      version: 7,
      labels: s.spec.labels,
      image: s.spec.image,
      mode: s.spec.mode,
      ports: [],
    })),
    networks: d.networks.map((n) => ({
      id: n.spec.name,
      name: n.spec.name,
      driver: 'overlay',
      labels: n.spec.labels,
      internal: false,
      attachable: true,
      subnets: [],
    })),
    secrets: d.objects
      .filter((o) => o.kind === 'secret')
      .map((o) => ({ id: `id-${o.name}`, name: o.name, labels: o.labels })),
    configs: [],
  };
}

describe('planSwarm', () => {
  it('creates network, secret and service on an empty swarm, each with its reason', () => {
    const d = desired(stack());
    const empty: SwarmObserved = { services: [], networks: [], secrets: [], configs: [] };
    expect(renderSwarmPlan(planSwarm(d, empty))).toMatch(
      /^create network demo_default \(no network\)\ncreate secret demo_token_[0-9a-f]{10} \(no secret with this content\)\ncreate service demo_web \(no service\)\n$/,
    );
  });

  it('plans nothing on a second run with nothing changed', () => {
    const d = desired(stack());
    expect(planSwarm(desired(stack()), observedAfter(d))).toEqual([]);
  });

  it('updates (with the observed version) when the config changes, and says when only the count did', () => {
    const before = observedAfter(desired(stack()));
    const changed = planSwarm(desired(stack(2, { A: '1' })), before);
    expect(changed).toMatchObject([
      { kind: 'update-service', id: 'svc0', version: 7, reason: 'config changed' },
    ]);
    expect(renderSwarmPlan(planSwarm(desired(stack(3)), before))).toBe(
      'update service demo_web (scaled: replicas 2 → 3)\n',
    );
  });

  it('brings back a replica count changed outside the stack file (the live UI stop: scaled to 0)', () => {
    const d = desired(stack());
    const stopped = observedAfter(d);
    stopped.services = stopped.services.map((svc) => ({ ...svc, mode: { kind: 'replicated', replicas: 0 } }));
    expect(renderSwarmPlan(planSwarm(d, stopped))).toBe('update service demo_web (scaled: replicas 0 → 2)\n');
  });

  it('a new secret content makes a new object, the service update, and the old object go', () => {
    const before = observedAfter(desired(stack()));
    const ops = planSwarm(desired(stack(2, {}, 'v2')), before);
    expect(ops.map((o) => o.kind)).toEqual(['create-object', 'update-service', 'remove-object']);
  });

  it('down removes services before the objects and networks they use', () => {
    const ops = planSwarmDown(observedAfter(desired(stack())));
    expect(ops.map((o) => o.kind)).toEqual(['remove-service', 'remove-object', 'remove-network']);
  });
});

describe('desiredSwarm', () => {
  it('maps deploy keys onto the service and labels it with project, service and config hash', () => {
    const [web] = desired(stack()).services;
    expect(web?.spec).toMatchObject({
      name: 'demo_web',
      mode: { kind: 'replicated', replicas: 2 },
      resources: { limits: { memory: 64 * 1024 * 1024 } },
      updateConfig: { order: 'start-first', failureAction: 'rollback' },
      ports: [{ target: 80, published: 8080, protocol: 'tcp', mode: 'ingress' }],
      networks: [{ network: 'demo_default', aliases: ['web'] }],
    });
    expect(web?.spec.labels).toMatchObject({
      [LABEL.project]: 'demo',
      [LABEL.service]: 'web',
      [LABEL.configHash]: web?.hash,
    });
  });

  it('reports each key Swarm cannot express as an error naming it; ignored keys as warnings', () => {
    const s = makeStack('demo', {
      app: {
        image: undefined,
        build: { context: '/srv/demo', args: {}, labels: {} },
        container_name: 'fixed',
        ports: [{ target: 80, published: '8080', host_ip: '127.0.0.1', protocol: 'tcp' }],
        depends_on: { db: { condition: 'service_started', required: true, restart: false } },
      },
    });
    const d = desired(s);
    expect(d.errors.map((e) => e.path.join('.'))).toEqual([
      'services.app.build',
      'services.app.container_name',
      'services.app.ports.0.host_ip',
    ]);
    expect(d.errors[0]?.message).toBe('Swarm needs an image reference; build and push it, then set image:');
    expect(d.warnings.map((w) => w.path.join('.'))).toEqual(['services.app.depends_on']);
  });
});
