/** Labels tsstack puts on everything it owns; the engine is the source of truth, found by these alone. */
export const LABEL = {
  project: 'io.tsstack.project',
  service: 'io.tsstack.service',
  replica: 'io.tsstack.replica',
  configHash: 'io.tsstack.config-hash',
  /** Short digests per config field, so a plan can say what changed. */
  configFields: 'io.tsstack.config-fields',
  oneoff: 'io.tsstack.oneoff',
  network: 'io.tsstack.network',
  volume: 'io.tsstack.volume',
  image: 'io.tsstack.image',
  version: 'io.tsstack.version',
  configFiles: 'io.tsstack.config-files',
  workingDir: 'io.tsstack.working-dir',
  dependsOn: 'io.tsstack.depends-on',
} as const;

/** The filter that selects a project's objects and nothing else. */
export function projectFilter(project: string): Record<string, string> {
  return { [LABEL.project]: project };
}
