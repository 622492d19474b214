// Parsing and formatting behind the Compose commands and flags: cp paths, signals, --format templates,
// stats and events lines, config --variables, up --attach, build --build-arg, global flags, ps/ls filters.
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { projectFilterOf } from '../../../src/cli/commands/ls.js';
import { addDryRunOption, applyGlobalEnv, guardDryRun } from '../../../src/cli/globals.js';
import { parseSignal } from '../../../src/cli/options.js';
import { UsageError } from '../../../src/core/errors.js';
import { parseBuildArgs } from '../../../src/session/build.js';
import {
  containerPath,
  parseCpArgs,
  placement,
  renameTop,
  splitCpArg,
} from '../../../src/session/cp-args.js';
import { composeEvent, eventLine } from '../../../src/session/events.js';
import { parseFormat, renderRows, renderTemplate } from '../../../src/session/go-format.js';
import { projectContainer } from '../../../src/session/project-containers.js';
import { parseStatusFilters } from '../../../src/session/ps.js';
import { formatBytes, renderStats, statsFields } from '../../../src/session/stats.js';
import { attachedServices } from '../../../src/session/up.js';
import { stackVariables } from '../../../src/spec/variables.js';

describe('cp arguments and docker cp path rules', () => {
  it('tells the service side from the local side', () => {
    expect(splitCpArg('web:/etc/hosts')).toEqual({ service: 'web', path: '/etc/hosts' });
    expect(splitCpArg('./a:b')).toEqual({ path: './a:b' });
    expect(splitCpArg('/abs:x')).toEqual({ path: '/abs:x' });
    expect(splitCpArg('file.txt')).toEqual({ path: 'file.txt' });
    expect(parseCpArgs('web:/data', 'out')).toEqual({
      direction: 'from',
      service: 'web',
      containerPath: '/data',
      local: 'out',
    });
    expect(parseCpArgs('-', 'web:tmp/')).toMatchObject({
      direction: 'to',
      local: '-',
      containerPath: '/tmp/',
    });
  });

  it('refuses what names no container path or two services (exit 2)', () => {
    const bad = (a: string, b: string) => () => parseCpArgs(a, b);
    expect(bad('a', 'b')).toThrow(UsageError);
    expect(bad('web:/a', 'db:/b')).toThrow('copying between services');
    expect(bad(':x', 'out')).toThrow('names no service');
    expect(bad('f', 'web:../etc')).toThrow("climbs above the container's root");
    expect(bad('f', 'web:/a/../../b')).toThrow(UsageError);
    expect(bad('f', 'web:')).toThrow('empty');
  });

  it('normalizes container paths against the root, keeping a trailing / or /.', () => {
    expect(containerPath('tmp')).toBe('/tmp');
    expect(containerPath('/a/./b/../c/')).toBe('/a/c/');
    expect(containerPath('/data/.')).toBe('/data/.');
    expect(containerPath('/')).toBe('/');
  });

  it('places a copy as docker cp does', () => {
    const file = { path: '/etc/hosts', isDir: false };
    const dir = { path: '/data', isDir: true };
    expect(placement(file, { path: '/tmp', kind: 'dir' })).toEqual({ folder: '/tmp', name: 'hosts' });
    expect(placement(file, { path: '/tmp/h', kind: undefined })).toEqual({ folder: '/tmp', name: 'h' });
    expect(placement(file, { path: '/tmp/h', kind: 'file' })).toEqual({ folder: '/tmp', name: 'h' });
    expect(placement(dir, { path: '/srv', kind: 'dir' })).toEqual({ folder: '/srv', name: 'data' });
    expect(placement({ path: '/data/.', isDir: true }, { path: '/srv', kind: 'dir' })).toEqual({
      folder: '/srv',
      name: '',
    });
    expect(() => placement(dir, { path: '/etc/hosts', kind: 'file' })).toThrow(
      'cannot copy a directory to a file',
    );
    expect(() => placement(file, { path: '/nope/', kind: undefined })).toThrow('must exist');
  });

  it('renames the top entry of an archive (dir/. comes as ./)', () => {
    expect(renameTop('data/a.txt', 'copy')).toBe('copy/a.txt');
    expect(renameTop('data/', 'copy')).toBe('copy');
    expect(renameTop('./', 'copy')).toBe('copy');
    expect(renameTop('./sub/b', 'copy')).toBe('copy/sub/b');
    expect(renameTop('./sub/b', '')).toBe('sub/b');
    expect(renameTop('hosts', 'h')).toBe('h');
  });
});

