import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DNS_LABEL,
  NameTable,
  PORT_NAME,
  isLabelKey,
  isLabelValue,
  toDnsLabel,
  toPortName,
} from '../../../src/export/kubernetes/names.js';
import {
  byteQuantity,
  cpuQuantity,
  seconds,
  storageQuantity,
} from '../../../src/export/kubernetes/quantity.js';

describe('names', () => {
  it('turns Compose names into DNS-1035 labels', () => {
    expect(toDnsLabel('web')).toBe('web');
    expect(toDnsLabel('My_App.v2')).toBe('my-app-v2');
    expect(toDnsLabel('9lives')).toBe('x-9lives');
    expect(toDnsLabel('__')).toBe('unnamed');
    expect(toDnsLabel('a'.repeat(70), 52)).toBe('a'.repeat(52));
    expect(toDnsLabel(`${'a'.repeat(51)}_b`, 52)).toBe('a'.repeat(51));
  });

  it('always returns a DNS label within the length limit, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), fc.integer({ min: 8, max: 63 }), (s, max) => {
        const out = toDnsLabel(s, max);
        expect(out).toMatch(DNS_LABEL);
        expect(out.length).toBeLessThanOrEqual(max);
      }),
    );
  });

  it('makes port names IANA service names or gives up', () => {
    expect(toPortName('HTTP web')).toBe('http-web');
    expect(toPortName('metrics-endpoint-long')).toBe('metrics-endpoin');
    expect(toPortName('8080')).toBeUndefined();
    expect(toPortName('--')).toBeUndefined();
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        const out = toPortName(s);
        if (out !== undefined) {
          expect(out).toMatch(PORT_NAME);
          expect(out.length).toBeLessThanOrEqual(15);
        }
      }),
    );
  });

  it('knows label keys and values', () => {
    expect(isLabelKey('app.kubernetes.io/name')).toBe(true);
    expect(isLabelKey('com.example.description')).toBe(true);
    expect(isLabelKey('bad key')).toBe(false);
    expect(isLabelKey('Bad_Prefix/x')).toBe(false);
    expect(isLabelValue('')).toBe(true);
    expect(isLabelValue('v1.2_3-a')).toBe(true);
    expect(isLabelValue('has space')).toBe(false);
    expect(isLabelValue('x'.repeat(64))).toBe(false);
  });

  it('hands out unique names with -2, -3 suffixes inside the limit', () => {
    const t = new NameTable(10);
    expect([t.claim('web'), t.claim('web'), t.claim('web')]).toEqual(['web', 'web-2', 'web-3']);
    expect([t.claim('abcdefghij'), t.claim('abcdefghij')]).toEqual(['abcdefghij', 'abcdefgh-2']);
  });
});

describe('quantities', () => {
  it('formats CPUs as cores or millicores', () => {
    expect([cpuQuantity(0.5), cpuQuantity(2), cpuQuantity(1.25), cpuQuantity(0.0001)]).toEqual([
      '500m',
      '2',
      '1250m',
      '1m',
    ]);
  });

  it('formats bytes in whole binary units where it can', () => {
    expect([byteQuantity(2 ** 30), byteQuantity(3 * 2 ** 20), byteQuantity(1536), byteQuantity(1e9)]).toEqual(
      ['1Gi', '3Mi', '1536', '1000000000'],
    );
    expect(byteQuantity(1024)).toBe('1Ki');
  });

  it('rounds durations up to whole seconds with a minimum', () => {
    expect([seconds(1500), seconds(0), seconds(0, 0), seconds(30_000)]).toEqual([2, 1, 0, 30]);
  });

  it('reads storage sizes as bytes, Kubernetes quantities or Compose sizes', () => {
    expect(storageQuantity(5 * 2 ** 30)).toBe('5Gi');
    expect(storageQuantity('10Gi')).toBe('10Gi');
    expect(storageQuantity('500M')).toBe('500M');
    expect(storageQuantity('20g')).toBe('20Gi');
    expect(storageQuantity('512mb')).toBe('512Mi');
    expect(storageQuantity('lots')).toBeUndefined();
    expect(storageQuantity(0)).toBeUndefined();
    expect(storageQuantity('0Gi')).toBeUndefined();
    expect(storageQuantity(true)).toBeUndefined();
  });
});
