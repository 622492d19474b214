/**
 * What `up` does for a service's image: use the local one, build it, pull it, or report it missing.
 * Pure. Compose's rules: `pull_policy` (or `up --pull`, which overrides it) is `missing` by default;
 * `always` pulls each time, `never` never pulls, `build` always builds; `daily`, `weekly`, `refresh` and
 * `every_<duration>` pull again once the local image was last pulled that long ago. These pull a
 * service's named `image:` even when it also builds; ensureImages builds it when that pull fails.
 */
import type { ImageSummary } from '../runtime/types.js';
import type { PullPolicy, ServiceSpec } from '../spec/types.js';

export type ImageDecision = 'use' | 'build' | 'pull' | 'missing';

export interface DecisionOptions {
  /** 'always' = `--build`, 'never' = `--no-build`; default builds only what is missing. */
  build?: 'always' | 'never';
  /** `up --pull POLICY`: replaces every service's pull_policy. */
  pull?: PullPolicy;
}

const HOUR = 3_600_000;
const UNIT_MS: Record<string, number> = { w: 7 * 24 * HOUR, d: 24 * HOUR, h: HOUR, m: 60_000, s: 1000 };

/** How old a local image may be before a refresh policy pulls again; undefined for the other policies. */
export function refreshAfterMs(policy: PullPolicy): number | undefined {
  if (policy === 'daily' || policy === 'refresh') return 24 * HOUR;
  if (policy === 'weekly') return 7 * 24 * HOUR;
  if (!policy.startsWith('every_')) return undefined;
  const text = policy.slice('every_'.length);
  if (!/^(\d+[wdhms])+$/.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(/(\d+)([wdhms])/g)) total += Number(m[1]) * (UNIT_MS[m[2] as string] ?? 0);
  return total;
}

/**
 * A refresh policy's question: was the local image last pulled (tagged) longer ago than allowed? The
 * engine keeps that time per image (tsstack stamps it after each pull); none recorded counts as stale.
 */
export function isStale(image: ImageSummary, maxAgeMs: number, now: number): boolean {
  const t = image.lastTagTime ? Date.parse(image.lastTagTime) : Number.NaN;
  return !Number.isFinite(t) || now - t >= maxAgeMs;
}

export function decideImage(
  s: ServiceSpec,
  present: ImageSummary | undefined,
  opts: DecisionOptions,
  now: number,
): ImageDecision {
  const policy = opts.pull ?? s.pull_policy ?? 'missing';
  const canBuild = !!s.build && opts.build !== 'never';
  if (canBuild && (opts.build === 'always' || policy === 'build')) return 'build';
  // Only a named image can be pulled: a service that builds without `image:` gets <project>-<service>.
  const pullable = s.image !== undefined;
  if (policy === 'always' && pullable) return 'pull';
  if (present) {
    const maxAge = refreshAfterMs(policy);
    if (maxAge !== undefined && pullable && isStale(present, maxAge, now)) return 'pull';
    return 'use';
  }
  if (canBuild) return 'build';
  if (policy === 'never') return 'missing';
  return 'pull';
}
