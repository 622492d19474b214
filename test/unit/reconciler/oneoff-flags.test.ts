import { describe, expect, it } from 'vitest';
import { desired } from '../../../src/reconciler/desired.js';
import { LABEL } from '../../../src/model/labels.js';
import { observe } from '../../../src/reconciler/observe.js';
import { oneOffContainer, planOneOff } from '../../../src/reconciler/oneoff.js';
import { renderPlan } from '../../../src/model/plan-text.js';
import { FakeRuntime } from '../../../src/runtime/fake.js';
import { makeStack } from '../helpers/stack-factory.js';

// `run`'s flags as they shape the one-off container (Compose's meanings).
describe('one-off container options', () => {
  const stack = makeStack(
    'demo',
    {
      web: {
        ports: [{ target: 80, published: '8080', protocol: 'tcp' }],
        restart: 'always',
        cap_add: ['NET_ADMIN'],
        labels: { team: 'a' },
        networks: { default: { aliases: ['www'] } },
      },
    },
    { volumes: { data: { name: 'demo_data', external: false, labels: {}, driver_opts: {} } } },
  );
  const web = stack.services.web as never;

  it('publishes --publish ports instead of none, or the service ports with --service-ports', () => {
    expect(oneOffContainer(stack, web).spec.ports).toEqual([]);
    expect(oneOffContainer(stack, web, { servicePorts: true }).spec.ports).toEqual([
      { target: 80, protocol: 'tcp', hostPort: '8080', hostIp: undefined },
    ]);
    const published = oneOffContainer(stack, web, {
      publish: [{ target: 9000, published: '19000', host_ip: '127.0.0.1', protocol: 'tcp' }],
    }).spec;
    expect(published.ports).toEqual([
      { target: 9000, protocol: 'tcp', hostPort: '19000', hostIp: '127.0.0.1' },
    ]);
  });

  it('adds --volume mounts (declared volumes by their engine name), labels, capabilities', () => {
    const spec = oneOffContainer(stack, web, {
      volumes: [
        { type: 'volume', source: 'data', target: '/data', read_only: false },
        { type: 'bind', source: '/host', target: '/host', read_only: true, bind: { create_host_path: true } },
      ],
      labels: { team: 'b', extra: '' },
      capAdd: ['SYS_TIME'],
      capDrop: ['CHOWN'],
    }).spec;
    expect(spec.mounts).toEqual([
      { type: 'volume', source: 'demo_data', target: '/data', readOnly: false },
      { type: 'bind', source: '/host', target: '/host', readOnly: true },
    ]);
    expect(spec.labels).toMatchObject({ team: 'b', extra: '', [LABEL.oneoff]: 'true' });
    expect(spec.capAdd).toEqual(['NET_ADMIN', 'SYS_TIME']);
    expect(spec.capDrop).toEqual(['CHOWN']);
  });

  it("answers to its own name only, or to the service's aliases too with --use-aliases", () => {
    const own = oneOffContainer(stack, web, { name: 'demo-web-run-x' }).spec.networks;
    expect(own).toEqual([{ network: 'demo_default', aliases: ['demo-web-run-x'] }]);
    const aliased = oneOffContainer(stack, web, { name: 'demo-web-run-x', useAliases: true }).spec.networks;
    expect(aliased[0]?.aliases).toEqual(expect.arrayContaining(['web', 'www']));
  });

  it('has no restart policy; TTY and stdin as asked; stdin closed after the attached input with stdinOnce', () => {
    const plain = oneOffContainer(stack, web).spec;
    expect(plain).toMatchObject({ tty: false, openStdin: false, restartPolicy: undefined });
    expect(plain.stdinOnce).toBeUndefined();
    const interactive = oneOffContainer(stack, web, { tty: true, stdinOpen: true, stdinOnce: true }).spec;
    expect(interactive).toMatchObject({ tty: true, openStdin: true, stdinOnce: true });
    expect(oneOffContainer(stack, web, { stdinOnce: true }).spec.stdinOnce).toBeUndefined();
    expect(oneOffContainer(stack, web, { autoRemove: true }).spec.autoRemove).toBe(true);
  });

  it('plans no start when the caller attaches first', async () => {
    const c = { ...oneOffContainer(stack, web), name: 'demo-web-run-x' };
    const plan = planOneOff(desired(stack), await observe(new FakeRuntime(), 'demo'), c, { start: false });
    expect(renderPlan(plan)).toBe(
      [
        '#1 create network demo_default (no network)',
        '#2 create container demo-web-run-x (run) after #1',
        '',
      ].join('\n'),
    );
  });
});
