import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import Docker, { deferredModules } from '../../../src/runtime/dockerode.js';

const require = createRequire(import.meta.url);
const loaded = (pattern: RegExp) => Object.keys(require.cache).filter((k) => pattern.test(k));

describe('dockerode with deferred session and ssh modules', () => {
  it('gives a working Docker class without loading gRPC, protobuf or ssh2', () => {
    const docker = new Docker({ socketPath: '/nonexistent.sock' });
    expect(typeof docker.listContainers).toBe('function');
    expect(loaded(/node_modules\/(@grpc|protobufjs|ssh2)\//)).toEqual([]);
  });

  it('loads the real BuildKit session code on first use and runs it', async () => {
    const withSession = require.cache[deferredModules.session]?.exports as (
      docker: unknown,
      auth: unknown,
      handler: (err: Error | null) => void,
    ) => void;
    const failure = new Error('no engine here');
    const docker = { modem: { dial: (_o: unknown, cb: (e: Error) => void) => cb(failure) } };
    const err = await new Promise<Error | null>((resolve) => withSession(docker, {}, resolve));
    expect(err).toBe(failure);
    expect(loaded(/node_modules\/@grpc\/grpc-js\//).length).toBeGreaterThan(0);
  });

  it('loads the real ssh agent on first use', () => {
    const ssh = require.cache[deferredModules.ssh]?.exports as (opt: object) => { createConnection: unknown };
    const agent = ssh({ host: '127.0.0.1' });
    expect(typeof agent.createConnection).toBe('function');
    expect(loaded(/node_modules\/ssh2\//).length).toBeGreaterThan(0);
  });
});
