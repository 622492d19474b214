import { describe, expect, it } from 'vitest';
import { formatted, normalizeYaml } from './helpers/normalize.js';

describe('networks', () => {
  it('engine names are <project>_<key> unless name: or external', () => {
    const { stack } = normalizeYaml(`services:
  web:
    image: x
    networks: [front, back, shared]
networks:
  front: {}
  back:
    name: custom-back
    internal: true
    driver: bridge
    ipam:
      config:
        - subnet: 172.28.0.0/16
          gateway: 172.28.0.1
  shared:
    external: true
  legacy:
    external:
      name: old-net
`);
    expect(stack.networks.front).toEqual({
      name: 'test_front',
      driver_opts: {},
      external: false,
      internal: false,
      attachable: false,
      labels: {},
    });
    expect(stack.networks.back).toMatchObject({
      name: 'custom-back',
      internal: true,
      driver: 'bridge',
      ipam: { config: [{ subnet: '172.28.0.0/16', gateway: '172.28.0.1' }] },
    });
    expect(stack.networks.shared).toMatchObject({ name: 'shared', external: true });
    expect(stack.networks.legacy).toMatchObject({ name: 'old-net', external: true });
    expect(stack.networks.default).toBeUndefined();
  });

  it('a service with no networks and no network_mode joins `default`, which is then added', () => {
    const { stack } = normalizeYaml(`services:
  a:
    image: x
  b:
    image: x
    network_mode: host
`);
    expect(stack.services.a!.networks).toEqual({ default: { aliases: [] } });
    expect(stack.services.b!.networks).toEqual({});
    expect(stack.networks.default).toMatchObject({ name: 'test_default', external: false });
  });

  it('map form keeps aliases and addresses', () => {
    const { stack } = normalizeYaml(`services:
  a:
    image: x
    networks:
      front:
        aliases: [api]
        ipv4_address: 172.28.0.5
        priority: 10
      back:
networks: { front: {}, back: {} }
`);
    expect(stack.services.a!.networks).toEqual({
      front: { aliases: ['api'], ipv4_address: '172.28.0.5', priority: 10 },
      back: { aliases: [] },
    });
  });
});

describe('top-level volumes, secrets and configs', () => {
  it('volume names, external volumes, x-* keys kept', () => {
    const { stack } = normalizeYaml(`volumes:
  data:
    driver: local
    driver_opts: { type: none, o: bind }
    x-tsstack: { size: 10Gi }
  ext:
    external: true
    name: real-name
  plain:
`);
    expect(stack.volumes).toEqual({
      data: {
        name: 'test_data',
        driver: 'local',
        driver_opts: { type: 'none', o: 'bind' },
        external: false,
        labels: {},
        extensions: { 'x-tsstack': { size: '10Gi' } },
      },
      ext: { name: 'real-name', driver_opts: {}, external: true, labels: {} },
      plain: { name: 'test_plain', driver_opts: {}, external: false, labels: {} },
    });
  });

  it('secret and config files become absolute; service references get absolute targets', () => {
    const { stack, problems } = normalizeYaml(`services:
  web:
    image: x
    secrets:
      - db_pass
      - source: api_key
        target: key
        uid: "100"
        mode: "0440"
    configs:
      - nginx
      - { source: nginx, target: /etc/nginx.conf, mode: 292 }
secrets:
  db_pass: { file: ./secrets/db.txt }
  api_key: { environment: API_KEY }
configs:
  nginx: { content: "server {}" }
`);
    expect(problems).toEqual([]);
    expect(stack.secrets.db_pass).toEqual({
      name: 'test_db_pass',
      file: '/project/secrets/db.txt',
      external: false,
      labels: {},
    });
    expect(stack.secrets.api_key).toMatchObject({ environment: 'API_KEY' });
    expect(stack.configs.nginx).toMatchObject({ content: 'server {}' });
    expect(stack.services.web!.secrets).toEqual([
      { source: 'db_pass', target: '/run/secrets/db_pass' },
      { source: 'api_key', target: '/run/secrets/key', uid: '100', mode: 0o440 },
    ]);
    expect(stack.services.web!.configs).toEqual([
      { source: 'nginx', target: '/nginx' },
      { source: 'nginx', target: '/etc/nginx.conf', mode: 292 },
    ]);
  });

  it('a mode written with a leading zero is octal, as Compose (YAML 1.1) reads it', () => {
    const { stack, problems } = normalizeYaml(`services:
  web:
    image: x
    secrets:
      - { source: s, mode: 0440 }
      - { source: s, mode: 0o600 }
      - { source: s, mode: 420 }
    volumes:
      - { type: tmpfs, target: /t, tmpfs: { mode: 01777 } }
secrets:
  s: { file: ./s }
`);
    expect(formatted(problems)).toEqual([]);
    expect(stack.services.web!.secrets.map((r) => r.mode)).toEqual([0o440, 0o600, 420]);
    expect(stack.services.web!.volumes[0]!.tmpfs).toEqual({ mode: 0o1777 });
  });

  it('a mode that is not one is a located error', () => {
    const { problems } = normalizeYaml(
      'services:\n  web:\n    image: x\n    secrets: [{ source: s, mode: rw }]\n',
    );
    expect(formatted(problems)).toEqual([
      'stack.yml:4:34 services.web.secrets[0].mode: "rw" is not a file mode (expected e.g. 0440)',
    ]);
  });

  it('a secret with no source is an error', () => {
    const { problems } = normalizeYaml('secrets:\n  empty: {}\n');
    expect(formatted(problems)).toEqual([
      'stack.yml:2:10 secrets.empty: needs one of file, environment, content or external',
    ]);
  });
});

