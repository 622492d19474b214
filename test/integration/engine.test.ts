import Docker from 'dockerode';
import { describe, expect, it } from 'vitest';

// Proves the engine that .ci/run starts answers from Node; every other integration test depends on it.
describe('engine', () => {
  it('answers ping and reports its version', async () => {
    const docker = new Docker();
    const pong = await docker.ping();
    expect(String(pong)).toBe('OK');
    const version = await docker.version();
    expect(version.ApiVersion).toMatch(/^1\.\d+$/);
    expect(version.Version.length).toBeGreaterThan(0);
  });

  it('has the locally built test image', async () => {
    const docker = new Docker();
    const image = await docker.getImage('tsstack-test/busybox:latest').inspect();
    expect(image.Id).toMatch(/^sha256:/);
  });
});
