import type { ServiceSpec, WatchRule } from '../../../src/spec/types.js';
import { makeService } from '../helpers/stack-factory.js';

/** A minimal normalized service for watch tests. */
export function service(name: string, watch: WatchRule[], extra: Partial<ServiceSpec> = {}): ServiceSpec {
  return makeService(name, { develop: { watch }, ...extra });
}

export function rule(r: Partial<WatchRule> & Pick<WatchRule, 'path'>): WatchRule {
  return { action: 'sync', ignore: [], ...r };
}
