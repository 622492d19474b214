import type { RawProject } from './raw.js';
import type { Report } from './types.js';
import type { PathSegment, Stack } from './types.js';

// Docker's own rule for container, network and volume names; Compose uses it for service names too.
const OBJECT_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const PROJECT_NAME = /^[a-z0-9][a-z0-9_-]*$/;

/** Names the engine would refuse or that could escape their folder (`../../x`), and control characters in keys. */
export function checkNames(stack: Stack, raw: RawProject, report: Report): void {
  if (!PROJECT_NAME.test(stack.name)) {
    report(
      [],
      `project name ${JSON.stringify(stack.name)} is invalid: use lowercase letters, digits, "_" and "-", starting with a letter or digit`,
    );
  }
  const objectName = (
    path: PathSegment[],
    what: string,
    name: string,
    at: 'key' | 'value' = 'value',
  ): void => {
    if (!OBJECT_NAME.test(name))
      report(
        path,
        `${what} ${JSON.stringify(name)} is invalid: use letters, digits, "_", "." and "-", starting with a letter or digit`,
        at,
      );
  };
  for (const [key, svc] of Object.entries(stack.services)) {
    const base: PathSegment[] = ['services', key];
    objectName(base, 'service name', key, 'key');
    if (svc.container_name !== undefined)
      objectName([...base, 'container_name'], 'container_name', svc.container_name);
    for (const field of ['labels', 'environment', 'sysctls'] as const) {
      for (const k of Object.keys(svc[field])) {
        if (k === '' || /[\r\n\0]/.test(k) || (field === 'environment' && k.includes('=')))
          report(
            [...base, field],
            `${field} key ${JSON.stringify(k)} is invalid`,
            raw.locateKey([...base, field, k]),
          );
      }
    }
    for (const [k, v] of Object.entries(svc.labels)) {
      if (/[\r\n\0]/.test(v))
        report([...base, 'labels', k], `label ${JSON.stringify(k)} has a line break in its value`);
    }
  }
  for (const kind of ['networks', 'volumes'] as const) {
    for (const [key, def] of Object.entries(stack[kind])) {
      objectName([kind, key], kind.slice(0, -1), key, 'key');
      // Derived names (`<project>_<key>`) are valid when their parts are; only a written `name:` is checked.
      if (def.name !== key && def.name !== `${stack.name}_${key}`)
        objectName([kind, key, 'name'], `${kind.slice(0, -1)} name`, def.name);
    }
  }
  for (const kind of ['secrets', 'configs'] as const) {
    for (const key of Object.keys(stack[kind])) objectName([kind, key], kind.slice(0, -1), key, 'key');
  }
}
