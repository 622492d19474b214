import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadStack } from '../../../src/spec/index.js';
import { printStack } from '../../../src/spec/print.js';
import { formatted, normalizeYaml } from './helpers/normalize.js';

const RICH = `name: demo
x-defaults: &defaults
  restart: unless-stopped
services:
  web:
    <<: *defaults
    build:
      context: ./web
      args: [VERSION=1]
    command: npm start -- --port 80
    entrypoint: ["/sbin/tini", "--"]
    environment: [NODE_ENV=production, EMPTY=]
    labels: { traefik.enable: "true" }
    ports: ["8080:80", "127.0.0.1:9000-9001:90-91/udp", 443, { target: 53, published: "5353", protocol: udp }]
    volumes: ["./static:/srv/static:ro", "data:/var/lib/data", "/cache", { type: tmpfs, target: /tmp, tmpfs: { size: 64m } }]
    depends_on:
      db: { condition: service_healthy, restart: true }
      cache:
    networks:
      front: { aliases: [www] }
      back:
    healthcheck:
      test: wget -q -O- http://localhost/health
      interval: 1m30s
      timeout: 1500ms
      retries: 3
    deploy:
      replicas: 2
      resources: { limits: { cpus: "0.5", memory: 1g } }
      restart_policy: { condition: on-failure, delay: 5s }
      update_config: { parallelism: 1, delay: 10s, order: start-first }
    stop_grace_period: 1m
    mem_limit: 1g
    ulimits: { nofile: 1024 }
    secrets: [token]
    configs: [{ source: site, target: /etc/site.conf, mode: "0444" }]
    develop:
      watch:
        - { action: sync, path: ./web/src, target: /app/src, ignore: [node_modules/] }
    x-tsstack: { note: kept }
  db:
    image: postgres:16
    command: null
    environment: { POSTGRES_PASSWORD: secret, PORT: 5432 }
    healthcheck: { test: [CMD, pg_isready], interval: 10s, start_period: 30s }
    volumes: [{ type: volume, source: data, target: /var/lib/postgresql/data, volume: { nocopy: true } }]
    networks: [back]
    profiles: [backend]
  cache:
    image: redis
    scale: 2
    healthcheck: { disable: true }
  tool:
    image: busybox
    network_mode: host
    tmpfs: [/run]
networks:
  front: {}
  back: { internal: true, labels: { tier: back } }
  outside: { external: true, name: shared-net }
volumes:
  data: { driver: local }
secrets:
  token: { file: ./token.txt }
configs:
  site: { content: "listen 80;" }
`;

const opts = { projectName: 'demo', profiles: ['backend'] };

