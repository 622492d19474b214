// The fixture corpus and the examples through the real loader: every exported object validates, and every
// key Kubernetes cannot express is in the report (checked against an independent list computed from the Stack).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toKubernetes } from '../../../src/export/kubernetes/index.js';
import { toDnsLabel } from '../../../src/export/kubernetes/names.js';
import { formatSkipped } from '../../../src/export/kubernetes/report.js';
import { yamlStream } from '../../../src/export/kubernetes/write.js';
import { SpecError } from '../../../src/spec/errors.js';
import { loadStack } from '../../../src/spec/index.js';
import type { Stack } from '../../../src/spec/types.js';
import { allErrors } from './kube-validate.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const FIXTURES = join(ROOT, 'test/fixtures');
const fixtures = existsSync(FIXTURES)
  ? readdirSync(FIXTURES).filter((d) => d !== 'invalid' && statSync(join(FIXTURES, d)).isDirectory())
  : [];

/** Paths the report must contain, derived from the Stack without the translator's code. */
function mustReport(stack: Stack, env: Record<string, string>): string[] {
  const out: string[] = [];
  for (const s of Object.values(stack.services)) {
    const at = `services.${s.name}`;
    if (s.image === undefined) out.push(s.build ? `${at}.build` : at);
    else if (s.build) out.push(`${at}.build`);
    s.volumes.forEach((v, i) => {
      if (v.type === 'bind') out.push(`${at}.volumes[${i}]`);
    });
    s.ports.forEach((p, i) => {
      if (p.host_ip !== undefined && p.host_ip !== '0.0.0.0' && p.host_ip !== '::')
        out.push(`${at}.ports[${i}].host_ip`);
    });
    for (const [dep, d] of Object.entries(s.depends_on)) {
      if (d.condition === 'service_completed_successfully') out.push(`${at}.depends_on.${dep}.condition`);
    }
    if (s.restart !== undefined && s.restart !== 'always') out.push(`${at}.restart`);
    if (s.network_mode !== undefined && s.network_mode !== 'host' && s.network_mode !== 'bridge')
      out.push(`${at}.network_mode`);
    if (s.devices.length > 0) out.push(`${at}.devices`);
    if (Object.keys(s.ulimits).length > 0) out.push(`${at}.ulimits`);
    if (s.volumes_from.length > 0) out.push(`${at}.volumes_from`);
    if (s.links.length > 0) out.push(`${at}.links`);
    for (const key of [
      'container_name',
      'logging',
      'init',
      'stop_signal',
      'develop',
      'cpu_shares',
      'pids_limit',
    ] as const) {
      if (s[key] !== undefined) out.push(`${at}.${key}`);
    }
    for (const key of Object.keys(s.extensions)) out.push(`${at}.${key}`);
  }
  for (const [key, n] of Object.entries(stack.networks))
    if (key !== 'default' || n.internal || n.external) out.push(`networks.${key}`);
  for (const kind of ['secrets', 'configs'] as const) {
    for (const [key, f] of Object.entries(stack[kind])) {
      if (f.environment !== undefined && env[f.environment] === undefined)
        out.push(`${kind}.${key}.environment`);
    }
  }
  return out;
}

/** Objects the export refers to but does not create: external volumes, secrets and configs. */
function externalObjects(stack: Stack): Set<string> {
  const out = new Set<string>();
  for (const v of Object.values(stack.volumes))
    if (v.external) out.add(`PersistentVolumeClaim/${toDnsLabel(v.name)}`);
  for (const v of Object.values(stack.secrets)) if (v.external) out.add(`Secret/${toDnsLabel(v.name)}`);
  for (const v of Object.values(stack.configs)) if (v.external) out.add(`ConfigMap/${toDnsLabel(v.name)}`);
  return out;
}

async function load(dir: string, files: string[] = []): Promise<Stack> {
  const { stack } = await loadStack({ files, cwd: dir, envFiles: [], profiles: [], env: {} });
  return stack;
}

describe('fixture corpus through loadStack + toKubernetes', () => {
  it('has fixtures to run', () => {
    expect(fixtures.length).toBeGreaterThan(0);
  });

  for (const name of fixtures) {
    it(name, async (t) => {
      let stack: Stack;
      try {
        stack = await load(join(FIXTURES, name));
      } catch (err) {
        // The loader's verdict on the fixture is the spec tests' business; an invalid stack cannot be exported.
        if (err instanceof SpecError) return t.skip(`loadStack rejects it: ${err.message.split('\n')[0]}`);
        throw err;
      }
      const result = toKubernetes(stack, { readFile: (p) => readFileSync(p), env: {} });
      expect(allErrors(result.objects, externalObjects(stack))).toEqual([]);
      const reported = new Set(result.skipped.map((s) => s.path));
      expect(mustReport(stack, {}).filter((p) => !reported.has(p))).toEqual([]);
      const withImage = Object.values(stack.services).filter((s) => s.image !== undefined);
      const workloads = result.objects.filter((o) =>
        ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind),
      );
      expect(workloads).toHaveLength(withImage.length);
    });
  }
});

describe('examples', () => {
  const hello = join(ROOT, 'examples/hello/stack.yml');
  it.skipIf(!existsSync(hello))('hello matches its golden export', async () => {
    const stack = await load(join(ROOT, 'examples/hello'), [hello]);
    const result = toKubernetes(stack, { readFile: (p) => readFileSync(p), env: {} });
    expect(allErrors(result.objects)).toEqual([]);
    const golden = join(import.meta.dirname, 'golden');
    const stream = yamlStream(result.objects);
    const report = result.skipped.map(formatSkipped).join('\n') + '\n';
    if (process.env.UPDATE_GOLDEN === '1') {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(join(golden, 'hello.yaml'), stream);
      writeFileSync(join(golden, 'hello.skipped.txt'), report);
    }
    expect(stream).toBe(readFileSync(join(golden, 'hello.yaml'), 'utf8'));
    expect(report).toBe(readFileSync(join(golden, 'hello.skipped.txt'), 'utf8'));
  });
});
