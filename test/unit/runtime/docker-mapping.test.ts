import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/core/errors.js';
import {
  compareApiVersions,
  containerCreateBody,
  cpuPercent,
  engineEventFrom,
  labelFilters,
  laterNetworks,
  memoryUsage,
  parseStatus,
  summaryFromInspect,
  summaryFromList,
} from '../../../src/runtime/docker-mapping.js';
import type { ContainerCreateSpec } from '../../../src/runtime/types.js';

const base: ContainerCreateSpec = {
  name: 'demo-web-1',
  image: 'web:1',
  labels: { 'io.tsstack.project': 'demo' },
  env: ['A=1'],
  exposedPorts: [{ target: 9000, protocol: 'tcp' }],
  ports: [],
  mounts: [],
  networks: [],
};

describe('containerCreateBody', () => {
  it('maps a full spec onto the engine create body', () => {
    const body = containerCreateBody(
      {
        ...base,
        command: ['serve', '--port', '80'],
        entrypoint: ['/init'],
        workingDir: '/app',
        user: '1000:1000',
        hostname: 'web',
        tty: true,
        ports: [
          { target: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: '8080' },
          { target: 80, protocol: 'tcp', hostIp: '::1', hostPort: '8080' },
          { target: 53, protocol: 'udp' },
        ],
        mounts: [
          { type: 'volume', source: 'demo_data', target: '/data', readOnly: false, noCopy: true },
          { type: 'bind', source: '/src', target: '/src', readOnly: true, propagation: 'rprivate' },
          { type: 'tmpfs', target: '/run', readOnly: false, tmpfsSize: 1024, tmpfsMode: 0o1777 },
        ],
        networks: [
          { network: 'demo_front', aliases: ['web', 'demo-web-1'], ipv4Address: '10.0.0.5' },
          { network: 'demo_back', aliases: ['web'] },
        ],
        restartPolicy: { name: 'on-failure', maximumRetryCount: 3 },
        healthcheck: { test: ['CMD', 'true'], interval: 1500, timeout: 500, retries: 3, startPeriod: 2000 },
        resources: {
          cpus: 1.5,
          memory: 64 * 1024 * 1024,
          memoryReservation: 32 * 1024 * 1024,
          pidsLimit: 100,
          shmSize: 1 << 20,
          ulimits: [{ name: 'nofile', soft: 1024, hard: 2048 }],
        },
        stopSignal: 'SIGINT',
        stopTimeout: 3,
        init: true,
        privileged: false,
        readOnlyRootfs: true,
        capAdd: ['NET_ADMIN'],
        capDrop: ['ALL'],
        securityOpt: ['no-new-privileges:true'],
        dns: ['1.1.1.1'],
        dnsSearch: ['example.com'],
        dnsOptions: ['ndots:2'],
        extraHosts: ['db:10.0.0.9'],
        sysctls: { 'net.core.somaxconn': '1024' },
        devices: ['/dev/fuse', '/dev/sda:/dev/xvda:r'],
        groupAdd: ['audio'],
        volumesFrom: ['demo-data-1:ro'],
        pidMode: 'host',
        ipcMode: 'shareable',
        usernsMode: 'host',
        logConfig: { type: 'json-file', config: { 'max-size': '1m' } },
      },
      '1.41',
    );
    expect(body).toMatchObject({
      Image: 'web:1',
      Cmd: ['serve', '--port', '80'],
      Entrypoint: ['/init'],
      Env: ['A=1'],
      WorkingDir: '/app',
      User: '1000:1000',
      Hostname: 'web',
      Tty: true,
      Labels: { 'io.tsstack.project': 'demo' },
      ExposedPorts: { '9000/tcp': {}, '80/tcp': {}, '53/udp': {} },
      Healthcheck: {
        Test: ['CMD', 'true'],
        Interval: 1_500_000_000,
        Timeout: 500_000_000,
        Retries: 3,
        StartPeriod: 2e9,
      },
      StopSignal: 'SIGINT',
      StopTimeout: 3,
      NetworkingConfig: {
        EndpointsConfig: {
          demo_front: { Aliases: ['web', 'demo-web-1'], IPAMConfig: { IPv4Address: '10.0.0.5' } },
        },
      },
    });
    expect(body.HostConfig).toEqual({
      Mounts: [
        {
          Type: 'volume',
          Source: 'demo_data',
          Target: '/data',
          ReadOnly: false,
          VolumeOptions: { NoCopy: true },
        },
        {
          Type: 'bind',
          Source: '/src',
          Target: '/src',
          ReadOnly: true,
          BindOptions: { Propagation: 'rprivate' },
        },
        { Type: 'tmpfs', Target: '/run', ReadOnly: false, TmpfsOptions: { SizeBytes: 1024, Mode: 0o1777 } },
      ],
      PortBindings: {
        '80/tcp': [
          { HostIp: '127.0.0.1', HostPort: '8080' },
          { HostIp: '::1', HostPort: '8080' },
        ],
        '53/udp': [{ HostIp: '', HostPort: '' }],
      },
      NetworkMode: 'demo_front',
      RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 },
      NanoCpus: 1_500_000_000,
      Memory: 64 * 1024 * 1024,
      MemoryReservation: 32 * 1024 * 1024,
      PidsLimit: 100,
      ShmSize: 1 << 20,
      Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 2048 }],
      Init: true,
      Privileged: false,
      ReadonlyRootfs: true,
      CapAdd: ['NET_ADMIN'],
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges:true'],
      Dns: ['1.1.1.1'],
      DnsSearch: ['example.com'],
      DnsOptions: ['ndots:2'],
      ExtraHosts: ['db:10.0.0.9'],
      Sysctls: { 'net.core.somaxconn': '1024' },
      Devices: [
        { PathOnHost: '/dev/fuse', PathInContainer: '/dev/fuse', CgroupPermissions: 'rwm' },
        { PathOnHost: '/dev/sda', PathInContainer: '/dev/xvda', CgroupPermissions: 'r' },
      ],
      GroupAdd: ['audio'],
      VolumesFrom: ['demo-data-1:ro'],
      PidMode: 'host',
      IpcMode: 'shareable',
      UsernsMode: 'host',
      LogConfig: { Type: 'json-file', Config: { 'max-size': '1m' } },
    });
  });

  it('connects networks after the first one later', () => {
    const spec = {
      ...base,
      networks: [
        { network: 'a', aliases: [] },
        { network: 'b', aliases: ['x'] },
      ],
    };
    expect(laterNetworks(spec)).toEqual([{ network: 'b', aliases: ['x'] }]);
  });

  it('leaves networks out for host, none and container modes', () => {
    const body = containerCreateBody(
      { ...base, networkMode: 'host', networks: [{ network: 'a', aliases: [] }] },
      '1.41',
    );
    expect(body.NetworkingConfig).toBeUndefined();
    expect((body.HostConfig as Record<string, unknown>).NetworkMode).toBe('host');
    expect(
      laterNetworks({ ...base, networkMode: 'container:abc', networks: [{ network: 'a', aliases: [] }] }),
    ).toEqual([]);
  });

  it('omits unset fields instead of sending nulls', () => {
    const body = containerCreateBody(base, '1.41');
    expect(Object.keys(body).sort()).toEqual(
      [
        'AttachStderr',
        'AttachStdin',
        'AttachStdout',
        'Env',
        'ExposedPorts',
        'HostConfig',
        'Image',
        'Labels',
        'OpenStdin',
        'Tty',
      ].sort(),
    );
    expect(body.HostConfig).toEqual({ Mounts: [], PortBindings: {} });
  });

  it('sends start_interval and subpath only to engines that know them', () => {
    const hc = { test: ['CMD', 'true'], startInterval: 1000 };
    expect(containerCreateBody({ ...base, healthcheck: hc }, '1.41').Healthcheck).toEqual({
      Test: ['CMD', 'true'],
    });
    expect(containerCreateBody({ ...base, healthcheck: hc }, '1.44').Healthcheck).toEqual({
      Test: ['CMD', 'true'],
      StartInterval: 1e9,
    });
    const sub = {
      ...base,
      mounts: [{ type: 'volume' as const, source: 'v', target: '/v', readOnly: false, subpath: 'x' }],
    };
    expect(() => containerCreateBody(sub, '1.41')).toThrow(EngineError);
    expect(containerCreateBody(sub, '1.45').HostConfig).toMatchObject({
      Mounts: [{ VolumeOptions: { NoCopy: false, Subpath: 'x' } }],
    });
  });
});

