import { homedir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { formatted, normalizeYaml } from './helpers/normalize.js';

const volumesOf = (list: string) => {
  const { stack, problems } = normalizeYaml(
    `services:\n  web:\n    image: x\n    volumes:\n${list}\nvolumes:\n  named: {}\n  cache: {}\n`,
  );
  expect(formatted(problems)).toEqual([]);
  return stack.services.web!.volumes;
};

describe('short volume syntax', () => {
  it('relative bind, read-only, made absolute against the project folder', () => {
    expect(volumesOf('      - ./data:/data:ro')).toEqual([
      {
        type: 'bind',
        source: '/project/data',
        target: '/data',
        read_only: true,
        bind: { create_host_path: true },
      },
    ]);
  });

  it('named volume', () => {
    expect(volumesOf('      - named:/data')).toEqual([
      { type: 'volume', source: 'named', target: '/data', read_only: false },
    ]);
  });

  it('absolute bind with rw and an SELinux label', () => {
    expect(volumesOf('      - /abs:/x:rw,z')).toEqual([
      {
        type: 'bind',
        source: '/abs',
        target: '/x',
        read_only: false,
        bind: { create_host_path: true, selinux: 'z' },
      },
    ]);
  });

  it('~ is the home folder', () => {
    expect(volumesOf('      - ~/x:/y')[0]!.source).toBe(`${homedir()}/x`);
  });

  it('a lone container path is an anonymous volume', () => {
    expect(volumesOf('      - /data')).toEqual([{ type: 'volume', target: '/data', read_only: false }]);
  });

  it('propagation and nocopy modes; a consistency mode is accepted and dropped, as Compose does', () => {
    expect(volumesOf('      - ../src:/src:rshared,cached\n      - cache:/c:nocopy')).toEqual([
      {
        type: 'bind',
        source: '/src',
        target: '/src',
        read_only: false,
        bind: { create_host_path: true, propagation: 'rshared' },
      },
      { type: 'volume', source: 'cache', target: '/c', read_only: false, volume: { nocopy: true } },
    ]);
  });
});

describe('container paths are cleaned as Compose does (path.Clean)', () => {
  it('a trailing slash, doubled slashes, . and .. in short and long syntax', () => {
    const targets = volumesOf(
      [
        '      - ./html/:/var/www/html/',
        '      - named:/data//x/./y/../z',
        '      - /anon/',
        '      - /',
        '      - { type: bind, source: ./src/, target: /src/ }',
        '      - { type: tmpfs, target: /run// }',
      ].join('\n'),
    ).map((v) => [v.source, v.target]);
    expect(targets).toEqual([
      ['/project/html', '/var/www/html'],
      ['named', '/data/x/z'],
      [undefined, '/anon'],
      [undefined, '/'],
      ['/project/src', '/src'],
      [undefined, '/run'],
    ]);
  });
});

describe('long volume syntax', () => {
  it('bind, volume and tmpfs', () => {
    expect(
      volumesOf(`      - type: bind
        source: ./conf
        target: /etc/conf
        read_only: true
        bind: { propagation: rprivate, create_host_path: true, selinux: Z }
      - type: volume
        source: named
        target: /var/lib
        volume: { nocopy: true, subpath: sub }
      - type: tmpfs
        target: /tmp
        tmpfs: { size: 64m, mode: 1777 }`),
    ).toEqual([
      {
        type: 'bind',
        source: '/project/conf',
        target: '/etc/conf',
        read_only: true,
        bind: { create_host_path: true, propagation: 'rprivate', selinux: 'Z' },
      },
      {
        type: 'volume',
        source: 'named',
        target: '/var/lib',
        read_only: false,
        volume: { nocopy: true, subpath: 'sub' },
      },
      { type: 'tmpfs', target: '/tmp', read_only: false, tmpfs: { size: 64 * 1024 * 1024, mode: 1777 } },
    ]);
  });

  it('a long bind without bind options does not create the host path', () => {
    expect(volumesOf('      - { type: bind, source: /a, target: /b }')).toEqual([
      { type: 'bind', source: '/a', target: '/b', read_only: false, bind: { create_host_path: false } },
    ]);
  });
});

describe('volume errors', () => {
  it('each is located at its entry or field', () => {
    const { problems } = normalizeYaml(`services:
  web:
    image: x
    volumes:
      - a:b:c:d
      - named:relative
      - ./x:/y:bogus
      - named:/y:z
      - type: weird
        target: /x
      - type: bind
        target: /x
      - type: tmpfs
        target: /t
        tmpfs: { size: lots }
      - 42
`);
    expect(formatted(problems)).toEqual([
      'stack.yml:5:9 services.web.volumes[0]: "a:b:c:d" is not a volume (expected [SOURCE:]TARGET[:MODE])',
      'stack.yml:6:9 services.web.volumes[1]: "named:relative": the container path "relative" must be absolute',
      'stack.yml:7:9 services.web.volumes[2]: "./x:/y:bogus" has an unknown mode "bogus" (expected ro, rw, z, Z, nocopy, ...)',
      'stack.yml:8:9 services.web.volumes[3]: "z" applies to bind mounts only',
      'stack.yml:9:15 services.web.volumes[4].type: unknown volume type "weird" (expected bind, volume, tmpfs, ...)',
      'stack.yml:11:9 services.web.volumes[5]: a bind mount needs a source (the host path)',
      'stack.yml:15:24 services.web.volumes[6].tmpfs.size: "lots" is not a byte size (expected e.g. 512m, 1g, 1024)',
      'stack.yml:16:9 services.web.volumes[7]: expected a volume string or mapping, got 42',
    ]);
  });
});
