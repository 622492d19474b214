/** The engine's unix socket the tests run against: DOCKER_HOST's (the second engine's run sets it), else the default. */
export function engineSocket(env: NodeJS.ProcessEnv = process.env): string {
  const host = env.DOCKER_HOST?.trim();
  if (host?.startsWith('unix://')) return host.slice('unix://'.length);
  return '/var/run/docker.sock';
}
