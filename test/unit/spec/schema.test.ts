import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { composeSchema, NAME_PATTERN } from '../../../src/spec/schema.js';
import { unsupportedKeys } from '../../../src/spec/unsupported.js';
import { editDistance, suggest } from '../../../src/spec/suggest.js';
import { validateSchema } from '../../../src/spec/validate.js';
import {
  GENERATED_VALIDATOR_PATH,
  createAjv,
  generateValidatorSource,
} from '../../../scripts/generate-schema-validator.js';
import { EVERYTHING_YAML } from './helpers/everything.js';
import { rawFromYaml } from './helpers/raw-from-yaml.js';

const problemsOf = (yaml: string) => validateSchema(rawFromYaml(yaml)).problems;

describe('composeSchema', () => {
  it('compiles in ajv strict mode', () => {
    expect(() => createAjv().compile(composeSchema)).not.toThrow();
  });

  it('has no anyOf/oneOf, so each value has one applicable schema (validate.ts relies on it)', () => {
    const text = JSON.stringify(composeSchema);
    expect(text).not.toMatch(/"(anyOf|oneOf|allOf)"/);
  });

  it('matches the committed standalone validator (run scripts/generate-schema-validator.ts after edits)', () => {
    expect(readFileSync(GENERATED_VALIDATOR_PATH, 'utf8')).toBe(generateValidatorSource());
  });

  it('accepts every service key of the Compose specification', () => {
    const yaml = EVERYTHING_YAML;
    expect(problemsOf(yaml)).toEqual([]);
  });

  it('the everything-file really uses every key the schema defines', () => {
    const data = rawFromYaml(EVERYTHING_YAML).data as Record<string, Record<string, Record<string, unknown>>>;
    const defs = composeSchema.definitions as unknown as Record<
      string,
      { properties: Record<string, unknown> }
    >;
    const keysOf = (group: Record<string, unknown> | undefined) =>
      new Set(Object.values(group ?? {}).flatMap((v) => Object.keys((v as object | null) ?? {})));
    const unused = (def: string, used: Set<string>) =>
      Object.keys(defs[def]!.properties).filter((k) => !used.has(k));
    const services = Object.values(data['services']!) as Record<string, Record<string, unknown>>[];
    expect(unused('service', keysOf(data['services']))).toEqual([]);
    expect(
      unused('build', new Set(services.flatMap((s) => Object.keys((s['build'] as object) ?? {})))),
    ).toEqual([]);
    expect(
      unused('deploy', new Set(services.flatMap((s) => Object.keys((s['deploy'] as object) ?? {})))),
    ).toEqual([]);
    expect(unused('network', keysOf(data['networks']))).toEqual([]);
    expect(unused('volume', keysOf(data['volumes']))).toEqual([]);
    expect(unused('secret', keysOf(data['secrets']))).toEqual([]);
    expect(unused('config', keysOf(data['configs']))).toEqual([]);
    expect(unused('model', keysOf(data['models']))).toEqual([]);
  });

  it('accepts the strings interpolation produces where Compose casts them', () => {
    const yaml = `
services:
  web:
    image: nginx
    cpus: "0.5"
    mem_limit: "536870912"
    scale: "2"
    init: "true"
    privileged: "False"
    ports: ["8080"]
    deploy: { replicas: "3", resources: { limits: { cpus: "2", memory: "1073741824" } } }
    healthcheck: { retries: "5", interval: "0" }
`;
    expect(problemsOf(yaml)).toEqual([]);
  });

  it('accepts null where Compose allows an empty entry', () => {
    expect(
      problemsOf(
        'services:\n  a:\n    image: x\n    networks:\n      n1:\nnetworks:\n  n1:\nvolumes:\n  v:\n',
      ),
    ).toEqual([]);
  });
});

describe('unsupported keys', () => {
  type Node = {
    $ref?: string;
    properties?: Record<string, Node>;
    patternProperties?: Record<string, Node>;
    items?: Node;
  };
  const defs = composeSchema.definitions as unknown as Record<string, Node>;
  const deref = (n: Node | undefined): Node | undefined =>
    n?.$ref ? deref(defs[n.$ref.slice('#/definitions/'.length)]) : n;

  it.each(unsupportedKeys('local').map((k) => [k.join('.')]))('%s is a key the schema accepts', (joined) => {
    let node = deref(composeSchema as unknown as Node);
    for (const seg of joined.split('.')) {
      if (seg === '#') node = deref(node?.items);
      else if (seg === '*') node = deref(node?.patternProperties?.[NAME_PATTERN]);
      else node = deref(node?.properties?.[seg]);
      expect(node, `${joined} at ${seg}`).toBeDefined();
    }
  });
});

describe('suggest', () => {
  it('measures swaps as one edit', () => {
    expect(editDistance('imgae', 'image')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggests close keys and nothing for unrelated words', () => {
    expect(suggest('imgae', ['image', 'init'])).toBe('image');
    expect(suggest('enviroment', ['entrypoint', 'environment'])).toBe('environment');
    expect(suggest('mem-limit', ['mem_limit'])).toBe('mem_limit');
    expect(suggest('memLimit', ['mem_limit'])).toBe('mem_limit');
    expect(suggest('banana', ['image', 'ports'])).toBeUndefined();
    expect(suggest('ab', ['cd'])).toBeUndefined();
  });
});
