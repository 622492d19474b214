import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../../src/spec/errors.js';
import { normalizeProject } from '../../../src/spec/normalize/index.js';
import { composeSchema } from '../../../src/spec/schema.js';
import type { PathSegment } from '../../../src/spec/types.js';
import { validateSchema } from '../../../src/spec/validate.js';
import { EVERYTHING_YAML } from './helpers/everything.js';
import { rawFromYaml } from './helpers/raw-from-yaml.js';

/** The problems as users read them: `file:line:col path: message`. */
function errors(yaml: string): string[] {
  return validateSchema(rawFromYaml(yaml, 'stack.yml')).problems.map(formatProblem);
}

function warnings(yaml: string): string[] {
  return validateSchema(rawFromYaml(yaml, 'stack.yml')).warnings.map(
    (w) => `${w.location?.line}:${w.location?.col} ${w.path}: ${w.message}`,
  );
}

describe('validateSchema: unknown keys', () => {
  it('points at the misspelled key and suggests the right one', () => {
    expect(errors('services:\n  web:\n    imgae: nginx\n')).toEqual([
      'stack.yml:3:5 services.web.imgae: unknown key "imgae" (did you mean "image"?)',
    ]);
  });

  it('suggests at top level and in nested long forms', () => {
    const yaml = [
      'servics: {}',
      'services:',
      '  web:',
      '    image: nginx',
      '    ports:',
      '      - target: 80',
      '        publised: 8080',
      '    healthcheck:',
      '      intervall: 10s',
    ].join('\n');
    expect(errors(yaml)).toEqual([
      'stack.yml:1:1 servics: unknown key "servics" (did you mean "services"?)',
      'stack.yml:7:9 services.web.ports[0].publised: unknown key "publised" (did you mean "published"?)',
      'stack.yml:9:7 services.web.healthcheck.intervall: unknown key "intervall" (did you mean "interval"?)',
    ]);
  });

  it('points a service-level replicas to deploy.replicas', () => {
    expect(errors('services:\n  web:\n    image: a\n    replicas: 3\n')).toEqual([
      'stack.yml:4:5 services.web.replicas: unknown key "replicas" (did you mean "deploy.replicas"?)',
    ]);
  });

  it('says where extensions go when nothing is close', () => {
    expect(errors('services:\n  web:\n    image: a\n    colour: blue\n')).toEqual([
      'stack.yml:4:5 services.web.colour: unknown key "colour" in services.web (extensions must start with "x-")',
    ]);
  });

  it('recognizes a service written at top level', () => {
    expect(errors('services:\n  db:\n    image: postgres\nweb:\n  image: nginx\n')).toEqual([
      'stack.yml:4:1 web: unknown key "web" at top level (a service? services go under "services:")',
    ]);
  });

  it('hints at indentation when a service key lands at the services level', () => {
    expect(errors('services:\n  web:\n  image: nginx\n')).toEqual([
      'stack.yml:2:7 services.web: must be a mapping (got null)',
      'stack.yml:3:10 services.image: must be a mapping (got string); "image" is a service key: is it indented under its service?',
    ]);
  });

  it('accepts x- keys everywhere Compose does', () => {
    const yaml =
      'x-a: 1\nservices:\n  web:\n    x-b: 2\n    image: a\n    build: { context: ., x-c: 3 }\nnetworks:\n  n: { x-d: 4 }\n';
    expect(errors(yaml)).toEqual([]);
  });

  it('rejects invalid names of services and other objects', () => {
    expect(errors('services:\n  my web:\n    image: a\nvolumes:\n  "data/db": {}\n')).toEqual([
      'stack.yml:2:3 services.my web: invalid name "my web": use only letters, digits, ".", "_" and "-"',
      'stack.yml:5:3 volumes.data/db: invalid name "data/db": use only letters, digits, ".", "_" and "-"',
    ]);
  });
});

