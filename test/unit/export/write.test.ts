import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { toKubernetes } from '../../../src/export/kubernetes/index.js';
import { fileName, writeObjectFiles, yamlStream } from '../../../src/export/kubernetes/write.js';
import { files } from './factory.js';
import { shopFiles, shopStack } from './stacks.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('writing the export', () => {
  const { objects } = toKubernetes(shopStack(), { readFile: files(shopFiles) });

  it('writes one YAML stream, every document starting with ---', () => {
    const stream = yamlStream(objects);
    expect(stream.startsWith('---\n')).toBe(true);
    expect(stream.split(/^---$/m).length - 1).toBe(objects.length);
    const docs = parseAllDocuments(stream);
    expect(docs.every((d) => d.errors.length === 0)).toBe(true);
    expect(docs.map((d) => (d.toJS() as { kind: string }).kind)).toEqual(objects.map((o) => o.kind));
  });

  it('does not fold long strings', () => {
    const long = 'x'.repeat(300);
    const stream = yamlStream([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { k: long } },
    ]);
    expect(stream).toContain(long);
  });

  it('writes one <kind>-<name>.yaml file per object with -o, creating the folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tsstack-export-'));
    dirs.push(dir);
    const out = join(dir, 'k8s', 'shop');
    const written = await writeObjectFiles(out, objects);
    const names = (await readdir(out)).sort();
    expect(names).toEqual(objects.map(fileName).sort());
    expect(names).toContain('statefulset-db.yaml');
    expect(names).toContain('service-proxy-published.yaml');
    expect(names).toContain('persistentvolumeclaim-pgdata.yaml');
    expect(written).toHaveLength(objects.length);
    const db = parse(await readFile(join(out, 'statefulset-db.yaml'), 'utf8')) as {
      kind: string;
      metadata: { name: string };
    };
    expect(db).toMatchObject({ kind: 'StatefulSet', metadata: { name: 'db' } });
  });
});