describe('kill -s', () => {
  it('takes names with or without SIG in any case, real-time signals and numbers', () => {
    expect(parseSignal('SIGKILL')).toBe('SIGKILL');
    expect(parseSignal('hup')).toBe('SIGHUP');
    expect(parseSignal('SIGRTMIN+3')).toBe('SIGRTMIN+3');
    expect(parseSignal('15')).toBe('15');
  });
  it('refuses a signal that does not exist (exit 2)', () => {
    for (const s of ['SIGFOO', 'KILLL', '0', '65', 'RTMIN+16', ''])
      expect(() => parseSignal(s), s).toThrow(UsageError);
  });
});

describe('--format templates', () => {
  const row = { Name: 'demo-web-1', State: 'running', Ports: '', Labels: { a: 'b' } };
  it('reads table, json and templates', () => {
    expect(parseFormat('table')).toEqual({ kind: 'table' });
    expect(parseFormat('json')).toEqual({ kind: 'json' });
    expect(parseFormat('table {{.Name}}\\t{{.State}}')).toEqual({
      kind: 'template',
      template: '{{.Name}}\t{{.State}}',
      table: true,
    });
  });
  it('fills fields, json of a field or the row, and refuses unknown fields and actions', () => {
    expect(renderTemplate('{{.Name}} is {{ .State }}', row)).toBe('demo-web-1 is running');
    expect(renderTemplate('{{json .Labels}}', row)).toBe('{"a":"b"}');
    expect(() => renderTemplate('{{.Nope}}', row)).toThrow('no field "Nope"');
    expect(() => renderTemplate('{{range .Labels}}x{{end}}', row)).toThrow('unsupported template action');
  });
  it('renders a table template with headers', () => {
    const f = parseFormat('table {{.Name}}\t{{.State}}') as Extract<
      ReturnType<typeof parseFormat>,
      { kind: 'template' }
    >;
    expect(renderRows(f, [row], { Name: 'NAME' })).toBe('NAME         STATE\ndemo-web-1   running\n');
  });
});

describe('stats', () => {
  const c = projectContainer({
    id: 'abcdef0123456789',
    name: 'demo-web-1',
    image: 'x',
    labels: { 'io.tsstack.service': 'web', 'io.tsstack.replica': '1' },
    state: 'running',
    ports: [],
    networks: [],
  });
  it('prints sizes as docker does (binary memory, decimal I/O)', () => {
    expect(formatBytes(327680, true)).toBe('320KiB');
    expect(formatBytes(25_275_000_000, true)).toBe('23.54GiB');
    expect(formatBytes(1040, false)).toBe('1.04kB');
    expect(formatBytes(516, false)).toBe('516B');
    expect(formatBytes(0, false)).toBe('0B');
  });
  it('fills Compose fields, zeros for a stopped container, full IDs with --no-trunc', () => {
    const s = {
      cpuPercent: 1.234,
      memoryUsage: 1048576,
      memoryLimit: 4194304,
      time: 0,
      netRx: 1000,
      netTx: 0,
      pids: 3,
    };
    expect(statsFields(c, s, false)).toEqual({
      BlockIO: '0B / 0B',
      CPUPerc: '1.23%',
      Container: 'abcdef012345',
      ID: 'abcdef012345',
      MemPerc: '25.00%',
      MemUsage: '1MiB / 4MiB',
      Name: 'demo-web-1',
      NetIO: '1kB / 0B',
      PIDs: '3',
    });
    expect(statsFields(c, undefined, true)).toMatchObject({
      ID: 'abcdef0123456789',
      CPUPerc: '0.00%',
      PIDs: '0',
    });
    const table = renderStats('table', [statsFields(c, s, false)]);
    expect(table.split('\n')[0]).toBe(
      'CONTAINER ID   NAME         CPU %   MEM USAGE / LIMIT   MEM %    NET I/O    BLOCK I/O   PIDS',
    );
  });
});

describe('events', () => {
  const e = {
    type: 'container' as const,
    action: 'start',
    id: 'c1',
    time: Date.UTC(2024, 4, 1, 10, 0, 0, 123),
    attributes: { name: 'demo-web-1', 'io.tsstack.service': 'web', 'io.tsstack.project': 'demo', image: 'x' },
  };
  it("uses Compose's field names and drops tsstack's labels, one-offs and other services", () => {
    expect(JSON.stringify(composeEvent(e, []))).toBe(
      '{"action":"start","attributes":{"name":"demo-web-1","image":"x"},"id":"c1","service":"web","time":"2024-05-01T10:00:00.123Z","type":"container"}',
    );
    expect(composeEvent(e, ['db'])).toBeUndefined();
    expect(
      composeEvent({ ...e, attributes: { ...e.attributes, 'io.tsstack.oneoff': 'true' } }, []),
    ).toBeUndefined();
    expect(composeEvent({ ...e, type: 'network' }, [])).toBeUndefined();
  });
  it('prints the text line as Compose does', () => {
    const line = eventLine(composeEvent(e, [])!);
    expect(line).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.123000 container start c1 \(image=x, name=demo-web-1\)\n$/,
    );
  });
});