describe('validateSchema: wrong types and values', () => {
  it('names the expected and the actual type', () => {
    const yaml = 'services:\n  web:\n    image: 5\n    environment: 3\n    command: { a: 1 }\n';
    expect(errors(yaml)).toEqual([
      'stack.yml:3:12 services.web.image: must be a string (got number)',
      'stack.yml:4:18 services.web.environment: must be a mapping or a list (got number)',
      'stack.yml:5:14 services.web.command: must be null, a string or a list (got mapping)',
    ]);
  });

  it('reads numeric and boolean strings as Compose does, and rejects the rest', () => {
    const yaml = [
      'services:',
      '  web:',
      '    image: a',
      '    cpus: lots',
      '    tty: maybe',
      '    scale: 1.5',
      '    mem_limit: 12 parsecs',
      '    stop_grace_period: 10',
      '    deploy:',
      '      replicas: three',
    ].join('\n');
    expect(errors(yaml)).toEqual([
      'stack.yml:4:11 services.web.cpus: must be a number (got "lots")',
      'stack.yml:5:10 services.web.tty: must be a boolean (true or false) (got "maybe")',
      'stack.yml:6:12 services.web.scale: must be an integer (got number)',
      'stack.yml:7:16 services.web.mem_limit: must be a byte size like 512m, 1g or 1024 (got "12 parsecs")',
      'stack.yml:8:24 services.web.stop_grace_period: must be a duration like 30s, 1m30s or 500ms (got number)',
      'stack.yml:10:17 services.web.deploy.replicas: must be an integer (got "three")',
    ]);
  });

  it('lists the allowed values of an enum and suggests the closest', () => {
    const yaml = [
      'services:',
      '  web:',
      '    image: a',
      '    depends_on:',
      '      db:',
      '        condition: service_healty',
      '    develop:',
      '      watch:',
      '        - path: ./src',
      '          action: copy',
      '  db:',
      '    image: b',
    ].join('\n');
    expect(errors(yaml)).toEqual([
      'stack.yml:6:20 services.web.depends_on.db.condition: must be one of: service_started, service_healthy, service_completed_successfully (did you mean "service_healthy"?)',
      'stack.yml:10:19 services.web.develop.watch[0].action: must be one of: rebuild, sync, restart, sync+restart, sync+exec (got "copy")',
    ]);
  });

  it('explains restart policies', () => {
    expect(errors('services:\n  web:\n    image: a\n    restart: sometimes\n')).toEqual([
      'stack.yml:4:14 services.web.restart: must be one of: no, always, unless-stopped, on-failure, on-failure:<max retries> (got "sometimes")',
    ]);
  });

  it('suggests a restart policy close to a misspelled one', () => {
    expect(errors('services:\n  web:\n    image: a\n    restart: unless-stoped\n')).toEqual([
      'stack.yml:4:14 services.web.restart: must be one of: no, always, unless-stopped, on-failure, on-failure:<max retries> (did you mean "unless-stopped"?)',
    ]);
  });

  it('reports missing required keys at the mapping that lacks them', () => {
    const yaml =
      'services:\n  web:\n    image: a\n    depends_on:\n      db: { required: true }\n    volumes:\n      - type: bind\n        source: ./x\n';
    expect(errors(yaml)).toEqual([
      'stack.yml:5:11 services.web.depends_on.db: missing required key "condition"',
      'stack.yml:7:9 services.web.volumes[0]: missing required key "target"',
    ]);
  });

  it('reports duplicate list entries at the second one', () => {
    const yaml =
      'services:\n  web:\n    image: a\n    ports:\n      - "80:80"\n      - "81:81"\n      - "80:80"\n';
    expect(errors(yaml)).toEqual([
      'stack.yml:7:9 services.web.ports[2]: duplicate entry "80:80" (same as item 0)',
    ]);
  });

  it('reports duplicate long-syntax entries without printing them', () => {
    const yaml =
      'services:\n  web:\n    image: a\n    ports:\n      - { target: 80 }\n      - { target: 80 }\n';
    expect(errors(yaml)).toEqual(['stack.yml:6:9 services.web.ports[1]: duplicate entry (same as item 0)']);
  });

  it('checks ranges', () => {
    expect(errors('services:\n  web:\n    image: a\n    oom_score_adj: 5000\n')).toEqual([
      'stack.yml:4:20 services.web.oom_score_adj: must be <= 1000 (got 5000)',
    ]);
  });

  it('reports a top level that is not a mapping of services', () => {
    expect(errors('services: [web, db]\n')).toEqual([
      'stack.yml:1:11 services: must be a mapping (got list)',
    ]);
    expect(errors('services:\n  web: nginx\n')).toEqual([
      'stack.yml:2:8 services.web: must be a mapping (got string)',
    ]);
  });

  it('reports every problem at once, in file order', () => {
    const yaml = 'services:\n  b:\n    image: 1\n  a:\n    imagee: x\n    ports: 80\n';
    expect(errors(yaml)).toEqual([
      'stack.yml:3:12 services.b.image: must be a string (got number)',
      'stack.yml:5:5 services.a.imagee: unknown key "imagee" (did you mean "image"?)',
      'stack.yml:6:12 services.a.ports: must be a list (got number)',
    ]);
  });

  it('locates values that came through anchors and merge keys', () => {
    const yaml = [
      'x-base: &base',
      '  restart: always',
      '  tty: perhaps',
      'services:',
      '  web:',
      '    <<: *base',
      '    image: a',
    ].join('\n');
    expect(errors(yaml)).toEqual([
      'stack.yml:3:8 services.web.tty: must be a boolean (true or false) (got "perhaps")',
    ]);
  });

  it('returns problems as path segments', () => {
    const { problems } = validateSchema(
      rawFromYaml('services:\n  web:\n    image: a\n    ports: ["1", 2, {}]\n'),
    );
    expect(problems.map((p) => p.path)).toEqual([['services', 'web', 'ports', 2]]);
    expect(problems[0]!.location).toEqual({ file: 'compose.yaml', line: 4, col: 21 });
  });
});

