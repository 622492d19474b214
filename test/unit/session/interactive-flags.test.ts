import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import {
  decideTty,
  parseEntrypoint,
  parseLabelFlags,
  parsePublishFlags,
  parseVolumeFlags,
  resolveEnvFlags,
  withDeclaredVolumes,
} from '../../../src/session/interactive-flags.js';

describe('decideTty', () => {
  const both = { stdin: true, stdout: true };
  it('allocates a TTY when stdin and stdout are terminals, unless -T', () => {
    expect(decideTty({}, both, true)).toBe(true);
    expect(decideTty({ noTty: true }, both, true)).toBe(false);
    expect(decideTty({}, { stdin: false, stdout: true }, true)).toBe(false);
    expect(decideTty({}, { stdin: true, stdout: false }, true)).toBe(false);
  });

  it('-t forces one, but not with -T, nor with a piped stdin to attach', () => {
    expect(decideTty({ tty: true }, { stdin: true, stdout: false }, true)).toBe(true);
    expect(() => decideTty({ tty: true, noTty: true }, both, true)).toThrow(
      "--tty and --no-TTY can't be used together",
    );
    expect(() => decideTty({ tty: true }, { stdin: false, stdout: true }, true)).toThrow(
      /input device is not a TTY/,
    );
    // Detached (nothing attached): -t needs no terminal here.
    expect(decideTty({ tty: true }, { stdin: false, stdout: false }, false)).toBe(true);
  });
});

describe('run and exec flag values', () => {
  it('-e KEY=VALUE as given; -e KEY takes our value, or is left out when unset', () => {
    expect(resolveEnvFlags(['A=1', 'B', 'C', 'D=x=y'], { B: 'two' })).toEqual(['A=1', 'B=two', 'D=x=y']);
    expect(() => resolveEnvFlags(['=1'], {})).toThrow(UsageError);
  });

  it('--label KEY=VALUE or KEY; never io.tsstack.*', () => {
    expect(parseLabelFlags(['a=1', 'b', 'c=x=y'])).toEqual({ a: '1', b: '', c: 'x=y' });
    expect(() => parseLabelFlags(['io.tsstack.project=other'])).toThrow(/tsstack's own/);
    expect(() => parseLabelFlags(['=v'])).toThrow(UsageError);
  });

  it("--publish in Compose's short syntax", () => {
    expect(parsePublishFlags(['127.0.0.1:8080:80', '53/udp'])).toEqual([
      { target: 80, published: '8080', host_ip: '127.0.0.1', protocol: 'tcp' },
      { target: 53, protocol: 'udp' },
    ]);
    expect(() => parsePublishFlags(['80:80:80:80x'])).toThrow(/^--publish "80:80:80:80x": /);
  });

  it('--volume: host paths from the current folder, named and anonymous volumes, modes', () => {
    expect(parseVolumeFlags(['./data:/data:ro', 'cache:/cache', '/anon'], '/work/here')).toEqual([
      {
        type: 'bind',
        source: '/work/here/data',
        target: '/data',
        read_only: true,
        bind: { create_host_path: true },
      },
      { type: 'volume', source: 'cache', target: '/cache', read_only: false },
      { type: 'volume', target: '/anon', read_only: false },
    ]);
    expect(() => parseVolumeFlags(['data:relative'], '/')).toThrow(/must be absolute/);
    expect(() => parseVolumeFlags(['a:/b:bogus'], '/')).toThrow(/unknown mode "bogus"/);
  });

  it('--entrypoint is split into words like a shell; empty clears the entrypoint', () => {
    expect(parseEntrypoint(undefined)).toBeUndefined();
    expect(parseEntrypoint('sh -c')).toEqual(['sh', '-c']);
    expect(parseEntrypoint(`python -m "my app"`)).toEqual(['python', '-m', 'my app']);
    expect(parseEntrypoint('')).toEqual(['']);
    expect(() => parseEntrypoint(`sh -c 'unclosed`)).toThrow(/unclosed quote/);
  });
});

describe('withDeclaredVolumes', () => {
  const volume = (name: string) => ({ name: `demo_${name}`, external: false, labels: {}, driver_opts: {} });
  const stack = {
    name: 'demo',
    services: {},
    networks: {},
    volumes: { used: volume('used') },
    secrets: {},
    configs: {},
  };
  const loaded = {
    stack: stack as never,
    warnings: [],
    declaredVolumes: { used: volume('used'), spare: volume('spare') } as never,
  };
  it('adds a declared volume that run -v names and no service uses', () => {
    const vols = parseVolumeFlags(['spare:/s', 'other:/o', './d:/d'], '/tmp');
    expect(Object.keys(withDeclaredVolumes(loaded, vols).volumes).sort()).toEqual(['spare', 'used']);
  });
  it('leaves the stack as it is when -v names no declared volume', () => {
    expect(withDeclaredVolumes(loaded, parseVolumeFlags(['other:/o'], '/tmp'))).toBe(loaded.stack);
  });
});