describe('profiles', () => {
  const doc = `services:
  web:
    image: x
    depends_on: [db]
  db:
    image: x
    profiles: [backend]
  debug:
    image: x
    profiles: [debug]
  tools:
    image: x
    profiles: [debug, ops]
    depends_on: [helper]
  helper:
    image: x
    profiles: [never]
`;
  const active = (profiles: string[]) => Object.keys(normalizeYaml(doc, { profiles }).stack.services).sort();

  it('services with profiles are inactive unless enabled; dependencies are pulled in whatever their profiles', () => {
    expect(active([])).toEqual(['db', 'web']);
  });

  it('enabling a profile activates its services and what they depend on', () => {
    expect(active(['ops'])).toEqual(['db', 'helper', 'tools', 'web']);
    expect(active(['debug'])).toEqual(['db', 'debug', 'helper', 'tools', 'web']);
  });

  it('* enables every profile', () => {
    expect(active(['*'])).toEqual(['db', 'debug', 'helper', 'tools', 'web']);
  });

  it('an optional dependency (required: false) does not pull in a service its profiles disable, as in Compose', () => {
    const optional = `services:
  web:
    image: x
    depends_on:
      metrics: { condition: service_started, required: false }
      db: { condition: service_started }
  metrics: { image: x, profiles: [monitoring] }
  db: { image: x, profiles: [backend] }
`;
    expect(Object.keys(normalizeYaml(optional).stack.services).sort()).toEqual(['db', 'web']);
    expect(Object.keys(normalizeYaml(optional, { profiles: ['monitoring'] }).stack.services).sort()).toEqual([
      'db',
      'metrics',
      'web',
    ]);
  });

  it('the enabled profiles are recorded on the stack', () => {
    expect(normalizeYaml(doc, { profiles: ['ops'] }).stack.profiles).toEqual(['ops']);
  });
});

