import { describe, expect, it } from 'vitest';
import { humanSize, splitRef } from '../../../src/cli/commands/images.js';
import { parseSince, parseTail } from '../../../src/cli/commands/logs.js';
import { unixSeconds } from '../../../src/session/log-printer.js';
import { projectListings } from '../../../src/cli/commands/ls.js';
import { pickBinding } from '../../../src/cli/commands/port.js';
import { formatPorts, renderTable, statusText } from '../../../src/session/project-containers.js';
import { UsageError } from '../../../src/core/errors.js';
import type { ContainerSummary } from '../../../src/runtime/types.js';

function container(over: Partial<ContainerSummary>): ContainerSummary {
  return { id: 'x', name: 'x', image: 'i', labels: {}, state: 'running', ports: [], networks: [], ...over };
}

describe('ps formatting', () => {
  it('formats ports like docker ps, IPv6 bracketed, duplicates dropped', () => {
    expect(
      formatPorts([
        { target: 80, protocol: 'tcp', hostIp: '::', hostPort: 8080 },
        { target: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8080 },
        { target: 53, protocol: 'udp' },
        { target: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8080 },
      ]),
    ).toBe('53/udp, [::]:8080->80/tcp, 0.0.0.0:8080->80/tcp');
  });
  it('prefers the engine status text and falls back to state', () => {
    expect(statusText(container({ status: 'Up 2 minutes (healthy)' }))).toBe('Up 2 minutes (healthy)');
    expect(statusText(container({ state: 'exited', exitCode: 2 }))).toBe('exited (2)');
    expect(statusText(container({ health: 'starting' }))).toBe('running (starting)');
  });
  it('aligns table columns with three spaces and no trailing blanks', () => {
    expect(
      renderTable(
        ['NAME', 'PORTS'],
        [
          ['a-long-name', ''],
          ['b', '80/tcp'],
        ],
      ),
    ).toBe('NAME          PORTS\na-long-name\nb             80/tcp\n');
  });
});

describe('logs options', () => {
  it('parses --tail', () => {
    expect(parseTail('all')).toBeUndefined();
    expect(parseTail('10')).toBe(10);
    expect(() => parseTail('-1')).toThrow(UsageError);
  });
  it('parses --since as Unix seconds, a time, or a duration back from now', () => {
    const now = Date.parse('2024-05-01T10:00:00Z');
    expect(parseSince('1714557600', now)).toBe(1714557600);
    expect(parseSince('2024-05-01T09:00:00Z', now)).toBe(now / 1000 - 3600);
    expect(parseSince('10m', now)).toBe(now / 1000 - 600);
    expect(parseSince('1h30m', now)).toBe(now / 1000 - 5400);
    expect(() => parseSince('yesterday', now)).toThrow(UsageError);
  });
});

describe('log timestamps', () => {
  it('reads engine timestamps to the microsecond', () => {
    expect(unixSeconds('2024-05-01T10:00:00.123456789Z')).toBeCloseTo(1714557600.123457, 6);
    expect(unixSeconds('2024-05-01T10:00:00Z')).toBe(1714557600);
    expect(unixSeconds('2024-05-01T12:00:00.5+02:00')).toBe(1714557600.5);
  });
});

describe('port, images, ls helpers', () => {
  it('picks the IPv4 binding of the asked port and protocol', () => {
    const ports = [
      { target: 80, protocol: 'tcp' as const, hostIp: '::', hostPort: 1 },
      { target: 80, protocol: 'tcp' as const, hostIp: '0.0.0.0', hostPort: 2 },
      { target: 80, protocol: 'udp' as const, hostIp: '0.0.0.0', hostPort: 3 },
    ];
    expect(pickBinding(ports, 80, 'tcp')?.hostPort).toBe(2);
    expect(pickBinding(ports, 80, 'udp')?.hostPort).toBe(3);
    expect(pickBinding(ports, 81, 'tcp')).toBeUndefined();
  });
  it('splits image references into repository and tag', () => {
    expect(splitRef('busybox')).toEqual(['busybox', 'latest']);
    expect(splitRef('reg:5000/team/app:1.2')).toEqual(['reg:5000/team/app', '1.2']);
    expect(splitRef('reg:5000/app')).toEqual(['reg:5000/app', 'latest']);
    expect(splitRef('app@sha256:abc')).toEqual(['app', '<none>']);
  });
  it('prints sizes in decimal units like docker', () => {
    expect(humanSize(999)).toBe('999B');
    expect(humanSize(1_990_000)).toBe('1.99MB');
    expect(humanSize(123_400_000)).toBe('123MB');
  });
  it('groups containers into projects with state counts and config files', () => {
    const l = (p: string, files?: string) => ({
      'io.tsstack.project': p,
      ...(files ? { 'io.tsstack.config-files': files } : {}),
    });
    const rows = projectListings([
      container({ labels: l('b', '/b/stack.yml') }),
      container({ labels: l('a', '/a/compose.yaml,/a/compose.override.yaml'), state: 'exited' }),
      container({ labels: l('a', '/a/compose.yaml'), state: 'running' }),
      container({ labels: l('a'), state: 'running' }),
      container({ labels: {} }),
    ]);
    expect(rows).toEqual([
      {
        name: 'a',
        status: 'running(2), exited(1)',
        running: 2,
        configFiles: '/a/compose.yaml,/a/compose.override.yaml',
      },
      { name: 'b', status: 'running(1)', running: 1, configFiles: '/b/stack.yml' },
    ]);
  });
});
