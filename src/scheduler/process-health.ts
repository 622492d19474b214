/**
 * The health of a host process from its probe results, with Docker's rules and defaults: `retries`
 * failures in a row make it unhealthy, one pass makes it healthy, failures inside `start_period` do not
 * count, and probes run every `interval` (every `start_interval` inside the start period). One difference,
 * on purpose: the first probe runs as soon as the process starts rather than one interval later, since a
 * host process is usually up in well under Docker's 30 s default interval. Pure: callers pass the clock.
 */
import type { ProbeConfig, ProcessHealth } from '../runtime/process/types.js';

export const HEALTH_DEFAULTS = { interval: 30_000, timeout: 30_000, retries: 3, startInterval: 5_000 };

export class HealthTracker {
  health: ProcessHealth = 'starting';
  failures = 0;
  lastDetail: string | undefined;

  constructor(
    private readonly config: ProbeConfig,
    private readonly startedAt: number,
  ) {}

  get timeoutMs(): number {
    return this.config.timeout ?? HEALTH_DEFAULTS.timeout;
  }

  private inStartPeriod(now: number): boolean {
    return now - this.startedAt < (this.config.startPeriod ?? 0);
  }

  /** Milliseconds until the next probe. */
  nextDelay(now: number): number {
    if (this.inStartPeriod(now) && this.health === 'starting')
      return this.config.startInterval ?? Math.min(HEALTH_DEFAULTS.startInterval, this.interval);
    return this.interval;
  }

  private get interval(): number {
    return this.config.interval ?? HEALTH_DEFAULTS.interval;
  }

  /** Folds one probe result in; returns the new health when it changed. */
  record(ok: boolean, now: number, detail?: string): ProcessHealth | undefined {
    this.lastDetail = detail;
    if (ok) {
      this.failures = 0;
      return this.set('healthy');
    }
    if (this.inStartPeriod(now) && this.health === 'starting') return undefined;
    this.failures++;
    return this.failures >= (this.config.retries ?? HEALTH_DEFAULTS.retries)
      ? this.set('unhealthy')
      : undefined;
  }

  private set(h: ProcessHealth): ProcessHealth | undefined {
    if (this.health === h) return undefined;
    this.health = h;
    return h;
  }
}

/** Longest a process can take to report healthy, from its probe settings (as healthBoundMs for containers). */
export function processHealthBoundMs(config: ProbeConfig | undefined): number | undefined {
  if (!config) return undefined;
  const interval = config.interval ?? HEALTH_DEFAULTS.interval;
  const timeout = config.timeout ?? HEALTH_DEFAULTS.timeout;
  const retries = config.retries ?? HEALTH_DEFAULTS.retries;
  return (config.startPeriod ?? 0) + (interval + timeout) * (retries + 1) + 5_000;
}