describe('labelFilters and versions', () => {
  it('builds the engine label filter', () => {
    expect(labelFilters({ 'io.tsstack.project': 'demo', 'io.tsstack.oneoff': true })).toEqual({
      label: ['io.tsstack.project=demo', 'io.tsstack.oneoff'],
    });
  });
  it('compares API versions numerically', () => {
    expect(compareApiVersions('1.41', '1.45')).toBeLessThan(0);
    expect(compareApiVersions('1.9', '1.10')).toBeLessThan(0);
    expect(compareApiVersions('1.45', '1.45')).toBe(0);
  });
});

describe('container summaries', () => {
  it('reads a list entry: name, health and ports without another call', () => {
    const s = summaryFromList({
      Id: 'abc',
      Names: ['/demo-web-1'],
      Image: 'web:1',
      Labels: { a: 'b' },
      State: 'running',
      Status: 'Up 3 seconds (healthy)',
      Created: 1700000000,
      Ports: [
        { IP: '127.0.0.1', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
        { PrivatePort: 53, Type: 'udp' },
      ],
      NetworkSettings: { Networks: { demo_default: {} } },
    });
    expect(s).toEqual({
      id: 'abc',
      name: 'demo-web-1',
      image: 'web:1',
      labels: { a: 'b' },
      state: 'running',
      health: 'healthy',
      createdAt: '2023-11-14T22:13:20.000Z',
      status: 'Up 3 seconds (healthy)',
      ports: [
        { target: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 8080 },
        { target: 53, protocol: 'udp' },
      ],
      networks: ['demo_default'],
    });
  });

  it('parses exit codes and health from the status text', () => {
    expect(parseStatus('Exited (137) 2 seconds ago')).toEqual({ exitCode: 137 });
    expect(parseStatus('Up 1 second (health: starting)')).toEqual({ health: 'starting' });
    expect(parseStatus('Up 1 minute (unhealthy)')).toEqual({ health: 'unhealthy' });
    expect(parseStatus('Created')).toEqual({});
  });

  it('reads an inspect answer, including Podman state names', () => {
    const s = summaryFromInspect({
      Id: 'abc',
      Name: '/demo-db-1',
      Config: { Image: 'db:1', Labels: null },
      State: {
        Status: 'stopped',
        ExitCode: 2,
        StartedAt: '2024-01-01T00:00:00Z',
        FinishedAt: '0001-01-01T00:00:00Z',
      },
      RestartCount: 4,
      NetworkSettings: {
        Ports: { '5432/tcp': [{ HostIp: '0.0.0.0', HostPort: '49153' }], '9/udp': null },
        Networks: {},
      },
    });
    expect(s).toMatchObject({
      name: 'demo-db-1',
      state: 'exited',
      exitCode: 2,
      restartCount: 4,
      labels: {},
      startedAt: '2024-01-01T00:00:00Z',
      finishedAt: undefined,
      ports: [
        { target: 5432, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 49153 },
        { target: 9, protocol: 'udp' },
      ],
    });
  });
});

describe('events and stats', () => {
  it('maps an engine event and skips types tsstack does not follow', () => {
    expect(
      engineEventFrom({
        Type: 'container',
        Action: 'die',
        Actor: { ID: 'abc', Attributes: { exitCode: '3', name: 'demo-web-1' } },
        time: 1700000000,
        timeNano: 1700000000123456000,
      }),
    ).toEqual({
      type: 'container',
      action: 'die',
      id: 'abc',
      attributes: { exitCode: '3', name: 'demo-web-1' },
      time: 1700000000123,
    });
    expect(engineEventFrom({ Type: 'daemon', Action: 'reload' })).toBeUndefined();
  });

  it('computes cpu percent like docker stats', () => {
    const stats = {
      cpu_stats: { cpu_usage: { total_usage: 3_000_000 }, system_cpu_usage: 20_000_000, online_cpus: 4 },
      precpu_stats: { cpu_usage: { total_usage: 1_000_000 }, system_cpu_usage: 10_000_000 },
    };
    // (2e6 / 1e7) * 4 CPUs * 100 = 80 %
    expect(cpuPercent(stats)).toBeCloseTo(80);
    expect(
      cpuPercent({
        cpu_stats: { cpu_usage: { total_usage: 2, percpu_usage: [1, 1] }, system_cpu_usage: 4 },
        precpu_stats: { cpu_usage: { total_usage: 1 }, system_cpu_usage: 2 },
      }),
    ).toBeCloseTo(100);
    expect(cpuPercent({ cpu_stats: {}, precpu_stats: {} })).toBe(0);
  });

  it('subtracts the page cache from memory usage', () => {
    expect(
      memoryUsage({ memory_stats: { usage: 1000, limit: 5000, stats: { inactive_file: 300 } } }),
    ).toEqual({
      usage: 700,
      limit: 5000,
    });
    expect(
      memoryUsage({ memory_stats: { usage: 1000, limit: 5000, stats: { total_inactive_file: 100 } } }).usage,
    ).toBe(900);
  });
});
