import { describe, expect, it } from 'vitest';
import { parsePortShort } from '../../../src/spec/normalize/ports.js';
import { formatted, normalizeYaml } from './helpers/normalize.js';

const portsOf = (ports: string) => {
  const { stack, problems } = normalizeYaml(`services:\n  web:\n    image: x\n    ports: ${ports}\n`);
  expect(formatted(problems)).toEqual([]);
  return stack.services.web!.ports;
};

describe('short port syntax', () => {
  it('HOST:CONTAINER', () => {
    expect(parsePortShort('8080:80')).toEqual([{ target: 80, published: '8080', protocol: 'tcp' }]);
  });

  it('HOST_IP:HOST:CONTAINER/PROTO', () => {
    expect(parsePortShort('127.0.0.1:8080:80/udp')).toEqual([
      { target: 80, published: '8080', host_ip: '127.0.0.1', protocol: 'udp' },
    ]);
  });

  it('bracketed IPv6 address', () => {
    expect(parsePortShort('[::1]:8080:80')).toEqual([
      { target: 80, published: '8080', host_ip: '::1', protocol: 'tcp' },
    ]);
  });

  it('unbracketed IPv6 address, as Docker splits it', () => {
    expect(parsePortShort('::1:8080:80')).toEqual([
      { target: 80, published: '8080', host_ip: '::1', protocol: 'tcp' },
    ]);
  });

  it('container port only: an ephemeral host port', () => {
    expect(parsePortShort('80')).toEqual([{ target: 80, protocol: 'tcp' }]);
    expect(parsePortShort('53/sctp')).toEqual([{ target: 53, protocol: 'sctp' }]);
  });

  it('IP with an empty host port', () => {
    expect(parsePortShort('127.0.0.1::80')).toEqual([{ target: 80, host_ip: '127.0.0.1', protocol: 'tcp' }]);
  });

  it('ranges expand to one port each, paired in order', () => {
    expect(parsePortShort('8000-8002:80-82')).toEqual([
      { target: 80, published: '8000', protocol: 'tcp' },
      { target: 81, published: '8001', protocol: 'tcp' },
      { target: 82, published: '8002', protocol: 'tcp' },
    ]);
    expect(parsePortShort('3000-3001')).toEqual([
      { target: 3000, protocol: 'tcp' },
      { target: 3001, protocol: 'tcp' },
    ]);
  });

  it('a published range for one container port stays a range (the engine picks one)', () => {
    expect(parsePortShort('8080-8090:80')).toEqual([{ target: 80, published: '8080-8090', protocol: 'tcp' }]);
  });

  it.each([
    ['80:80:80', 'is not a port mapping (expected [HOST_IP:][HOST:]CONTAINER[/PROTO])'],
    ['abc', 'is not a port mapping (expected [HOST_IP:][HOST:]CONTAINER[/PROTO])'],
    ['70000', 'is not a port mapping (expected [HOST_IP:][HOST:]CONTAINER[/PROTO])'],
    ['0', 'is not a port mapping (expected [HOST_IP:][HOST:]CONTAINER[/PROTO])'],
    ['90-80', 'is not a port mapping (expected [HOST_IP:][HOST:]CONTAINER[/PROTO])'],
    ['80/icmp', 'has an unknown protocol "icmp" (expected tcp, udp or sctp)'],
    ['8000-8010:80-85', 'has ranges of different lengths (8000-8010 → 80-85)'],
    ['[::1:80', 'is not a port mapping (expected [HOST_IP:][HOST:]CONTAINER[/PROTO])'],
  ])('rejects %j', (text, message) => {
    expect(parsePortShort(text)).toBe(message);
  });
});

describe('ports in a service', () => {
  it('numbers and strings, short and long, in order', () => {
    expect(
      portsOf(`
      - 80
      - "443:443"
      - target: 53
        published: 5353
        protocol: udp
        host_ip: 127.0.0.1
        mode: host
        name: dns
        app_protocol: dns
      - target: 9000
        published: "9000-9005"`),
    ).toEqual([
      { target: 80, protocol: 'tcp' },
      { target: 443, published: '443', protocol: 'tcp' },
      {
        target: 53,
        published: '5353',
        host_ip: '127.0.0.1',
        protocol: 'udp',
        mode: 'host',
        name: 'dns',
        app_protocol: 'dns',
      },
      { target: 9000, published: '9000-9005', protocol: 'tcp' },
    ]);
  });

  it('an invalid short port is located at its list entry', () => {
    const { problems } = normalizeYaml(`services:
  web:
    image: x
    ports:
      - "8080:80"
      - "80:80:80"
`);
    expect(formatted(problems)).toEqual([
      'stack.yml:6:9 services.web.ports[1]: "80:80:80" is not a port mapping (expected [HOST_IP:][HOST:]CONTAINER[/PROTO])',
    ]);
  });

  it('long syntax errors are located at the field', () => {
    const { problems } = normalizeYaml(`services:
  web:
    image: x
    ports:
      - target: 99999
      - target: 80
        protocol: icmp
      - published: 80
      - target: 81
        host_ip: localhost
`);
    expect(formatted(problems)).toEqual([
      'stack.yml:5:17 services.web.ports[0].target: 99999 is not a port number (1-65535)',
      'stack.yml:7:19 services.web.ports[1].protocol: unknown protocol "icmp" (expected tcp, udp or sctp)',
      'stack.yml:8:9 services.web.ports[2]: a port needs a target (the container port)',
      'stack.yml:10:18 services.web.ports[3].host_ip: "localhost" is not an IP address',
    ]);
  });

  it('ports that are not a list, and entries of the wrong type', () => {
    const { problems } = normalizeYaml(`services:
  a:
    image: x
    ports: "80"
  b:
    image: x
    ports: [true]
`);
    expect(formatted(problems)).toEqual([
      'stack.yml:4:12 services.a.ports: expected a list of ports, got "80"',
      'stack.yml:7:13 services.b.ports[0]: true is not a port mapping (expected [HOST_IP:][HOST:]CONTAINER[/PROTO])',
    ]);
  });
});
