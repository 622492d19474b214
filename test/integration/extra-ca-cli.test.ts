// bin/tsstack moves NODE_EXTRA_CA_CERTS aside while Node starts (src/core/extra-ca.ts). Through the real
// command, with a certificate only that file vouches for: Node reads nothing at start, a host process sees
// the variable as the user set it, and the detached supervisor's https health probe trusts the certificate.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { processProject, type ProcessProject } from './helpers/processes.js';
import { COMMAND, tsstack } from './helpers/stack-cli.js';

let dir: string;
let cert: string;
let server: Server;
let port: number;
const projects: ProcessProject[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tsstack-extra-ca-'));
  cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'pipe' },
  );
  server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterEach(async () => {
  for (const p of projects.splice(0)) await p.cleanup();
});
afterAll(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A stack of one host process that records the variables it sees, probed over https on the server. */
async function probed(): Promise<ProcessProject> {
  const p = await processProject('t-extraca', {
    yaml: `x-tsstack:
  processes:
    web:
      command: ["sh", "-c", "printf '%s|%s' \\"$$NODE_EXTRA_CA_CERTS\\" \\"$\${TSSTACK_NODE_EXTRA_CA_CERTS-unset}\\" > seen.txt; exec sleep 300"]
      healthcheck:
        http_get: { port: ${port}, scheme: https }
        interval: 200ms
        retries: 2
`,
  });
  projects.push(p);
  return p;
}

describe('NODE_EXTRA_CA_CERTS through bin/tsstack', () => {
  it('Node does not read the file at start (node bin/tsstack.js does, and warns of a missing one)', async () => {
    const missing = { NODE_EXTRA_CA_CERTS: path.join(dir, 'missing.pem') };
    const direct = await tsstack(['--version'], missing);
    expect(direct.stderr).toMatch(/Ignoring extra certs from/);
    const command = await tsstack(['--version'], missing, 60_000, true);
    expect(command.code, command.stderr).toBe(0);
    expect(command.stdout).toMatch(/\d+\.\d+\.\d+/);
    expect(command.stderr).not.toMatch(/Ignoring extra certs/);
  });

  it('the command runs through a symbolic link, as npm installs it (absolute or relative)', () => {
    const bin = path.join(dir, 'bin');
    mkdirSync(bin);
    symlinkSync(COMMAND, path.join(bin, 'tsstack'));
    symlinkSync(path.relative(bin, COMMAND), path.join(bin, 'tsstack-rel'));
    for (const name of ['tsstack', 'tsstack-rel']) {
      const out = execFileSync(path.join(bin, name), ['--version'], { cwd: dir, encoding: 'utf8' });
      expect(out).toMatch(/^\d+\.\d+\.\d+/);
    }
    const viaPath = execFileSync('tsstack', ['--version'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` },
    });
    expect(viaPath).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('without the file the https probe fails: the certificate is trusted only through it', async () => {
    const p = await probed();
    const up = await p.cli(['up', '-d', '--wait', '--wait-timeout', '20'], {}, 120_000, true);
    expect(up.code).not.toBe(0);
    expect(up.stderr).toMatch(/web/);
  });

  it('a host process sees the variable unchanged, and the supervisor’s https probe trusts the file', async () => {
    const p = await probed();
    const up = await p.cli(
      ['up', '-d', '--wait', '--wait-timeout', '20'],
      { NODE_EXTRA_CA_CERTS: cert },
      120_000,
      true,
    );
    expect(up.code, up.stderr).toBe(0);
    expect(readFileSync(path.join(p.dir, 'seen.txt'), 'utf8')).toBe(`${cert}|unset`);
    const ps = await p.cli(['ps'], { NODE_EXTRA_CA_CERTS: cert }, 60_000, true);
    expect(ps.stdout).toMatch(/web.*healthy/);
    const down = await p.cli(['down'], { NODE_EXTRA_CA_CERTS: cert }, 60_000, true);
    expect(down.code, down.stderr).toBe(0);
  });
});
