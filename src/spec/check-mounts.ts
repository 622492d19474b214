import type { Report } from './types.js';
import { formatPath } from './errors.js';
import { originOf } from './normalize/origin.js';
import type { PathSegment, ServiceSpec } from './types.js';

/**
 * Two `volumes` entries of one service mounted at the same container path: the engine refuses the container
 * ("Duplicate mount point"), and Compose v2 silently keeps only the last. tsstack reports the second, located.
 * Paths are compared after cleaning, so `/data/` and `/data` are the same place.
 */
export function checkMountPoints(svc: ServiceSpec, report: Report): void {
  const first = new Map<string, PathSegment[]>();
  svc.volumes.forEach((vol, i) => {
    const path: PathSegment[] = ['services', svc.name, 'volumes', originOf(vol) ?? i];
    const earlier = first.get(vol.target);
    if (earlier) report(path, `container path "${vol.target}" is already mounted by ${formatPath(earlier)}`);
    else first.set(vol.target, path);
  });
}
