// `tsstack export kubernetes` in-process: output modes, the report on stderr, exit codes.
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { main } from '../../../src/cli/main.js';

const HELLO = resolve(import.meta.dirname, '../../../examples/hello/stack.yml');

let dir: string;
let out: string;
let err: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tsstack-export-cli-'));
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  });
});

afterEach(async () => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
  await rm(dir, { recursive: true, force: true });
});

const run = (...args: string[]): Promise<number> => main(['node', 'tsstack', ...args]);

describe('tsstack export kubernetes', () => {
  it('prints one YAML stream on stdout and the report on stderr, exit 0', async () => {
    const code = await run('-f', HELLO, 'export', 'kubernetes');
    expect(code).toBe(0);
    const kinds = parseAllDocuments(out).map((d) => (d.toJS() as { kind: string }).kind);
    expect(kinds).toEqual(['PersistentVolumeClaim', 'Service', 'StatefulSet', 'Deployment']);
    expect(err).toContain(
      'not exported (1):\n  services.web.ports[0].host_ip: a Service cannot listen on one host address',
    );
  });

  it('writes one file per object with -o, sets --namespace and --init-image', async () => {
    const target = join(dir, 'manifests');
    const code = await run(
      '-f',
      HELLO,
      'export',
      'kubernetes',
      '-o',
      target,
      '--namespace',
      'demo',
      '--init-image',
      'tools/busybox:1',
    );
    expect(code).toBe(0);
    expect(out).toBe('');
    expect((await readdir(target)).sort()).toEqual([
      'deployment-client.yaml',
      'persistentvolumeclaim-site.yaml',
      'service-web.yaml',
      'statefulset-web.yaml',
    ]);
    const client = await readFile(join(target, 'deployment-client.yaml'), 'utf8');
    expect(client).toContain('namespace: demo');
    expect(client).toContain('image: tools/busybox:1');
  });

  it('exits 2 with file:line:col for an invalid stack and writes nothing', async () => {
    const bad = join(dir, 'stack.yml');
    await writeFile(bad, 'services:\n  web:\n    image: x\n    ports:\n      - "80:80:80"\n');
    const code = await run('-f', bad, 'export', 'kubernetes');
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(/stack\.yml:5:\d+ services\.web\.ports\[0\]/);
  });

  it('accepts any DNS-1123 label as namespace, including one starting with a digit', async () => {
    expect(await run('-f', HELLO, 'export', 'kubernetes', '--namespace', '1team')).toBe(0);
    expect(out).toContain('namespace: 1team');
  });

  it('exits 2 for a namespace that is not a DNS label', async () => {
    expect(await run('-f', HELLO, 'export', 'kubernetes', '--namespace', 'Bad_NS')).toBe(2);
    expect(err).toContain('--namespace "Bad_NS" is not a Kubernetes namespace name');
  });
});
