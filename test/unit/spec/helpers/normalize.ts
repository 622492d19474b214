// Test helper: normalize a YAML text through rawFromYaml and render problems as users see them.
import { formatProblem, type SpecProblem } from '../../../../src/spec/errors.js';
import { normalizeProject } from '../../../../src/spec/normalize/index.js';
import type { RawProject } from '../../../../src/spec/raw.js';
import { rawFromYaml } from './raw-from-yaml.js';

/** Normalizes `text` as the file `stack.yml`. */
export function normalizeYaml(text: string, extra: Partial<RawProject> = {}) {
  return normalizeProject(rawFromYaml(text, 'stack.yml', extra));
}

/** `stack.yml:4:9 services.web.ports[0]: message` lines. */
export function formatted(problems: SpecProblem[]): string[] {
  return problems.map(formatProblem);
}
