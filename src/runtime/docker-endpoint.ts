/**
 * Where the engine is: DOCKER_HOST (`unix://`, `tcp://` with DOCKER_TLS_VERIFY / DOCKER_CERT_PATH, `ssh://`)
 * or the default socket. Pure apart from reading TLS certificates.
 */
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import type { DockerOptions } from 'dockerode';
import { EngineError } from '../core/errors.js';
import { extraTrust } from '../core/extra-ca.js';

export const DEFAULT_SOCKET = '/var/run/docker.sock';

export interface EngineEndpoint {
  /** As users write it: `unix:///var/run/docker.sock`, `tcp://host:2376`. */
  url: string;
  /** True when DOCKER_HOST chose it (for the hint in connection errors). */
  fromEnv: boolean;
  kind: 'unix' | 'tcp' | 'ssh';
  socketPath?: string;
  host?: string;
  port?: number;
  tls: boolean;
  username?: string;
}

/** Reads DOCKER_HOST; throws EngineError for an address tsstack cannot use. */
export function resolveEndpoint(env: Record<string, string | undefined>): EngineEndpoint {
  const raw = env.DOCKER_HOST?.trim();
  if (!raw)
    return {
      url: `unix://${DEFAULT_SOCKET}`,
      fromEnv: false,
      kind: 'unix',
      socketPath: DEFAULT_SOCKET,
      tls: false,
    };
  if (raw.startsWith('unix://')) {
    const socketPath = raw.slice('unix://'.length) || DEFAULT_SOCKET;
    return { url: `unix://${socketPath}`, fromEnv: true, kind: 'unix', socketPath, tls: false };
  }
  const withScheme = raw.includes('://') ? raw : `tcp://${raw}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    throw new EngineError(
      `DOCKER_HOST=${raw} is not an address (expected unix:///path, tcp://host:port or ssh://user@host)`,
    );
  }
  if (u.protocol === 'ssh:') {
    return {
      url: withScheme,
      fromEnv: true,
      kind: 'ssh',
      host: u.hostname,
      port: u.port ? Number(u.port) : 22,
      username: u.username || undefined,
      tls: false,
    };
  }
  if (u.protocol !== 'tcp:' && u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new EngineError(
      `DOCKER_HOST=${raw} uses ${u.protocol}// which tsstack cannot use (expected unix://, tcp:// or ssh://)`,
    );
  }
  // As the docker CLI: any non-empty DOCKER_TLS_VERIFY turns TLS on (even "0").
  const tls = !!env.DOCKER_TLS_VERIFY || u.protocol === 'https:' || u.port === '2376';
  const port = u.port ? Number(u.port) : tls ? 2376 : 2375;
  return { url: `tcp://${u.hostname}:${port}`, fromEnv: true, kind: 'tcp', host: u.hostname, port, tls };
}

/** docker-modem also takes an HTTP agent, which @types/dockerode leaves out. */
export type ModemOptions = DockerOptions & { agent?: http.Agent };

/**
 * The keep-alive agent of a plain HTTP endpoint (a socket, or TCP without TLS). `servername: ''` (a TLS
 * option, meaningless here) stops Node's agent from working one out for every request: that calls
 * net.isIP on the host, whose IPv6 expression costs 3–4 ms to compile on a command's first request.
 */
function plainAgent(): http.Agent {
  return quietAgent(new http.Agent({ keepAlive: true, servername: '' } as http.AgentOptions));
}

/**
 * dockerode options for an endpoint, with one keep-alive agent reused by every call. No socket cap: log,
 * event and stats follows hold a connection each, and a cap would queue short calls behind them.
 */
export function modemOptions(ep: EngineEndpoint, env: Record<string, string | undefined>): ModemOptions {
  // Every key is set explicitly so docker-modem's own reading of process.env cannot override the endpoint.
  const base: ModemOptions = {
    socketPath: undefined,
    host: undefined,
    port: undefined,
    protocol: undefined,
    ca: undefined,
    cert: undefined,
    key: undefined,
    version: undefined,
  };
  const timeout = env.DOCKER_CLIENT_TIMEOUT ? Number(env.DOCKER_CLIENT_TIMEOUT) * 1000 : undefined;
  switch (ep.kind) {
    case 'unix':
      return {
        ...base,
        socketPath: ep.socketPath,
        agent: plainAgent(),
        timeout,
      };
    case 'ssh':
      return { ...base, protocol: 'ssh', host: ep.host, port: ep.port, username: ep.username, timeout };
    case 'tcp': {
      if (!ep.tls)
        return {
          ...base,
          protocol: 'http',
          host: ep.host,
          port: ep.port,
          agent: plainAgent(),
          timeout,
        };
      const certDir = env.DOCKER_CERT_PATH || join(homedir(), '.docker');
      const read = (f: string) => (existsSync(join(certDir, f)) ? readFileSync(join(certDir, f)) : undefined);
      return {
        ...base,
        protocol: 'https',
        host: ep.host,
        port: ep.port,
        // Without a ca.pem, Node's default trust, with NODE_EXTRA_CA_CERTS (core/extra-ca.ts).
        ca: read('ca.pem') ?? extraTrust(),
        cert: read('cert.pem'),
        key: read('key.pem'),
        agent: quietAgent(new https.Agent({ keepAlive: true })),
        timeout,
      };
    }
  }
}

/**
 * docker-modem formats every request's options with `util.inspect(options, { showHidden: true, depth: null
 * })` for its debug log, whether or not that log is on, and the options hold our agent: the whole agent,
 * every open socket (one per log follow) with its buffers, walked and printed for each engine call. In the
 * soak (50 followed containers, a restart every 2 s) that was 38 % of the supervisor's CPU and a burst of
 * garbage per call. The agent prints as one short line instead.
 */
function quietAgent<A extends http.Agent>(agent: A): A {
  Object.defineProperty(agent, inspect.custom, {
    value: () => `[${agent.constructor.name} keepAlive]`,
    enumerable: false,
  });
  return agent;
}

/** Podman sockets that exist on this machine (only used to suggest DOCKER_HOST in an error). */
export function podmanSocketsPresent(env: Record<string, string | undefined>): string[] {
  const candidates = [
    env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, 'podman', 'podman.sock') : undefined,
    '/run/podman/podman.sock',
  ];
  return candidates.filter((p): p is string => p !== undefined && existsSync(p));
}

/** One sentence naming where we looked, why it failed, and how to start an engine. */
export function unreachableMessage(
  ep: EngineEndpoint,
  cause: string,
  env: Record<string, string | undefined>,
): string {
  const where = `cannot reach a container engine at ${ep.url}${ep.fromEnv ? ' (from DOCKER_HOST)' : ''} (${cause})`;
  if (/EACCES|permission denied/i.test(cause))
    return `${where}; add your user to the docker group (\`sudo usermod -aG docker $USER\`, then log in again) or run as root`;
  if (ep.fromEnv) return `${where}; start the engine there, or unset DOCKER_HOST to use ${DEFAULT_SOCKET}`;
  const podman = podmanSocketsPresent(env)[0];
  const podmanHint = podman ? `, or use Podman with DOCKER_HOST=unix://${podman}` : '';
  return `${where}; start Docker (for example \`sudo dockerd &\` or \`sudo systemctl start docker\`) or set DOCKER_HOST${podmanHint}`;
}
