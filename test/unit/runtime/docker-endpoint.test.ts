import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { rootCertificates } from 'node:tls';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { MOVED_EXTRA_CA, restoreExtraCaCerts } from '../../../src/core/extra-ca.js';
import { EngineError } from '../../../src/core/errors.js';
import { flavorOf, negotiateApiVersion } from '../../../src/runtime/docker.js';
import { engineWords } from '../../../src/runtime/docker-errors.js';
import { modemOptions, resolveEndpoint, unreachableMessage } from '../../../src/runtime/docker-endpoint.js';

describe('resolveEndpoint', () => {
  it('uses the default socket without DOCKER_HOST', () => {
    expect(resolveEndpoint({})).toMatchObject({
      url: 'unix:///var/run/docker.sock',
      kind: 'unix',
      fromEnv: false,
    });
  });
  it('reads unix, tcp and tls addresses', () => {
    expect(resolveEndpoint({ DOCKER_HOST: 'unix:///run/podman/podman.sock' })).toMatchObject({
      kind: 'unix',
      socketPath: '/run/podman/podman.sock',
      fromEnv: true,
    });
    expect(resolveEndpoint({ DOCKER_HOST: 'tcp://10.0.0.2' })).toMatchObject({
      kind: 'tcp',
      port: 2375,
      tls: false,
    });
    expect(resolveEndpoint({ DOCKER_HOST: 'tcp://h:2376' })).toMatchObject({ tls: true, port: 2376 });
    expect(resolveEndpoint({ DOCKER_HOST: 'tcp://h', DOCKER_TLS_VERIFY: '1' })).toMatchObject({
      url: 'tcp://h:2376',
      tls: true,
    });
    // The docker CLI treats any non-empty DOCKER_TLS_VERIFY as on.
    expect(resolveEndpoint({ DOCKER_HOST: 'tcp://h:2375', DOCKER_TLS_VERIFY: '0' }).tls).toBe(true);
    expect(resolveEndpoint({ DOCKER_HOST: 'ssh://me@box' })).toMatchObject({
      kind: 'ssh',
      host: 'box',
      username: 'me',
    });
  });
  it('rejects addresses it cannot use', () => {
    expect(() => resolveEndpoint({ DOCKER_HOST: 'npipe:////./pipe/docker_engine' })).toThrow(EngineError);
  });
});

describe('connection messages and negotiation', () => {
  it('says where it looked and how to start Docker in one sentence', () => {
    const msg = unreachableMessage(resolveEndpoint({}), 'connect ENOENT /var/run/docker.sock', {});
    expect(msg).toBe(
      'cannot reach a container engine at unix:///var/run/docker.sock (connect ENOENT /var/run/docker.sock); start Docker (for example `sudo dockerd &` or `sudo systemctl start docker`) or set DOCKER_HOST',
    );
    expect(unreachableMessage(resolveEndpoint({}), 'connect EACCES /var/run/docker.sock', {})).toContain(
      'docker group',
    );
  });
  it('pins the API version to the lower of the engine and tsstack', () => {
    expect(negotiateApiVersion('1.41')).toBe('1.41');
    expect(negotiateApiVersion('1.47')).toBe('1.45');
    expect(negotiateApiVersion(undefined)).toBe('1.45');
  });
  it('detects Podman from /version', () => {
    expect(flavorOf({ Components: [{ Name: 'Podman Engine' }] })).toBe('podman');
    expect(
      flavorOf({ Platform: { Name: 'Docker Engine - Community' }, Components: [{ Name: 'Engine' }] }),
    ).toBe('docker');
  });
  it("keeps the engine's own words from a dockerode error", () => {
    expect(
      engineWords({
        statusCode: 404,
        json: { message: 'No such container: x' },
        message: '(HTTP code 404) ...',
      }),
    ).toBe('No such container: x');
    expect(engineWords(new Error('(HTTP code 500) server error - boom '))).toBe('boom');
    expect(engineWords(new Error('connect ECONNREFUSED 127.0.0.1:1'))).toBe(
      'connect ECONNREFUSED 127.0.0.1:1',
    );
  });
});

describe('modemOptions', () => {
  it("gives an agent that prints as one short line (docker-modem inspects every request's options)", () => {
    for (const host of [undefined, 'tcp://127.0.0.1:2375']) {
      const env = { DOCKER_HOST: host };
      const opts = modemOptions(resolveEndpoint(env), env);
      expect(opts.agent).toBeDefined();
      // As docker-modem formats them before each request, whether its debug log is on or not.
      const text = inspect(opts, { showHidden: true, depth: null });
      expect(text).toContain('[Agent keepAlive]');
      expect(text.length).toBeLessThan(400);
    }
  });

  it('trusts a TLS engine with its ca.pem, else with Node’s roots and a NODE_EXTRA_CA_CERTS moved aside at start', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tsstack-endpoint-'));
    try {
      const env = { DOCKER_HOST: 'tcp://127.0.0.1:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir };
      expect(modemOptions(resolveEndpoint(env), env).ca).toBeUndefined();
      writeFileSync(path.join(dir, 'extra.pem'), 'EXTRA');
      restoreExtraCaCerts({ [MOVED_EXTRA_CA]: path.join(dir, 'extra.pem') });
      expect(modemOptions(resolveEndpoint(env), env).ca).toEqual([...rootCertificates, 'EXTRA']);
      writeFileSync(path.join(dir, 'ca.pem'), 'ENGINE CA');
      expect(String(modemOptions(resolveEndpoint(env), env).ca)).toBe('ENGINE CA');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
