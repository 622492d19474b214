/**
 * NODE_EXTRA_CA_CERTS without its start-up cost.
 *
 * Node 20 reads the file NODE_EXTRA_CA_CERTS names, and builds its store of the ~140 root certificates it
 * carries, while it starts, before any JavaScript runs: on a 2-core machine a Node start took 49 ms with
 * the variable set (to Debian's CA bundle) instead of 18 ms, on every command. Machines behind a
 * TLS-inspecting proxy set it for every program; tsstack's commands almost never open a TLS connection
 * themselves (the engine pulls images, not tsstack).
 *
 * So `bin/tsstack` (and the start of the detached supervisor, `deferExtraCaCerts`) hands the variable to
 * Node under another name, and the entry points put it back first thing (`restoreExtraCaCerts`): every
 * program tsstack starts (host processes, hooks, the docker CLI plugins) sees the environment unchanged.
 * The few TLS connections tsstack makes itself with Node's default trust (an engine over TCP+TLS without
 * a `ca.pem`, an https health probe of a host process) take `extraTrust()`: Node's own roots plus the
 * file's certificates, read on first use, which is what Node would have trusted.
 */
import { readFileSync } from 'node:fs';
// Loaded on first use in the CLI bundle (scripts/bundle.mjs): only a TLS connection needs it.
import { rootCertificates } from 'node:tls';

/** Where bin/tsstack puts NODE_EXTRA_CA_CERTS for the entry point to restore. */
export const MOVED_EXTRA_CA = 'TSSTACK_NODE_EXTRA_CA_CERTS';

/** The file this process's Node did not read at start (restored by `restoreExtraCaCerts`). */
let deferred: string | undefined;
/** The trust list built from it: undefined, not built yet; null, the file could not be read. */
let trust: string[] | null | undefined;

/**
 * Puts NODE_EXTRA_CA_CERTS back where bin/tsstack moved it from, and remembers that this process's Node
 * did not load it. Call it before anything reads or copies the environment; a second call does nothing.
 */
export function restoreExtraCaCerts(env: NodeJS.ProcessEnv = process.env): void {
  const file = env[MOVED_EXTRA_CA];
  if (file === undefined) return;
  delete env[MOVED_EXTRA_CA];
  // Set by hand beside the moved one: Node read that one at start, and it stays.
  if (env.NODE_EXTRA_CA_CERTS !== undefined) return;
  env.NODE_EXTRA_CA_CERTS = file;
  deferred = file;
  trust = undefined;
}

/** The environment for starting another Node process of tsstack's own, which restores it at its start. */
export function deferExtraCaCerts(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const file = env.NODE_EXTRA_CA_CERTS;
  if (!file) return env;
  const out: NodeJS.ProcessEnv = { ...env, [MOVED_EXTRA_CA]: file };
  delete out.NODE_EXTRA_CA_CERTS;
  return out;
}

/**
 * The `ca` for a TLS connection tsstack opens with Node's default trust: Node's roots plus the deferred
 * NODE_EXTRA_CA_CERTS file, or undefined when Node's default store already holds everything (nothing was
 * deferred). A file that cannot be read is reported once, as Node itself does, and then ignored.
 */
export function extraTrust(): string[] | undefined {
  if (deferred === undefined) return undefined;
  if (trust === undefined) {
    try {
      const pem = readFileSync(deferred, 'utf8');
      trust = [...rootCertificates, pem];
    } catch (err) {
      process.emitWarning(
        `Ignoring extra certs from \`${deferred}\`, load failed: ${(err as Error).message}`,
      );
      trust = null;
    }
  }
  return trust ?? undefined;
}
