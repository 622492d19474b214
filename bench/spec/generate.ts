// A realistic N-service stack for the spec benchmark: ports, environment (with interpolation), binds and named
// volumes, healthchecks, depends_on on earlier services, networks, labels and resource limits.
import { stringify } from 'yaml';

const IMAGES = ['nginx:1.27', 'postgres:16', 'redis:7', 'node:20-alpine', 'python:3.12-slim', 'busybox:1.36'];
const NETWORKS = ['front', 'back', 'data'];

/** The Compose text of a stack with `count` services, the same for the same count. */
export function generateStack(count: number): string {
  const services: Record<string, unknown> = {};
  const volumes: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) {
    const name = `svc-${String(i).padStart(4, '0')}`;
    const volume = `data-${i}`;
    volumes[volume] = {};
    const deps: Record<string, unknown> = {};
    // Each service depends on up to two earlier ones, so the graph is deep but has no cycle.
    for (const back of [1, 7]) {
      if (i - back >= 0 && i % 3 !== 0) {
        deps[`svc-${String(i - back).padStart(4, '0')}`] = {
          condition: back === 1 ? 'service_started' : 'service_healthy',
        };
      }
    }
    services[name] = {
      image: IMAGES[i % IMAGES.length],
      command: i % 2 === 0 ? `sh -c "echo starting ${name} && sleep 3600"` : ['sleep', '3600'],
      environment: {
        SERVICE_NAME: name,
        LOG_LEVEL: '${LOG_LEVEL:-info}',
        DATABASE_URL: `postgres://app:\${DB_PASSWORD:-secret}@db-${i % 10}:5432/app`,
        WORKERS: String((i % 8) + 1),
      },
      ports: [`127.0.0.1:${20000 + i}:8080`, ...(i % 5 === 0 ? [`${40000 + i}:9090/udp`] : [])],
      volumes: [`./data/${name}:/var/lib/app:ro`, `${volume}:/data`],
      networks: [NETWORKS[i % NETWORKS.length], NETWORKS[(i + 1) % NETWORKS.length]],
      labels: { 'com.example.team': `team-${i % 12}`, 'com.example.tier': i % 2 === 0 ? 'web' : 'worker' },
      healthcheck: {
        test: ['CMD-SHELL', 'wget -q -O- http://localhost:8080/health || exit 1'],
        interval: '30s',
        timeout: '5s',
        retries: 3,
        start_period: '1m30s',
      },
      restart: 'unless-stopped',
      mem_limit: '512m',
      stop_grace_period: '20s',
      ...(Object.keys(deps).length > 0 ? { depends_on: deps } : {}),
    };
  }
  return stringify({
    services,
    networks: Object.fromEntries(NETWORKS.map((n) => [n, {}])),
    volumes,
  });
}
