/** What exists for a project, as observe(runtime) reports it: found by tsstack's labels alone. */
import type { ProcessSummary } from '../runtime/process/types.js';
import type { ContainerSummary, NetworkSummary, VolumeSummary } from '../runtime/types.js';

export interface ObservedContainer {
  id: string;
  name: string;
  service: string;
  /** 0 when the label is missing or not a number. */
  replica: number;
  oneoff: boolean;
  hash?: string;
  fields: Record<string, string>;
  imageId?: string;
  /** Services this container's service depended on when it was created (from its label). */
  dependsOn: string[];
  summary: ContainerSummary;
}

export interface ObservedState {
  project: string;
  containers: ObservedContainer[];
  networks: NetworkSummary[];
  volumes: VolumeSummary[];
  /** Host processes, from their supervisor (or the process table): running ones and those it remembers. */
  processes: ProcessSummary[];
}