describe('resources set twice', () => {
  it('a service-level value and a deploy.resources value for the same setting must agree, as in Compose', () => {
    const { problems } = normalizeYaml(`services:
  web:
    image: x
    cpus: 1.5
    mem_limit: 1g
    mem_reservation: 64m
    pids_limit: -1
    deploy:
      resources:
        limits: { cpus: "0.5", memory: 1024m, pids: 100 }
        reservations: { memory: 32m }
`);
    expect(formatted(problems)).toEqual([
      'stack.yml:4:11 services.web.cpus: cpus (1.5) and deploy.resources.limits.cpus (0.5) differ; set only one',
      'stack.yml:6:22 services.web.mem_reservation: mem_reservation (67108864) and deploy.resources.reservations.memory (33554432) differ; set only one',
      'stack.yml:7:17 services.web.pids_limit: pids_limit (-1) and deploy.resources.limits.pids (100) differ; set only one',
    ]);
  });

  it('one of them alone, or different settings, are fine', () => {
    const { problems } = normalizeYaml(`services:
  web:
    image: x
    cpus: 1.5
    deploy: { resources: { limits: { memory: 1g } } }
`);
    expect(problems).toEqual([]);
  });

  it('memswap_limit: -1 is unlimited swap', () => {
    const { stack, problems } = normalizeYaml('services:\n  web:\n    image: x\n    memswap_limit: -1\n');
    expect(problems).toEqual([]);
    expect(stack.services.web!.memswap_limit).toBe(-1);
  });
});

describe('replicas', () => {
  const replicas = (svc: string) => normalizeYaml(`services:\n  web:\n    image: x\n${svc}`);

  it('default 1; scale; deploy.replicas; both when equal', () => {
    expect(replicas('').stack.services.web!.replicas).toBe(1);
    expect(replicas('    scale: 3\n').stack.services.web!.replicas).toBe(3);
    expect(replicas('    deploy: { replicas: 2 }\n').stack.services.web!.replicas).toBe(2);
    expect(replicas('    scale: 0\n').stack.services.web!.replicas).toBe(0);
    const both = replicas('    scale: 2\n    deploy: { replicas: 2 }\n');
    expect(both.problems).toEqual([]);
    expect(both.stack.services.web!.replicas).toBe(2);
  });

  it('scale and deploy.replicas that differ are an error, as in Compose', () => {
    expect(formatted(replicas('    scale: 2\n    deploy: { replicas: 3 }\n').problems)).toEqual([
      'stack.yml:4:12 services.web.scale: scale (2) and deploy.replicas (3) differ; set only one',
    ]);
  });

  it('a negative count is an error', () => {
    expect(formatted(replicas('    scale: -1\n').problems)).toEqual([
      'stack.yml:4:12 services.web.scale: replicas cannot be negative (-1)',
    ]);
  });
});

describe('build', () => {
  const buildOf = (b: string) =>
    normalizeYaml(`services:\n  web:\n    build: ${b}\n`, { env: { TOKEN: 't0k' } });

  it('a string is the context, resolved against the project folder', () => {
    expect(buildOf('./app').stack.services.web!.build).toEqual({
      context: '/project/app',
      args: {},
      labels: {},
    });
  });

  it('the long form: context, dockerfile, args list with a bare key from the variables (left out when unset, as in Compose), sizes', () => {
    const { stack, problems } = buildOf(`
      context: ../svc
      dockerfile: docker/Dockerfile.dev
      target: dev
      args: [VERSION=1.2, TOKEN, UNSET]
      shm_size: 256m
      cache_from: [app:latest]
      extra_hosts: { db: 10.0.0.2 }`);
    expect(problems).toEqual([]);
    expect(stack.services.web!.build).toEqual({
      context: '/svc',
      dockerfile: 'docker/Dockerfile.dev',
      target: 'dev',
      args: { VERSION: '1.2', TOKEN: 't0k' },
      labels: {},
      shm_size: 256 * 1024 * 1024,
      cache_from: ['app:latest'],
      extra_hosts: ['db:10.0.0.2'],
    });
  });

  it('args map; remote contexts are kept as written', () => {
    const { stack } = buildOf('{ context: "https://github.com/x/y.git#main", args: { A: 1 } }');
    expect(stack.services.web!.build).toEqual({
      context: 'https://github.com/x/y.git#main',
      args: { A: '1' },
      labels: {},
    });
  });
});

