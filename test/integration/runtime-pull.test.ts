// pullImage end to end without the internet: a minimal registry (the v2 API's read side) on 127.0.0.1 serves
// a one-layer image built here; the engine pulls it over loopback (127.0.0.0/8 is an insecure registry by default).
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../../src/core/errors.js';
import { connectRuntime } from '../../src/runtime/index.js';
import type { ProgressEvent, Runtime } from '../../src/runtime/types.js';

const PROJECT = `t-pull-${Math.random().toString(36).slice(2, 8)}`;
const LABELS = { 'io.tsstack.project': PROJECT };
let rt: Runtime;
let server: Server;
let registry = '';
const blobs = new Map<string, Buffer>();
let manifest: Buffer;
let manifestDigest = '';

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function layerTar(): Promise<Buffer> {
  const p = pack();
  p.entry({ name: 'hello.txt', mode: 0o644 }, 'pulled over loopback\n');
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function buildImage(arch: string): Promise<void> {
  const tar = await layerTar();
  const gz = gzipSync(tar);
  const config = Buffer.from(
    JSON.stringify({
      architecture: arch,
      os: 'linux',
      config: { Labels: LABELS, Cmd: ['/hello.txt'] },
      rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
      history: [{ created_by: 'tsstack test' }],
    }),
  );
  blobs.set(sha256(gz), gz);
  blobs.set(sha256(config), config);
  manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: {
        mediaType: 'application/vnd.docker.container.image.v1+json',
        size: config.length,
        digest: sha256(config),
      },
      layers: [
        {
          mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
          size: gz.length,
          digest: sha256(gz),
        },
      ],
    }),
  );
  manifestDigest = sha256(manifest);
}

function serve(): Promise<number> {
  server = createServer((req, res) => {
    const url = req.url ?? '';
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url);
    const send = (status: number, body: Buffer, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Length': String(body.length), ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const notFound = (code: string) =>
      send(
        404,
        Buffer.from(JSON.stringify({ errors: [{ code, message: `${code.toLowerCase()}: ${url}` }] })),
        {
          'Content-Type': 'application/json',
        },
      );
    if (url === '/v2/' || url === '/v2')
      return send(200, Buffer.from('{}'), { 'Content-Type': 'application/json' });
    if (!m) return notFound('NAME_UNKNOWN');
    const [, , kind, ref] = m;
    if (kind === 'manifests') {
      if (ref !== 'v1' && ref !== manifestDigest) return notFound('MANIFEST_UNKNOWN');
      return send(200, manifest, {
        'Content-Type': 'application/vnd.docker.distribution.manifest.v2+json',
        'Docker-Content-Digest': manifestDigest,
      });
    }
    const blob = blobs.get(ref ?? '');
    return blob ? send(200, blob, { 'Content-Type': 'application/octet-stream' }) : notFound('BLOB_UNKNOWN');
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
}

beforeAll(async () => {
  rt = await connectRuntime({ env: process.env });
  const arch = (await rt.info()).arch;
  await buildImage(arch === 'x86_64' ? 'amd64' : arch === 'aarch64' ? 'arm64' : arch);
  registry = `127.0.0.1:${await serve()}`;
});

afterAll(async () => {
  if (rt) for (const i of await rt.listImages(LABELS)) await rt.removeImage(i.id, true);
  server?.close();
  server?.closeAllConnections();
});

describe('pullImage', () => {
  it('pulls from a registry with progress, and the image is then present', async () => {
    const ref = `${registry}/tsstack-test/${PROJECT}:v1`;
    expect(await rt.inspectImage(ref)).toBeUndefined();
    const progress: ProgressEvent[] = [];
    await rt.pullImage(ref, (p) => progress.push(p));
    const image = await rt.inspectImage(ref);
    expect(image?.labels).toEqual(LABELS);
    expect(image?.tags).toContain(ref);
    const messages = progress.map((p) => p.message);
    expect(messages.some((m) => m.startsWith('Status: Downloaded newer image'))).toBe(true);
    // Layers folded into one figure for the image, the last with every layer done and its bytes counted.
    const layers = progress.filter((p) => /^pulling \d+\/\d+ layers$/.test(p.message));
    expect(layers.length).toBeGreaterThan(0);
    expect(layers.at(-1)).toMatchObject({ message: 'pulling 1/1 layers', transient: true });
    expect((await rt.inspectImage(ref))?.lastTagTime).toBeDefined();
  });

  it('fails a missing tag with the engine words', async () => {
    const ref = `${registry}/tsstack-test/${PROJECT}:missing`;
    const err = await rt.pullImage(ref).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).message).toMatch(
      new RegExp(`^pull image ${ref.replace(/[.]/g, '\\.')}: .*manifest unknown`),
    );
  });
});
