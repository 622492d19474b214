/** What should exist for a project: the shapes desired(stack) fills and the planners read. */
import type { ProcessCreateSpec } from '../runtime/process/types.js';
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
  /**
   * Explicit `depends_on` plus implicit needs (network_mode service:, volumes_from, links), and the host
   * processes of `x-tsstack.depends_on` (names are unique across services and processes).
   */
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

/** One replica of a host process: its start spec and config hash. */
export interface DesiredProcess {
  service: string;
  replica: number;
  name: string;
  spec: ProcessCreateSpec;
  hash: string;
  fields: Record<string, string>;
}

/** A host process of `x-tsstack.processes`, planned beside the services in one graph. */
export interface DesiredProcessService {
  name: string;
  replicas: number;
  processes: DesiredProcess[];
  /** Services and other processes it waits for, with their conditions. */
  dependsOn: Record<string, DependsOn>;
  /** Seconds between the stop signal and SIGKILL. */
  stopTimeout: number;
  /** False for a one-shot others wait to complete: once it exited 0 it is not started again. */
  longRunning: boolean;
}

export interface DesiredState {
  project: string;
  services: Record<string, DesiredService>;
  processes: Record<string, DesiredProcessService>;
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