describe('config --variables', () => {
  it('lists variables with required, default and alternate values, nested ones too', () => {
    const vars = stackVariables({
      services: {
        web: {
          image: 'busybox:${TAG:-1.36}',
          environment: ['A=${A:?set A}', 'B=$B', 'C=${C:+on}${D-${E}}', 'X=$$HOME'],
        },
      },
    });
    expect(vars).toEqual([
      { name: 'A', required: true, defaultValue: '', alternateValue: '' },
      { name: 'B', required: false, defaultValue: '', alternateValue: '' },
      { name: 'C', required: false, defaultValue: '', alternateValue: 'on' },
      { name: 'D', required: false, defaultValue: '${E}', alternateValue: '' },
      { name: 'E', required: false, defaultValue: '', alternateValue: '' },
      { name: 'TAG', required: false, defaultValue: '1.36', alternateValue: '' },
    ]);
  });
});

describe('up --attach', () => {
  const deps = (s: string[]) => [...s, 'db'];
  const all = ['web', 'db', 'cache'];
  it("follows Compose's choice of whose logs to print", () => {
    expect([...attachedServices({ services: [] }, all, deps)]).toEqual(all);
    expect([...attachedServices({ services: ['web'] }, all, deps)]).toEqual(['web']);
    expect([...attachedServices({ services: ['web'], attachDependencies: true }, all, deps)]).toEqual([
      'web',
      'db',
    ]);
    expect([...attachedServices({ services: [], attach: ['db'] }, all, deps)]).toEqual(['db']);
    expect([...attachedServices({ services: [], noAttach: ['db'] }, all, deps)]).toEqual(['web', 'cache']);
  });
});

describe('build --build-arg', () => {
  it('takes KEY=VALUE, and KEY alone from the environment (skipped when unset)', () => {
    expect(parseBuildArgs(['A=1', 'B=x=y', 'HOME', 'UNSET'], { HOME: '/root' })).toEqual({
      A: '1',
      B: 'x=y',
      HOME: '/root',
    });
    expect(() => parseBuildArgs(['=x'], {})).toThrow(UsageError);
  });
});

describe('global flags', () => {
  it('--ansi, --progress and --parallel become the variables the process reads', () => {
    const env: Record<string, string | undefined> = { FORCE_COLOR: '1' };
    applyGlobalEnv(['--ansi', 'never', '--progress=quiet', '--parallel', '-1'], env);
    expect(env).toEqual({ NO_COLOR: '1', TSSTACK_PROGRESS: 'quiet', TSSTACK_PARALLEL: '-1' });
    expect(() => applyGlobalEnv(['--parallel', '0'], {})).toThrow(UsageError);
  });

  it('every command takes --dry-run; one that cannot honour it refuses it (exit 2)', () => {
    const program = new Command('tsstack').option('--dry-run');
    program.command('stop').action(() => undefined);
    program.command('run').action(() => undefined);
    addDryRunOption(program);
    for (const c of program.commands) expect(c.options.map((o) => o.long)).toContain('--dry-run');
    const run = program.commands.find((c) => c.name() === 'run')!;
    const stop = program.commands.find((c) => c.name() === 'stop')!;
    run.setOptionValue('dryRun', true);
    stop.setOptionValue('dryRun', true);
    expect(() => guardDryRun(run)).toThrow('does not support --dry-run');
    expect(() => guardDryRun(stop)).not.toThrow();
  });
});

describe('ps and ls filters', () => {
  it('ps --status and --filter status= take the engine states only', () => {
    expect(parseStatusFilters(['running'], ['status=exited'])).toEqual(['running', 'exited']);
    expect(() => parseStatusFilters(['up'], [])).toThrow(UsageError);
    expect(() => parseStatusFilters([], ['name=x'])).toThrow('only filter is status');
  });
  it('ls --filter name= matches project names as a pattern', () => {
    const match = projectFilterOf(['name=^demo']);
    expect(match('demo-1')).toBe(true);
    expect(match('other')).toBe(false);
    expect(() => projectFilterOf(['status=x'])).toThrow(UsageError);
  });
});

describe('--format names', () => {
  it('refuses a format that is neither a name nor a template', () => {
    expect(() => parseFormat('xml')).toThrow(UsageError);
  });
});