describe('printStack', () => {
  const { stack, problems } = normalizeYaml(RICH, opts);

  it('normalizes the rich example without problems', () => {
    expect(formatted(problems)).toEqual([]);
  });

  it('prints long syntax, Compose durations, byte integers, maps, sorted services', () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed document, inspected field by field
    const doc = parse(printStack(stack, 'yaml')) as Record<string, any>;
    expect(Object.keys(doc.services)).toEqual(['cache', 'db', 'tool', 'web']);
    const web = doc.services.web;
    expect(web.ports[0]).toEqual({ target: 80, published: '8080', protocol: 'tcp' });
    expect(web.ports[1]).toEqual({ target: 90, published: '9000', host_ip: '127.0.0.1', protocol: 'udp' });
    expect(web.volumes[0]).toEqual({
      type: 'bind',
      source: '/project/static',
      target: '/srv/static',
      read_only: true,
      bind: { create_host_path: true },
    });
    expect(web.volumes[3]).toEqual({ type: 'tmpfs', target: '/tmp', tmpfs: { size: 67_108_864 } });
    expect(web.environment).toEqual({ EMPTY: '', NODE_ENV: 'production' });
    expect(web.healthcheck).toEqual({
      test: ['CMD-SHELL', 'wget -q -O- http://localhost/health'],
      interval: '1m30s',
      timeout: '1s500ms',
      retries: 3,
    });
    expect(web.stop_grace_period).toBe('1m');
    expect(web.mem_limit).toBe(1_073_741_824);
    expect(web.deploy.resources.limits).toEqual({ cpus: 0.5, memory: 1_073_741_824 });
    expect(web.deploy.update_config).toEqual({
      parallelism: 1,
      delay: '10s',
      order: 'start-first',
      failure_action: 'pause',
    });
    expect(web.command).toEqual(['npm', 'start', '--', '--port', '80']);
    expect(web.depends_on.cache).toEqual({ condition: 'service_started', required: true, restart: false });
    expect(web['x-tsstack']).toEqual({ note: 'kept' });
    expect(doc.services.db.command).toBeNull();
    expect(doc.services.cache.scale).toBe(2);
    expect(doc.services.cache.healthcheck).toEqual({ test: ['NONE'], disable: true });
    expect(doc.networks.front).toEqual({ name: 'demo_front' });
    expect(doc.networks.outside).toEqual({ name: 'shared-net', external: true });
    expect(doc.networks.default).toEqual({ name: 'demo_default' });
    expect(doc['x-defaults']).toEqual({ restart: 'unless-stopped' });
  });

  it('quotes strings a YAML 1.1 reader (docker-compose 1.x) would take for booleans or numbers', () => {
    const { stack: s } = normalizeYaml(
      'services:\n  a:\n    image: x\n    restart: "no"\n    user: "50000:0"\n    environment: { X: "off" }\n',
    );
    const text = printStack(s, 'yaml');
    expect(text).toContain('restart: "no"');
    expect(text).toContain('user: "50000:0"');
    expect(text).toContain('X: "off"');
  });

  it('prints a literal $ as $$, so loading the output gives back the same text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsstack-print-'));
    try {
      const file = join(dir, 'compose.yaml');
      writeFileSync(
        file,
        'services:\n  a:\n    image: x\n    command: sh -c "echo $$HOME"\n    environment: { PRICE: "$$5" }\n',
      );
      const options = { files: [file], cwd: dir, envFiles: [], profiles: [], env: {} };
      const first = await loadStack(options);
      expect(first.stack.services.a!.command).toEqual(['sh', '-c', 'echo $HOME']);
      const printed = printStack(first.stack, 'yaml');
      expect(printed).toContain('echo $$HOME');
      expect(printed).toContain('PRICE: $$5');
      writeFileSync(file, printed);
      expect((await loadStack(options)).stack).toEqual(first.stack);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every valid fixture comes back the same through print and loadStack', async () => {
    const fixtures = join(import.meta.dirname, '../../fixtures');
    const names = readdirSync(fixtures).filter(
      (n) => n !== 'invalid' && statSync(join(fixtures, n)).isDirectory(),
    );
    expect(names.length).toBeGreaterThanOrEqual(30);
    const dir = mkdtempSync(join(tmpdir(), 'tsstack-print-fixtures-'));
    try {
      for (const name of names) {
        const base = { cwd: join(fixtures, name), envFiles: [], profiles: [], env: {} };
        const first = await loadStack({ ...base, files: [] });
        const file = join(dir, `${name}.yaml`);
        writeFileSync(file, printStack(first.stack, 'yaml'));
        const again = await loadStack({ ...base, files: [file], projectDirectory: join(fixtures, name) });
        expect({ ...again.stack, files: [] }, name).toEqual({ ...first.stack, files: [] });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('JSON holds the same document', () => {
    expect(JSON.parse(printStack(stack, 'json'))).toEqual(parse(printStack(stack, 'yaml')));
  });

  it('printing then normalizing gives back the same stack', () => {
    const again = normalizeYaml(printStack(stack, 'yaml'), opts);
    expect(formatted(again.problems)).toEqual([]);
    expect(again.stack).toEqual(stack);
    const fromJson = normalizeYaml(printStack(stack, 'json'), opts);
    expect(fromJson.stack).toEqual(stack);
  });

  it('is deterministic: the order services and keys were written in does not matter', () => {
    const a = normalizeYaml(
      'services:\n  b: { image: x, labels: { z: 1, a: 2 } }\n  a: { image: y }\n',
    ).stack;
    const b = normalizeYaml(
      'services:\n  a: { image: y }\n  b: { labels: { a: 2, z: 1 }, image: x }\n',
    ).stack;
    expect(printStack(a, 'yaml')).toBe(printStack(b, 'yaml'));
  });

  it('leaves out bind: when a long-syntax bind has only the default create_host_path: false, as Compose does', () => {
    const { stack: s } = normalizeYaml(`services:
  a:
    image: x
    volumes:
      - { type: bind, source: /a, target: /a }
      - { type: bind, source: /b, target: /b, bind: { create_host_path: true } }
      - { type: bind, source: /c, target: /c, bind: { propagation: rslave } }
`);
    const printed = parse(printStack(s, 'yaml')) as {
      services: { a: { volumes: { target: string; bind?: unknown }[] } };
    };
    expect(printed.services.a.volumes.map((v) => [v.target, v.bind])).toEqual([
      ['/a', undefined],
      ['/b', { create_host_path: true }],
      ['/c', { create_host_path: false, propagation: 'rslave' }],
    ]);
    expect(normalizeYaml(printStack(s, 'yaml')).stack).toEqual(s);
  });

  it('keeps an explicitly empty network list (no default network on reload)', () => {
    const { stack: s } = normalizeYaml('services:\n  a:\n    image: x\n    networks: []\n');
    expect(s.services.a!.networks).toEqual({});
    expect(normalizeYaml(printStack(s, 'yaml')).stack).toEqual(s);
  });
});