describe('validateSchema: warnings', () => {
  it('warns about the obsolete version key', () => {
    expect(warnings('version: "3.8"\nservices: {}\n')).toEqual([
      '1:1 version: the top-level "version" key is obsolete and ignored; remove it',
    ]);
  });

  it('warns about the deprecated external.name form', () => {
    expect(warnings('services: {}\nvolumes:\n  old:\n    external:\n      name: legacy-data\n')).toEqual([
      '5:7 volumes.old.external.name: deprecated: write `name:` beside `external: true` instead',
    ]);
  });

  it('names each accepted but unimplemented key', () => {
    const yaml = [
      'services:',
      '  web:',
      '    image: a',
      '    blkio_config: { weight: 300 }',
      '    build: { context: ., isolation: hyperv }',
      '    networks:',
      '      front: { interface_name: eth1 }',
      '    volumes:',
      '      - { type: bind, source: ., target: /x, bind: { recursive: readonly } }',
      'networks:',
      '  front: {}',
    ].join('\n');
    expect(warnings(yaml)).toEqual([
      '4:5 services.web.blkio_config: accepted but not implemented by tsstack yet; ignored',
      '5:26 services.web.build.isolation: accepted but not implemented by tsstack yet; ignored',
      '7:16 services.web.networks.front.interface_name: accepted but not implemented by tsstack yet; ignored',
      '9:54 services.web.volumes[0].bind.recursive: accepted but not implemented by tsstack yet; ignored',
    ]);
  });

  it('does not warn about implemented keys', () => {
    const yaml =
      'services:\n  web:\n    image: a\n    ports: ["80"]\n    deploy: { replicas: 2 }\n    healthcheck: { test: [CMD, "true"] }\n';
    expect(warnings(yaml)).toEqual([]);
  });

  it('warns about unknown x-tsstack options with a suggestion instead of failing', () => {
    const yaml =
      'x-tsstack: { colour: red }\nservices:\n  web:\n    image: a\n    x-tsstack: { restart_on_unhealty: true }\n';
    expect(errors(yaml)).toEqual([]);
    expect(warnings(yaml)).toEqual([
      '1:14 x-tsstack.colour: unknown tsstack option "colour"; ignored',
      '5:18 services.web.x-tsstack.restart_on_unhealty: unknown tsstack option "restart_on_unhealty" (did you mean "restart_on_unhealthy"?); ignored',
    ]);
  });

  it('type-checks known x-tsstack options', () => {
    expect(errors('x-tsstack:\n  watch: { trigger: sometimes }\nservices: {}\n')).toEqual([
      'stack.yml:2:21 x-tsstack.watch.trigger: must be one of: auto, manual (got "sometimes")',
    ]);
  });
});

