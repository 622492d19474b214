import { describe, expect, it } from 'vitest';
import { toKubernetes } from '../../../src/export/kubernetes/index.js';
import { files, secret, service, stack, volume } from './factory.js';
import { containerOf, exportValid, find, reason, workloadOf } from './helpers.js';

describe('workloads', () => {
  it('exports a service with an image as a Deployment with the standard labels and replicas', () => {
    const r = exportValid(
      stack('shop', [service('web', { image: 'nginx:1.27', replicas: 3, labels: { tier: 'front' } })]),
    );
    const d = find(r, 'Deployment', 'web');
    expect(d.spec?.replicas).toBe(3);
    expect(d.spec?.selector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'web',
      'app.kubernetes.io/part-of': 'shop',
    });
    expect(d.spec?.template.metadata?.labels).toEqual({
      'app.kubernetes.io/name': 'web',
      'app.kubernetes.io/part-of': 'shop',
      tier: 'front',
    });
    expect(d.spec?.template.spec?.containers).toHaveLength(1);
    expect(containerOf(r, 'web')).toMatchObject({ name: 'web', image: 'nginx:1.27' });
    expect(r.skipped).toEqual([]);
  });

  it('exports a service with a named volume as a StatefulSet mounting a PersistentVolumeClaim', () => {
    const s = stack(
      'shop',
      [
        service('db', {
          image: 'postgres:16',
          volumes: [{ type: 'volume', source: 'data', target: '/var/lib/postgresql/data', read_only: false }],
        }),
      ],
      {
        volumes: {
          data: volume('shop', 'data', {
            extensions: { 'x-tsstack': { size: '10Gi', storage_class: 'fast' } },
          }),
        },
      },
    );
    const r = exportValid(s);
    expect(r.objects.find((o) => o.kind === 'Deployment')).toBeUndefined();
    const sts = find(r, 'StatefulSet', 'db');
    expect(sts.spec?.serviceName).toBe('db');
    expect(sts.spec?.template.spec?.volumes).toEqual([
      { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
    ]);
    expect(containerOf(r, 'db').volumeMounts).toEqual([
      { name: 'data', mountPath: '/var/lib/postgresql/data' },
    ]);
    const pvc = find(r, 'PersistentVolumeClaim', 'data');
    expect(pvc.spec).toEqual({
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '10Gi' } },
      storageClassName: 'fast',
    });
  });

  it('sizes claims from x-tsstack.size in bytes or Compose units, else the default, and reports a bad size', () => {
    const s = stack('p', [], {
      volumes: {
        a: volume('p', 'a', { extensions: { 'x-tsstack': { size: 5 * 2 ** 30 } } }),
        b: volume('p', 'b', { extensions: { 'x-tsstack': { size: '512m' } } }),
        c: volume('p', 'c'),
        d: volume('p', 'd', { extensions: { 'x-tsstack': { size: 'lots', sise: '1Gi' } } }),
      },
    });
    const r = exportValid(s, { defaultVolumeSize: '2Gi' });
    const size = (n: string): unknown =>
      find(r, 'PersistentVolumeClaim', n).spec?.resources?.requests?.storage;
    expect([size('a'), size('b'), size('c'), size('d')]).toEqual(['5Gi', '512Mi', '2Gi', '2Gi']);
    expect(reason(r, 'volumes.d.x-tsstack.size')).toBe('"lots" is not a size; used 2Gi');
    expect(reason(r, 'volumes.d.x-tsstack.sise')).toMatch(/not a Kubernetes export setting/);
  });

  it('does not create external volumes but mounts them by name', () => {
    const s = stack(
      'p',
      [
        service('db', {
          image: 'pg',
          volumes: [{ type: 'volume', source: 'old', target: '/data', read_only: true }],
        }),
      ],
      {
        volumes: { old: volume('p', 'old', { external: true, name: 'legacy_data' }) },
      },
    );
    const r = toKubernetes(s, { readFile: files({}) });
    expect(r.objects.some((o) => o.kind === 'PersistentVolumeClaim')).toBe(false);
    expect(workloadOf(r, 'db').spec?.template.spec?.volumes).toEqual([
      { name: 'old', persistentVolumeClaim: { claimName: 'legacy-data' } },
    ]);
    expect(containerOf(r, 'db').volumeMounts?.[0]).toEqual({
      name: 'old',
      mountPath: '/data',
      readOnly: true,
    });
  });

  it('reports a build without an image and exports nothing for that service', () => {
    const r = exportValid(
      stack('p', [
        service('web', {
          build: { context: '/srv/p', args: {}, labels: {} },
          ports: [{ target: 80, published: '8080', protocol: 'tcp' }],
        }),
      ]),
    );
    expect(r.objects).toEqual([]);
    expect(r.skipped).toEqual([
      { path: 'services.web.build', reason: 'Kubernetes needs an image reference; add image:' },
    ]);
  });

  it('uses the image of a service that also has build, and reports that Kubernetes will not build it', () => {
    const r = exportValid(
      stack('p', [
        service('api', { image: 'registry.local/api:1', build: { context: '/srv/p', args: {}, labels: {} } }),
      ]),
    );
    expect(containerOf(r, 'api').image).toBe('registry.local/api:1');
    expect(reason(r, 'services.api.build')).toMatch(
      /does not build images; build and push "registry.local\/api:1"/,
    );
  });

  it('maps entrypoint to command and command to args, environment to env, working_dir, user, tty and stdin', () => {
    const r = exportValid(
      stack('p', [
        service('w', {
          image: 'busybox',
          entrypoint: ['/bin/sh', '-c'],
          command: ['echo hi'],
          environment: { A: '1', EMPTY: '', UNSET: null },
          working_dir: '/app',
          user: '1000:2000',
          tty: true,
          stdin_open: true,
        }),
      ]),
    );
    expect(containerOf(r, 'w')).toMatchObject({
      command: ['/bin/sh', '-c'],
      args: ['echo hi'],
      env: [
        { name: 'A', value: '1' },
        { name: 'EMPTY', value: '' },
      ],
      workingDir: '/app',
      securityContext: { runAsUser: 1000, runAsGroup: 2000 },
      tty: true,
      stdin: true,
    });
    expect(reason(r, 'services.w.environment.UNSET')).toMatch(/has no value/);
  });

  it('reports a user name, which Kubernetes cannot resolve', () => {
    const r = exportValid(stack('p', [service('w', { image: 'x', user: 'nobody' })]));
    expect(containerOf(r, 'w').securityContext).toBeUndefined();
    expect(reason(r, 'services.w.user')).toMatch(/numeric uid/);
  });

  it('maps privileged, read_only, cap_add, cap_drop and no-new-privileges to the securityContext', () => {
    const r = exportValid(
      stack('p', [
        service('w', {
          image: 'x',
          privileged: true,
          read_only: true,
          cap_add: ['NET_ADMIN', 'CAP_SYS_TIME'],
          cap_drop: ['ALL'],
          security_opt: ['no-new-privileges:true', 'label:type:svirt_apache_t'],
        }),
      ]),
    );
    expect(containerOf(r, 'w').securityContext).toEqual({
      privileged: true,
      readOnlyRootFilesystem: true,
      capabilities: { add: ['NET_ADMIN', 'SYS_TIME'], drop: ['ALL'] },
      allowPrivilegeEscalation: false,
    });
    expect(reason(r, 'services.w.security_opt[1]')).toBeDefined();
  });

  it('maps hostname, stop_grace_period, extra_hosts, dns, sysctls, platform and network_mode host to the pod', () => {
    const r = exportValid(
      stack('p', [
        service('w', {
          image: 'x',
          hostname: 'box1',
          stop_grace_period: 1500,
          extra_hosts: ['db.local:10.0.0.5', 'cache.local=10.0.0.5', 'gw:host-gateway'],
          dns: ['1.1.1.1'],
          dns_search: ['corp.example'],
          dns_opt: ['ndots:2', 'rotate'],
          sysctls: { 'net.core.somaxconn': '1024' },
          platform: 'linux/arm64',
          network_mode: 'host',
        }),
      ]),
    );
    const pod = workloadOf(r, 'w').spec?.template.spec;
    expect(pod).toMatchObject({
      hostname: 'box1',
      terminationGracePeriodSeconds: 2,
      hostAliases: [{ ip: '10.0.0.5', hostnames: ['db.local', 'cache.local'] }],
      dnsConfig: {
        nameservers: ['1.1.1.1'],
        searches: ['corp.example'],
        options: [{ name: 'ndots', value: '2' }, { name: 'rotate' }],
      },
      securityContext: { sysctls: [{ name: 'net.core.somaxconn', value: '1024' }] },
      nodeSelector: { 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'arm64' },
      hostNetwork: true,
      dnsPolicy: 'ClusterFirstWithHostNet',
    });
    expect(reason(r, 'services.w.extra_hosts[2]')).toMatch(/host-gateway/);
  });

  it('reports network_mode other than host', () => {
    const r = exportValid(stack('p', [service('w', { image: 'x', network_mode: 'service:db' })]));
    expect(reason(r, 'services.w.network_mode')).toMatch(/only "host"/);
  });
});

