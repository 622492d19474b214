import type { Stack } from './types.js';

/** Environment keys whose values are treated as secrets in printed output (Compose users' usual names). */
const SECRET_KEY =
  /(PASSW(OR)?D|PASSWD|SECRET|TOKEN|(^|_)KEY($|_)|APIKEY|PRIVATE|CREDENTIAL|AUTH|COOKIE|SALT|(^|_)DSN($|_))/i;

/** The mark put in place of a redacted value. */
export const REDACTED = '**redacted**';

/** True when an environment key's value should not be printed. */
export function looksSecret(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** A copy of the stack whose secret-looking environment values (and build args) are replaced by REDACTED. */
export function redactStack(stack: Stack): Stack {
  const services: Stack['services'] = {};
  for (const [name, svc] of Object.entries(stack.services)) {
    services[name] = {
      ...svc,
      environment: redactRecord(svc.environment),
      ...(svc.build?.args ? { build: { ...svc.build, args: redactRecord(svc.build.args) } } : {}),
    };
  }
  return { ...stack, services };
}

function redactRecord<V extends string | null>(env: Record<string, V>): Record<string, V> {
  const out: Record<string, V> = {};
  for (const [k, v] of Object.entries(env)) out[k] = (v !== null && looksSecret(k) ? REDACTED : v) as V;
  return out;
}