describe('unsupported-key warnings are honest', () => {
  // The everything-file, adjusted where normalize rejects a form Compose accepts (reported as a finding):
  // the long syntax of `devices`; and `scale` agreeing with `deploy.replicas`.
  const yaml = EVERYTHING_YAML.replace(', { source: /dev/sda, target: /dev/xvda, permissions: rwm }', '')
    .replace('scale: "3"', 'scale: "2"')
    .replace(/^ {4}extends:.*\n/m, '')
    .replace(/^ {4}env_file:.*\n/m, '')
    .replace(/^include:\n( {2}- .*\n)+/m, '');
  const raw = rawFromYaml(yaml, 'compose.yaml', { profiles: ['dev'] });
  const { problems, warnings } = validateSchema(raw);
  const normalized = normalizeProject(raw);
  const web = normalized.stack.services['web'] as unknown as Record<string, unknown>;
  const warned = new Set(warnings.map((w) => w.path));
  /** Keys the loader or normalize turns into other fields. */
  const consumed = new Set(['extends', 'env_file', 'scale']);
  const serviceKeys = Object.keys(composeSchema.definitions.service.properties);

  it('loads without problems', () => {
    expect(problems).toEqual([]);
    expect(normalized.problems).toEqual([]);
    expect(web).toBeDefined();
  });

  it('every service key in the file is carried by the normalized service, consumed, or warned about', () => {
    const present = serviceKeys.filter((k) => Object.hasOwn((raw.data['services'] as never)['web'], k));
    // tsstack's own `x-tsstack` travels in `extensions`, where the layers below read it.
    const extensions = web['extensions'] as Record<string, unknown>;
    const carried = (k: string) => k in web || (k.startsWith('x-') && k in extensions);
    const dropped = present.filter(
      (k) => !carried(k) && !consumed.has(k) && !warned.has(`services.web.${k}`),
    );
    expect(dropped).toEqual([]);
  });

  it('every build key is carried by BuildSpec or warned about', () => {
    const written = Object.keys((raw.data['services'] as never)['web']['build']);
    const build = web['build'] as Record<string, unknown>;
    expect(written.filter((k) => !(k in build) && !warned.has(`services.web.build.${k}`))).toEqual([]);
  });

  it.each(['networks', 'volumes', 'secrets', 'configs'])(
    'every key of top-level %s is carried or warned about',
    (kind) => {
      const written = (raw.data[kind] ?? {}) as Record<string, Record<string, unknown> | null>;
      const stackKind = (normalized.stack as unknown as Record<string, Record<string, object>>)[kind]!;
      const dropped = Object.entries(written).flatMap(([name, def]) =>
        Object.keys(def ?? {})
          .filter((k) => !(k in (stackKind[name] ?? {})) && !warned.has(`${kind}.${name}.${k}`))
          .map((k) => `${kind}.${name}.${k}`),
      );
      expect(dropped).toEqual([]);
    },
  );

  it('no warned service key is carried as a field of its own', () => {
    const carried = [...warned]
      .filter((p) => /^services\.web\.[a-z_]+$/.test(p))
      .map((p) => p.slice('services.web.'.length))
      .filter((k) => k in web && k !== 'deploy' && k !== 'ports');
    expect(carried).toEqual([]);
  });
});

describe('validateSchema on arbitrary input', () => {
  const base = rawFromYaml(
    readFileSync(new URL('../../fixtures/data-platform/compose.yaml', import.meta.url), 'utf8'),
  );

  /** Every path into `value` that leads to a mapping or a list. */
  function containers(value: unknown, path: PathSegment[] = []): PathSegment[][] {
    if (value === null || typeof value !== 'object') return [];
    const entries: [PathSegment, unknown][] = Array.isArray(value)
      ? value.map((v, i) => [i, v])
      : Object.entries(value as Record<string, unknown>);
    return [path, ...entries.flatMap(([k, v]) => containers(v, [...path, k]))];
  }
  const targets = containers(base.data);

  it('never throws, and locates every problem, whatever is written where', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: targets.length - 1 }),
        fc.oneof(fc.string(), fc.constantFrom('imgae', 'a/b~c', 'x-ok', '0')),
        fc.jsonValue({ maxDepth: 3 }),
        (targetIndex, key, value) => {
          const data = structuredClone(base.data);
          let node: unknown = data;
          for (const seg of targets[targetIndex]!) node = (node as Record<PathSegment, unknown>)[seg];
          if (Array.isArray(node)) node.push(value);
          else (node as Record<string, unknown>)[key] = value;
          const { problems } = validateSchema({ ...base, data });
          for (const p of problems) {
            expect(p.location).toBeDefined();
            expect(p.message.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reports a document that is not a mapping', () => {
    expect(validateSchema(rawFromYaml('- web\n- db\n', 'stack.yml')).problems.map(formatProblem)).toEqual([
      'stack.yml:1:1 must be a mapping (got list)',
    ]);
  });

  it('escapes keys with "/" and "~" in paths back to their written form', () => {
    const yaml = 'services:\n  web:\n    image: a\n    labels:\n      a/b~c: [1]\n';
    expect(errors(yaml)).toEqual([
      'stack.yml:5:14 services.web.labels.a/b~c: must be a string, a number, a boolean or null (got list)',
    ]);
  });
});

describe('schema and normalize agree on what Compose accepts', () => {
  // `it.fails`: these document gaps in normalize found by the schema work; each starts failing (and should be
  // turned into a plain `it`) once normalize accepts the form.
  const normalizeProblems = (yaml: string) => {
    const raw = rawFromYaml(yaml);
    expect(validateSchema(raw).problems).toEqual([]);
    return normalizeProject(raw).problems.map((p) => p.message);
  };

  it('memswap_limit: -1 (unlimited swap) normalizes', () => {
    expect(normalizeProblems('services:\n  web:\n    image: a\n    memswap_limit: -1\n')).toEqual([]);
  });

  it.fails('the long syntax of devices normalizes', () => {
    const yaml =
      'services:\n  web:\n    image: a\n    devices:\n      - { source: /dev/sda, target: /dev/xvda }\n';
    expect(normalizeProblems(yaml)).toEqual([]);
  });
});