describe('names', () => {
  it('makes service names valid DNS labels, unique, and reports the rename', () => {
    const r = exportValid(
      stack('My_Proj', [
        service('my_app', { image: 'x', expose: ['80'] }),
        service('my-app', { image: 'y', expose: ['80'] }),
        service('9lives', { image: 'z' }),
      ]),
    );
    expect(r.objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata?.name)).toEqual([
      'my-app',
      'my-app-2',
      'x-9lives',
    ]);
    expect(reason(r, 'services.my_app')).toMatch(/exported as "my-app"/);
    expect(reason(r, 'services.my-app')).toMatch(/exported as "my-app-2"/);
    expect(find(r, 'Deployment', 'my-app').metadata?.labels?.['app.kubernetes.io/part-of']).toBe('My_Proj');
  });

  it('keeps workload names within 52 characters (StatefulSet pod and revision names)', () => {
    const long = 'a'.repeat(80);
    const r = exportValid(
      stack(
        'p',
        [
          service(long, {
            image: 'x',
            volumes: [{ type: 'volume', source: 'v', target: '/v', read_only: false }],
          }),
        ],
        { volumes: { v: volume('p', 'v') } },
      ),
    );
    expect(workloadOf(r, 'a'.repeat(52)).kind).toBe('StatefulSet');
  });

  it('turns label values a selector cannot hold into annotations and reports invalid keys and reserved keys', () => {
    const r = exportValid(
      stack('p', [
        service('w', {
          image: 'x',
          labels: {
            'com.example.description': 'Accounting web app',
            'bad key': 'v',
            'app.kubernetes.io/name': 'other',
          },
          annotations: { 'example.com/owner': 'team a' },
        }),
      ]),
    );
    const meta = workloadOf(r, 'w').spec?.template.metadata;
    expect(meta?.annotations).toEqual({
      'com.example.description': 'Accounting web app',
      'example.com/owner': 'team a',
    });
    expect(meta?.labels?.['app.kubernetes.io/name']).toBe('w');
    expect(reason(r, 'services.w.labels.bad key')).toMatch(/not a valid Kubernetes label key/);
    expect(reason(r, 'services.w.labels.app.kubernetes.io/name')).toMatch(/tsstack sets this label/);
  });

  it('sets the namespace on every object when asked', () => {
    const s = stack(
      'p',
      [service('w', { image: 'x', ports: [{ target: 80, published: '80', protocol: 'tcp' }] })],
      {
        configs: { c: secret('p', 'c', { content: 'x' }) },
      },
    );
    const r = exportValid(s, { namespace: 'team-a' });
    expect(r.objects.length).toBe(4);
    expect(r.objects.every((o) => o.metadata?.namespace === 'team-a')).toBe(true);
  });
});
