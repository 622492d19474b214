/** Writes exported objects as one YAML stream or as one file per object. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { KubeObject } from './types.js';

function toYaml(obj: KubeObject): string {
  // lineWidth 0: never fold long strings (commands, certificates) across lines.
  return stringify(obj, { lineWidth: 0 });
}

/** All objects as one multi-document YAML stream (`---` between documents). */
export function yamlStream(objects: readonly KubeObject[]): string {
  return objects.map((o) => `---\n${toYaml(o)}`).join('');
}

/** `<kind>-<name>.yaml`, lowercase. */
export function fileName(obj: KubeObject): string {
  return `${obj.kind}-${obj.metadata?.name ?? 'unnamed'}.yaml`.toLowerCase();
}

/** Writes one file per object into `dir` (created if missing); returns the paths written. */
export async function writeObjectFiles(dir: string, objects: readonly KubeObject[]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const obj of objects) {
    const path = join(dir, fileName(obj));
    await writeFile(path, toYaml(obj), 'utf8');
    written.push(path);
  }
  return written;
}
