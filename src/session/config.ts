/**
 * `tsstack config`: the stack as loaded — normalized (the default), merged but not normalized
 * (`--no-normalize`), not interpolated (`--no-interpolate`), or one of its lists (services, volumes,
 * profiles, images, config hashes, variables) — to stdout or a file (`-o`).
 */
import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { EngineError } from '../core/errors.js';
import { checkServiceNames } from '../reconciler/converge.js';
import { desired, desiredContainer, serviceImage } from '../reconciler/desired.js';
import { withDependencies } from '../reconciler/plan.js';
import { loadRawStack } from '../spec/index.js';
import { printStack } from '../spec/print.js';
import type { RawProject } from '../spec/raw.js';
import { redactStack } from '../spec/redact.js';
import type { Stack } from '../spec/types.js';
import { stackVariables } from '../spec/variables.js';
import { renderTable } from './project-containers.js';
import { loadProject, runtimeFromEnv, specOptions, type GlobalOptions } from './project.js';

export type ConfigList = 'services' | 'volumes' | 'profiles' | 'images' | 'variables';

export interface ConfigRequest {
  services: string[];
  format: 'yaml' | 'json';
  /** Print one list instead of the stack. */
  list?: ConfigList;
  /** `--hash "*"` or `--hash web,db`: `service hash` lines. */
  hash?: string;
  quiet?: boolean;
  redact: boolean;
  interpolate: boolean;
  normalize: boolean;
  resolvePaths: boolean;
  consistency: boolean;
  resolveImageDigests?: boolean;
  /** Write to this file instead of stdout. */
  output?: string;
}

/** The document in the chosen format (raw documents keep their own key order). */
function serialize(doc: unknown, format: 'yaml' | 'json'): string {
  return format === 'json' ? `${JSON.stringify(doc, null, 2)}\n` : stringify(doc, { lineWidth: 0 });
}

/** A raw document with only the selected services. */
function rawDocument(raw: RawProject, services: string[] | undefined): Record<string, unknown> {
  const all = (raw.data.services ?? {}) as Record<string, unknown>;
  const kept = services ? Object.fromEntries(services.map((n) => [n, all[n]])) : all;
  return { name: raw.projectName, ...raw.data, services: kept };
}

/** `--resolve-image-digests`: each image pinned to the digest the engine knows for it (no registry is asked). */
async function pinDigests(stack: Stack): Promise<Stack> {
  const runtime = await runtimeFromEnv();
  const services = { ...stack.services };
  for (const [name, s] of Object.entries(services)) {
    if (!s.image || s.image.includes('@')) continue;
    const repo = s.image.replace(/:[^/:]+$/, '');
    const digest = (await runtime.inspectImage(s.image))?.digests?.find((d) => d.startsWith(`${repo}@`));
    if (!digest)
      throw new EngineError(
        `service ${name}: no digest known for image ${s.image} (it was not pulled from a registry; tsstack asks none)`,
      );
    services[name] = { ...s, image: `${s.image}@${digest.slice(digest.indexOf('@') + 1)}` };
  }
  return { ...stack, services };
}

/** The text `config` prints for the request. */
export async function configText(g: GlobalOptions, r: ConfigRequest): Promise<string> {
  const spec = { interpolate: r.interpolate, resolvePaths: r.resolvePaths, consistency: r.consistency };
  if (r.list === 'variables' || !r.interpolate) {
    const raw = await loadRawStack(specOptions(g, { ...spec, interpolate: false }));
    if (r.quiet) return '';
    if (r.list === 'variables') {
      const vars = stackVariables(raw.data);
      if (r.format === 'json') return `${JSON.stringify(vars, null, 2)}\n`;
      const rows = vars.map((v) => [v.name, String(v.required), v.defaultValue, v.alternateValue]);
      return renderTable(['NAME', 'REQUIRED', 'DEFAULT VALUE', 'ALTERNATE VALUE'], rows);
    }
    return serialize(rawDocument(raw, r.services.length > 0 ? r.services : undefined), r.format);
  }
  const { stack: loaded, raw } = await loadProject(g, { spec });
  checkServiceNames(loaded, r.services);
  const names = r.services.length > 0 ? withDependencies(desired(loaded), r.services) : undefined;
  const stack = names
    ? { ...loaded, services: Object.fromEntries(names.sort().map((n) => [n, loaded.services[n]!])) }
    : loaded;
  if (r.quiet) return '';
  const lines = (xs: string[]) => xs.map((x) => `${x}\n`).join('');
  if (r.hash !== undefined) {
    const wanted = r.hash === '*' ? Object.keys(stack.services) : r.hash.split(',').map((s) => s.trim());
    checkServiceNames(stack, wanted);
    const hashOf = (n: string) => desiredContainer(stack, stack.services[n]!, { replica: 1 }).hash;
    return lines(wanted.sort().map((n) => `${n} ${hashOf(n)}`));
  }
  switch (r.list) {
    case 'services':
      return lines(Object.keys(stack.services));
    case 'volumes':
      return lines(Object.keys(stack.volumes));
    case 'profiles':
      return lines(definedProfiles(raw));
    case 'images':
      return lines(Object.values(stack.services).map((s) => serviceImage(stack, s)));
  }
  if (!r.normalize && raw) return serialize(rawDocument(raw, names), r.format);
  const pinned = r.resolveImageDigests ? await pinDigests(stack) : stack;
  const text = printStack(r.redact ? redactStack(pinned) : pinned, r.format);
  return text.endsWith('\n') ? text : `${text}\n`;
}

/** Prints (or with `-o` writes) what `config` asks for. */
export async function runConfig(g: GlobalOptions, r: ConfigRequest): Promise<void> {
  const text = await configText(g, r);
  if (r.output !== undefined) await writeFile(r.output, text);
  else if (text) process.stdout.write(text);
}

/** Every profile named by a service, active or not (the normalized stack keeps only active services). */
function definedProfiles(raw: RawProject | undefined): string[] {
  const services = raw?.data.services;
  const names = new Set<string>();
  if (services && typeof services === 'object') {
    for (const svc of Object.values(services as Record<string, unknown>)) {
      const profiles = (svc as { profiles?: unknown } | null)?.profiles;
      if (Array.isArray(profiles)) for (const p of profiles) if (typeof p === 'string') names.add(p);
    }
  }
  return [...names].sort();
}
