// Golden files: the exact YAML stream and skipped-keys report for example stacks.
// Regenerate after an intended change with UPDATE_GOLDEN=1 and review the diff.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { toKubernetes } from '../../../src/export/kubernetes/index.js';
import { formatSkipped } from '../../../src/export/kubernetes/report.js';
import type { KubernetesExport } from '../../../src/export/kubernetes/types.js';
import { yamlStream } from '../../../src/export/kubernetes/write.js';
import { files } from './factory.js';
import { allErrors } from './kube-validate.js';
import { devStack, shopFiles, shopStack } from './stacks.js';

const GOLDEN = join(import.meta.dirname, 'golden');

function golden(name: string, actual: string): void {
  const path = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, actual);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

function checkGolden(name: string, result: KubernetesExport): void {
  expect(allErrors(result.objects)).toEqual([]);
  const stream = yamlStream(result.objects);
  // The stream parses back to the same objects.
  expect(parseAllDocuments(stream).map((d) => d.toJS())).toEqual(JSON.parse(JSON.stringify(result.objects)));
  golden(`${name}.yaml`, stream);
  golden(`${name}.skipped.txt`, result.skipped.map(formatSkipped).join('\n') + '\n');
}

describe('golden exports', () => {
  it('shop: proxy, API, database with a volume, worker, secret and config', () => {
    checkGolden('shop', toKubernetes(shopStack(), { readFile: files(shopFiles) }));
  });

  it('shop with --namespace and --init-image', () => {
    const r = toKubernetes(shopStack(), {
      readFile: files(shopFiles),
      namespace: 'shop-prod',
      initImage: 'registry.example.com/tools/busybox:1.36',
    });
    checkGolden('shop-namespaced', r);
  });

  it('dev: a development stack, mostly reported', () => {
    checkGolden('dev', toKubernetes(devStack(), { readFile: files({}) }));
  });
});
