import { formatPath } from '../../spec/errors.js';
import type { PathSegment } from '../../spec/types.js';
import type { SkippedKey } from './types.js';

/** Collects the keys the export could not translate faithfully, in the order they were met. */
export class SkipReport {
  readonly entries: SkippedKey[] = [];

  skip(path: readonly PathSegment[], reason: string): void {
    this.entries.push({ path: formatPath(path), reason });
  }
}

/** `services.web.build: Kubernetes needs an image reference; add image:` */
export function formatSkipped(entry: SkippedKey): string {
  return `${entry.path}: ${entry.reason}`;
}
