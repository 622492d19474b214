/** What should exist for a project: the shapes desired(stack) fills and the planners read. */
import type { ContainerCreateSpec, NetworkCreateSpec, VolumeCreateSpec } from '../runtime/types.js';
import type { DependsOn, UpdateConfig } from '../spec/types.js';

export interface DesiredContainer {
  service: string;
  replica: number;
  name: string;
  spec: ContainerCreateSpec;
  hash: string;
  fields: Record<string, string>;
}

export interface DesiredService {
  name: string;
  replicas: number;
  containers: DesiredContainer[];
  /** Explicit `depends_on` plus implicit needs (network_mode service:, volumes_from, links). */
  dependsOn: Record<string, DependsOn>;
  /** Engine names of the networks and volumes its containers use. */
  networks: string[];
  volumes: string[];
  /** False for one-shot services (another service waits for them to complete): an exited one is not started again. */
  longRunning: boolean;
  /** Services whose container this one shares (network_mode service:, volumes_from): recreated with them. */
  sharesWith: string[];
  /** Image ID the containers should run, when resolved (a different one means "image changed"). */
  imageId?: string;
  stopTimeout?: number;
  /** `deploy.update_config`: when set, a changed service is replaced by a rolling update. */
  updateConfig?: UpdateConfig;
}

export interface DesiredState {
  project: string;
  services: Record<string, DesiredService>;
  networks: DesiredNetwork[];
  volumes: DesiredVolume[];
}

export interface DesiredNetwork {
  /** The key under `networks:` in the stack. */
  key: string;
  /** Engine name. */
  name: string;
  external: boolean;
  spec: NetworkCreateSpec;
}

export interface DesiredVolume {
  key: string;
  /** Engine name. */
  name: string;
  external: boolean;
  spec: VolumeCreateSpec;
}
