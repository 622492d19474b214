/**
 * dockerode, loaded without the parts a CLI run almost never needs.
 *
 * `require('dockerode')` eagerly loads its BuildKit session support (@grpc/grpc-js, @grpc/proto-loader,
 * protobufjs) and docker-modem eagerly loads ssh2 for `ssh://` hosts. Measured on the CI machine: node
 * alone starts in 0.05 s, with `require('dockerode')` in 0.22 s, which alone is most of the 0.2 s budget
 * of a no-op `tsstack up`. tsstack never opens a BuildKit session (it builds with the classic builder
 * API) and rarely talks to an `ssh://` host, so both modules are put in the require cache as thin
 * functions that load the real module on their first call. Behaviour is unchanged; only when the cost is
 * paid moves. test/unit/runtime/dockerode-lazy.test.ts checks both stand-ins reach the real code.
 * This is what dist/ (tests, benchmarks) runs; the CLI bundle replaces this module and defers the same
 * two modules when it is built (scripts/bundle.mjs), so that dockerode itself is in the code cache.
 */
import { createRequire, Module } from 'node:module';
import type DockerType from 'dockerode';

const require = createRequire(import.meta.url);

type AnyFn = (...args: unknown[]) => unknown;

/** Registers `path` in the require cache as a function that requires the real module when first called. */
function deferModule(request: string, from: string): string {
  const local = createRequire(from);
  const file = local.resolve(request);
  if (require.cache[file]) return file;
  let real: AnyFn | undefined;
  const stub = new Module(file) as Module & { filename: string; loaded: boolean };
  stub.filename = file;
  stub.loaded = true;
  stub.exports = function deferred(this: unknown, ...args: unknown[]): unknown {
    if (!real) {
      delete require.cache[file];
      real = local(file) as AnyFn;
      require.cache[file] = stub;
    }
    return real.apply(this, args);
  };
  require.cache[file] = stub;
  return file;
}

const dockerodeMain = require.resolve('dockerode');
const modemMain = createRequire(dockerodeMain).resolve('docker-modem');
/** Where the deferred modules live, for the test. */
export const deferredModules = {
  session: deferModule('./session.js', dockerodeMain),
  ssh: deferModule('./ssh.js', modemMain),
};

const Docker = require('dockerode') as typeof DockerType;
export default Docker;
