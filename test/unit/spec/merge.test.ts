import { describe, expect, it } from 'vitest';
import { locateIn, toPlain } from '../../../src/spec/locate.js';
import { mergeDocuments } from '../../../src/spec/merge.js';
import { yamlMap } from './load-helpers.js';

function merge(a: string, b: string) {
  const doc = mergeDocuments(yamlMap(a, 'a.yml'), yamlMap(b, 'b.yml'));
  return {
    doc,
    data: toPlain(doc) as { services: Record<string, Record<string, unknown>> } & Record<string, unknown>,
  };
}

const svc = (body: string) => `services:\n  web:\n${body.replace(/^/gm, '    ')}\n`;

describe('mergeDocuments', () => {
  it('merges mappings recursively and replaces scalars', () => {
    const { data } = merge(
      'name: a\nservices:\n  web: {image: a, user: u}\n  db: {image: pg}\n',
      'name: b\nservices:\n  web: {image: b}\n  cache: {image: redis}\n',
    );
    expect(data).toEqual({
      name: 'b',
      services: { web: { image: 'b', user: 'u' }, db: { image: 'pg' }, cache: { image: 'redis' } },
    });
  });

  it('appends ports, expose, dns, cap_add ... without duplicates', () => {
    const { data } = merge(
      svc(
        'ports: ["80:80", "443:443"]\nexpose: ["1"]\ndns: 8.8.8.8\ncap_add: [NET_ADMIN]\nsecurity_opt: [a]',
      ),
      svc(
        'ports: ["443:443", "8080:80"]\nexpose: ["1", "2"]\ndns: [8.8.8.8, 1.1.1.1]\ncap_add: [SYS_TIME]\nsecurity_opt: [a, b]',
      ),
    );
    expect(data.services.web).toEqual({
      ports: ['80:80', '443:443', '8080:80'],
      expose: ['1', '2'],
      dns: ['8.8.8.8', '1.1.1.1'],
      cap_add: ['NET_ADMIN', 'SYS_TIME'],
      security_opt: ['a', 'b'],
    });
  });

  it('replaces command, entrypoint and healthcheck.test but merges the rest of healthcheck', () => {
    const { data } = merge(
      svc('command: [a, b]\nentrypoint: x\nhealthcheck: {test: [CMD, a], interval: 5s, retries: 3}'),
      svc('command: [c]\nentrypoint: [y, z]\nhealthcheck: {test: [CMD, b], interval: 10s}'),
    );
    expect(data.services.web).toEqual({
      command: ['c'],
      entrypoint: ['y', 'z'],
      healthcheck: { test: ['CMD', 'b'], interval: '10s', retries: 3 },
    });
  });

  it('merges environment and labels by key in list or map form on either side', () => {
    const { data } = merge(
      svc('environment: [A=1, B=2, C]\nlabels: {x: "1"}'),
      svc('environment: {B: "3", D: "4"}\nlabels: [y=2, x=9]'),
    );
    expect(data.services.web).toEqual({
      environment: { A: '1', B: '3', C: null, D: '4' },
      labels: { x: '9', y: '2' },
    });
    const both = merge(svc('environment: [A=1]'), svc('environment: [A=2, B=1]')).data;
    expect(both.services.web?.environment).toEqual({ A: '2', B: '1' });
  });

  it('merges volumes by container path and secrets/configs by target', () => {
    const { data } = merge(
      svc(
        'volumes: ["./a:/data", "logs:/logs:ro", {type: bind, source: ./c, target: /conf}]\nsecrets: [s1, {source: s2, target: /run/x}]',
      ),
      svc(
        'volumes: ["./b:/data:ro", {type: volume, source: v, target: /new}]\nsecrets: [s1, {source: s3, target: /run/x}]',
      ),
    );
    expect(data.services.web).toEqual({
      volumes: [
        './b:/data:ro',
        'logs:/logs:ro',
        { type: 'bind', source: './c', target: '/conf' },
        { type: 'volume', source: 'v', target: '/new' },
      ],
      secrets: ['s1', { source: 's3', target: '/run/x' }],
    });
  });

  it('merges depends_on and networks by name, list or map', () => {
    const { data } = merge(
      svc('depends_on: [db, cache]\nnetworks: [front]'),
      svc('depends_on: {db: {condition: service_healthy}}\nnetworks: {back: {aliases: [x]}, front: null}'),
    );
    expect(data.services.web).toEqual({
      depends_on: { db: { condition: 'service_healthy' }, cache: { condition: 'service_started' } },
      networks: { front: null, back: { aliases: ['x'] } },
    });
    const lists = merge(svc('depends_on: [db]'), svc('depends_on: [db, cache]')).data;
    expect(lists.services.web?.depends_on).toEqual(['db', 'cache']);
  });

  it('keeps network options when a later file lists the network by name', () => {
    const { data } = merge(svc('networks: {front: {aliases: [a]}}'), svc('networks: [front]'));
    expect(data.services.web?.networks).toEqual({ front: { aliases: ['a'] } });
  });

  it('replaces logging when the driver changes, merges options otherwise', () => {
    const same = merge(
      svc('logging: {driver: json-file, options: {max-size: 1m}}'),
      svc('logging: {options: {max-file: "3"}}'),
    ).data;
    expect(same.services.web?.logging).toEqual({
      driver: 'json-file',
      options: { 'max-size': '1m', 'max-file': '3' },
    });
    const other = merge(
      svc('logging: {driver: json-file, options: {max-size: 1m}}'),
      svc('logging: {driver: syslog}'),
    ).data;
    expect(other.services.web?.logging).toEqual({ driver: 'syslog' });
  });

  it('merges build given as a string with build given as a mapping', () => {
    const { data } = merge(svc('build: ./app'), svc('build: {dockerfile: Dev.Dockerfile, args: [A=1]}'));
    expect(data.services.web?.build).toEqual({
      context: './app',
      dockerfile: 'Dev.Dockerfile',
      args: ['A=1'],
    });
  });

  it('honours !reset and !override', () => {
    const { data } = merge(
      svc('ports: ["80:80"]\nenvironment: {A: "1"}\nuser: u\nlabels: {a: b}'),
      svc('ports: !reset []\nenvironment: !override {B: "2"}\nuser: !reset null'),
    );
    expect(data.services.web).toEqual({ environment: { B: '2' }, labels: { a: 'b' } });
  });

  it('keeps the position of each value in the file it came from', () => {
    const { doc } = merge(svc('image: a\nuser: u\nports: ["1:1"]'), svc('\nimage: b\nports: ["2:2"]'));
    expect(locateIn(doc, ['services', 'web', 'image'])).toEqual({ file: 'b.yml', line: 4, col: 12 });
    expect(locateIn(doc, ['services', 'web', 'user'])).toEqual({ file: 'a.yml', line: 4, col: 11 });
    expect(locateIn(doc, ['services', 'web', 'ports', 0])?.file).toBe('a.yml');
    expect(locateIn(doc, ['services', 'web', 'ports', 1])?.file).toBe('b.yml');
  });

  // Keyed lists come back in map form (same meaning), so this uses the map form.
  it('merging a file over itself changes nothing', () => {
    const text = svc(
      'image: a\nports: ["80:80"]\nenvironment: {A: "1"}\nvolumes: ["./x:/x"]\ndepends_on: [db]\ndns: 1.1.1.1',
    );
    const once = toPlain(yamlMap(text));
    const twice = merge(text, text).data;
    expect(twice).toEqual(once);
  });

  it('keeps a mapping when a later file names the key with nothing under it', () => {
    const { data } = merge(svc('image: a'), 'services:\n  web:\n');
    expect(data.services.web).toEqual({ image: 'a' });
    const reset = merge(svc('image: a'), 'services:\n  web: !reset\n').data;
    expect(reset.services).toEqual({});
  });
});