describe('other service fields', () => {
  it('develop.watch paths become absolute', () => {
    const { stack, problems } = normalizeYaml(`services:
  web:
    image: x
    develop:
      watch:
        - action: sync
          path: ./src
          target: /app/src
          ignore: [node_modules/]
        - action: rebuild
          path: package.json
        - action: sync+exec
          path: ./conf
          target: /etc/app
          exec: { command: kill -HUP 1 }
`);
    expect(problems).toEqual([]);
    expect(stack.services.web!.develop).toEqual({
      watch: [
        { action: 'sync', path: '/project/src', target: '/app/src', ignore: ['node_modules/'] },
        { action: 'rebuild', path: '/project/package.json', ignore: [] },
        {
          action: 'sync+exec',
          path: '/project/conf',
          target: '/etc/app',
          ignore: [],
          exec: { command: ['kill', '-HUP', '1'] },
        },
      ],
    });
  });

  it('x-* keys of a service are kept in extensions; top-level x-* on the stack', () => {
    const { stack } = normalizeYaml(`x-common: &c { a: 1 }
services:
  web:
    image: x
    x-tsstack: { restart_backoff: 5s }
`);
    expect(stack.services.web!.extensions).toEqual({ 'x-tsstack': { restart_backoff: '5s' } });
    expect(stack.extensions).toEqual({ 'x-common': { a: 1 } });
  });

  it('labels, sysctls, ulimits, sizes, durations, logging, deploy', () => {
    const { stack, problems } = normalizeYaml(`services:
  web:
    image: x
    labels: [a=1, b]
    sysctls: { net.core.somaxconn: 1024 }
    ulimits: { nofile: { soft: 1024, hard: 2048 }, nproc: 512 }
    mem_limit: 1g
    shm_size: 64m
    cpus: 0.5
    stop_grace_period: 1m30s
    extra_hosts: ["host.docker.internal=host-gateway"]
    logging: { driver: json-file, options: { max-size: 10m } }
    deploy:
      resources:
        limits: { cpus: "0.50", memory: 1024m }
        reservations: { memory: 128m }
      restart_policy: { condition: on-failure, delay: 5s, max_attempts: 3 }
      update_config: { parallelism: 2, order: start-first }
`);
    expect(problems).toEqual([]);
    const web = stack.services.web!;
    expect(web.labels).toEqual({ a: '1', b: '' });
    expect(web.sysctls).toEqual({ 'net.core.somaxconn': '1024' });
    expect(web.ulimits).toEqual({ nofile: { soft: 1024, hard: 2048 }, nproc: { soft: 512, hard: 512 } });
    expect(web.mem_limit).toBe(1024 ** 3);
    expect(web.shm_size).toBe(64 * 1024 ** 2);
    expect(web.cpus).toBe(0.5);
    expect(web.stop_grace_period).toBe(90_000);
    expect(web.extra_hosts).toEqual(['host.docker.internal:host-gateway']);
    expect(web.logging).toEqual({ driver: 'json-file', options: { 'max-size': '10m' } });
    expect(web.deploy).toEqual({
      labels: {},
      resources: {
        limits: { cpus: 0.5, memory: 1024 ** 3 },
        reservations: { memory: 128 * 1024 ** 2 },
      },
      restart_policy: { condition: 'on-failure', delay: 5000, max_attempts: 3 },
      update_config: { parallelism: 2, delay: 0, order: 'start-first', failure_action: 'pause' },
    });
  });

  it('type errors in plain fields are located', () => {
    const { problems } = normalizeYaml(`services:
  web:
    image: [x]
    privileged: maybe
    mem_limit: huge
    stop_grace_period: forever
`);
    expect(formatted(problems)).toEqual([
      'stack.yml:3:12 services.web.image: expected a string, got a list',
      'stack.yml:4:17 services.web.privileged: expected true or false, got "maybe"',
      'stack.yml:5:16 services.web.mem_limit: "huge" is not a byte size (expected e.g. 512m, 1g, 1024)',
      'stack.yml:6:24 services.web.stop_grace_period: "forever" is not a duration (expected e.g. 10s, 1m30s, 500ms)',
    ]);
  });
});
