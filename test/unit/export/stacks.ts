// Example stacks for golden tests, built as loadStack returns them.
import type { DependsOn, Stack, UpdateConfig } from '../../../src/spec/types.js';
import { network, secret, service, stack, volume } from './factory.js';

const healthy: DependsOn = { condition: 'service_healthy', required: true, restart: false };
const started: DependsOn = { condition: 'service_started', required: true, restart: false };
const startFirst: UpdateConfig = { parallelism: 1, delay: 0, order: 'start-first', failure_action: 'pause' };

/** A typical web shop: proxy, API, database with a volume, a worker, secrets and configs. */
export function shopStack(): Stack {
  return stack(
    'shop',
    [
      service('proxy', {
        image: 'nginx:1.27-alpine',
        ports: [{ target: 80, published: '8080', protocol: 'tcp' }],
        configs: [{ source: 'nginx_conf', target: '/etc/nginx/conf.d/default.conf' }],
        depends_on: { api: healthy },
        restart: 'always',
      }),
      service('api', {
        image: 'registry.example.com/shop/api:1.4.2',
        environment: { DATABASE_HOST: 'db', DATABASE_USER: 'shop', LOG_LEVEL: 'info' },
        expose: ['3000'],
        healthcheck: {
          test: ['CMD', 'wget', '-qO-', 'http://localhost:3000/health'],
          interval: 10_000,
          timeout: 2000,
          retries: 3,
          start_period: 20_000,
          disable: false,
        },
        depends_on: { db: healthy },
        secrets: [{ source: 'db_password', target: 'db_password' }],
        replicas: 2,
        deploy: {
          replicas: 2,
          labels: { 'com.example.team': 'checkout' },
          resources: {
            limits: { cpus: 1, memory: 512 * 2 ** 20 },
            reservations: { cpus: 0.25, memory: 128 * 2 ** 20 },
          },
          update_config: startFirst,
        },
        user: '1000:1000',
        read_only: true,
        cap_drop: ['ALL'],
        stop_grace_period: 20_000,
        labels: { 'com.example.description': 'Shop API (REST)' },
      }),
      service('db', {
        image: 'postgres:16',
        environment: { POSTGRES_USER: 'shop', POSTGRES_PASSWORD_FILE: '/run/secrets/db_password' },
        expose: ['5432'],
        volumes: [{ type: 'volume', source: 'pgdata', target: '/var/lib/postgresql/data', read_only: false }],
        healthcheck: {
          test: ['CMD-SHELL', 'pg_isready -U shop'],
          interval: 5000,
          timeout: 3000,
          retries: 5,
          disable: false,
        },
        secrets: [{ source: 'db_password', target: 'db_password' }],
        shm_size: 256 * 2 ** 20,
        restart: 'unless-stopped',
      }),
      service('worker', {
        image: 'registry.example.com/shop/worker:1.4.2',
        build: { context: '/srv/shop/worker', args: {}, labels: {} },
        command: ['node', 'worker.js', '--queue', 'orders'],
        environment: { DATABASE_HOST: 'db' },
        depends_on: { db: healthy, api: started },
        replicas: 3,
      }),
    ],
    {
      volumes: { pgdata: volume('shop', 'pgdata', { extensions: { 'x-tsstack': { size: '20Gi' } } }) },
      secrets: { db_password: secret('shop', 'db_password', { file: '/srv/shop/secrets/db_password.txt' }) },
      configs: { nginx_conf: secret('shop', 'nginx_conf', { file: '/srv/shop/nginx/default.conf' }) },
    },
  );
}

export const shopFiles = {
  '/srv/shop/secrets/db_password.txt': 'correct horse battery staple\n',
  '/srv/shop/nginx/default.conf': 'server {\n  listen 80;\n  location / { proxy_pass http://api:3000; }\n}\n',
};

/** A development stack full of things a cluster cannot do, to pin down the report. */
export function devStack(): Stack {
  return stack(
    'dev',
    [
      service('app', {
        build: { context: '/srv/dev', args: {}, labels: {} },
        ports: [{ target: 3000, published: '3000', protocol: 'tcp' }],
        volumes: [{ type: 'bind', source: '/srv/dev/src', target: '/app/src', read_only: false }],
        develop: { watch: [{ action: 'sync', path: '/srv/dev/src', target: '/app/src', ignore: [] }] },
      }),
      service('db', {
        image: 'mysql:8',
        container_name: 'dev-mysql',
        ports: [{ target: 3306, published: '3306', host_ip: '127.0.0.1', protocol: 'tcp' }],
        volumes: [{ type: 'volume', source: 'mysql', target: '/var/lib/mysql', read_only: false }],
        networks: { back: { aliases: ['database'], ipv4_address: '172.28.0.10' } },
        ulimits: { nofile: { soft: 20000, hard: 40000 } },
        logging: { driver: 'json-file', options: { 'max-size': '10m' } },
        restart: 'on-failure',
      }),
      service('seed', {
        image: 'mysql:8',
        command: ['sh', '-c', 'mysql -h db < /seed.sql'],
        depends_on: { db: started },
        devices: ['/dev/fuse'],
        init: true,
        user: 'mysql',
        deploy: {
          labels: {},
          resources: { limits: { pids: 100 }, reservations: {} },
          restart_policy: { condition: 'on-failure', max_attempts: 3 },
        },
      }),
      service('tests', {
        image: 'busybox',
        depends_on: { seed: { condition: 'service_completed_successfully', required: true, restart: false } },
        network_mode: 'none',
        links: ['db:mysql'],
      }),
    ],
    {
      networks: { default: network('dev', 'default'), back: network('dev', 'back', { internal: true }) },
      volumes: { mysql: volume('dev', 'mysql', { driver: 'rexray/ebs', driver_opts: { size: '5' } }) },
    },
  );
}
