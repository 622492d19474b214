// NODE_EXTRA_CA_CERTS moved aside by bin/tsstack for Node's start: put back for children, trusted by
// tsstack's own TLS connections (src/core/extra-ca.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { rootCertificates } from 'node:tls';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type * as ExtraCa from '../../../src/core/extra-ca.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tsstack-extra-ca-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh copy of the module: what it remembers is per process. */
async function fresh(): Promise<typeof ExtraCa> {
  vi.resetModules();
  return import('../../../src/core/extra-ca.js');
}

describe('moving NODE_EXTRA_CA_CERTS aside and back', () => {
  it('restore puts the variable back under its own name and nothing else changes', async () => {
    const m = await fresh();
    const env: NodeJS.ProcessEnv = { PATH: '/bin', [m.MOVED_EXTRA_CA]: '/etc/x.pem' };
    m.restoreExtraCaCerts(env);
    expect(env).toEqual({ PATH: '/bin', NODE_EXTRA_CA_CERTS: '/etc/x.pem' });
    m.restoreExtraCaCerts(env);
    expect(env).toEqual({ PATH: '/bin', NODE_EXTRA_CA_CERTS: '/etc/x.pem' });
  });

  it('defer is the inverse of restore, and leaves an environment without the variable as it is', async () => {
    const m = await fresh();
    const env: NodeJS.ProcessEnv = { HOME: '/root', NODE_EXTRA_CA_CERTS: '/etc/x.pem' };
    const moved = m.deferExtraCaCerts(env);
    expect(moved).toEqual({ HOME: '/root', [m.MOVED_EXTRA_CA]: '/etc/x.pem' });
    expect(env.NODE_EXTRA_CA_CERTS).toBe('/etc/x.pem');
    m.restoreExtraCaCerts(moved);
    expect(moved).toEqual(env);
    const none = { HOME: '/root' };
    expect(m.deferExtraCaCerts(none)).toBe(none);
  });

  it('a variable set beside the moved one wins, and then nothing counts as deferred', async () => {
    const m = await fresh();
    const file = path.join(dir, 'beside.pem');
    writeFileSync(file, 'PEM');
    const env: NodeJS.ProcessEnv = { NODE_EXTRA_CA_CERTS: '/etc/own.pem', [m.MOVED_EXTRA_CA]: file };
    m.restoreExtraCaCerts(env);
    expect(env).toEqual({ NODE_EXTRA_CA_CERTS: '/etc/own.pem' });
    expect(m.extraTrust()).toBeUndefined();
  });
});

describe('the trust of tsstack’s own TLS connections', () => {
  it('is Node’s default (undefined) when nothing was deferred', async () => {
    const m = await fresh();
    expect(m.extraTrust()).toBeUndefined();
  });

  it('is Node’s roots plus the deferred file, read once', async () => {
    const m = await fresh();
    const file = path.join(dir, 'extra.pem');
    writeFileSync(file, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    m.restoreExtraCaCerts({ [m.MOVED_EXTRA_CA]: file });
    const trust = m.extraTrust();
    expect(trust).toEqual([
      ...rootCertificates,
      '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
    ]);
    writeFileSync(file, 'changed');
    expect(m.extraTrust()).toBe(trust);
  });

  it('a file that cannot be read is reported once, as Node does, and Node’s default trust stays', async () => {
    const m = await fresh();
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      m.restoreExtraCaCerts({ [m.MOVED_EXTRA_CA]: path.join(dir, 'missing.pem') });
      expect(m.extraTrust()).toBeUndefined();
      expect(m.extraTrust()).toBeUndefined();
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toMatch(
        /Ignoring extra certs from `.*missing\.pem`, load failed: ENOENT/,
      );
    } finally {
      warn.mockRestore();
    }
  });
});
