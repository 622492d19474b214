// Test helper: fast-check generators of Compose documents, every short and long form the normalizer knows.
// Used by the property tests and by the differential test against Docker Compose.
import fc from 'fast-check';

export const SERVICE_NAMES = ['web', 'api', 'db', 'cache', 'worker', 'proxy'];

const port = fc.integer({ min: 1, max: 65535 });
const smallPort = fc.integer({ min: 1024, max: 60000 });
const duration = fc.oneof(
  fc.constantFrom('10s', '1m30s', '500ms', '1h', '1.5s', '2us', '0s'),
  fc.integer({ min: 1, max: 100_000 }).map((n) => `${n}ms`),
);
const size = fc.oneof(
  fc.constantFrom('512m', '1g', '1.5gb', '100k', '1024b'),
  fc.integer({ min: 0, max: 1e9 }),
);
const word = fc.stringMatching(/^[a-z][a-z0-9_-]{0,8}$/);
const envKey = fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,8}$/);
const text = fc.string({ maxLength: 12 });

const portEntry = fc.oneof(
  port,
  fc.tuple(smallPort, port).map(([h, c]) => `${h}:${c}`),
  fc
    .tuple(smallPort, port, fc.constantFrom('tcp', 'udp', 'sctp'))
    .map(([h, c, p]) => `127.0.0.1:${h}:${c}/${p}`),
  fc.tuple(smallPort, port).map(([h, c]) => `[::1]:${h}:${c}`),
  fc
    .tuple(
      fc.integer({ min: 1024, max: 60000 }),
      fc.integer({ min: 1, max: 60000 }),
      fc.integer({ min: 0, max: 3 }),
    )
    .map(([h, c, n]) => `${h}-${h + n}:${c}-${c + n}`),
  fc.tuple(smallPort, port).map(([h, c]) => `${h}-${h + 10}:${c}`),
  fc.record(
    {
      target: port,
      published: fc.oneof(smallPort, smallPort.map(String)),
      protocol: fc.constantFrom('tcp', 'udp'),
    },
    { requiredKeys: ['target'] },
  ),
);

const volumeEntry = fc.oneof(
  fc
    .tuple(word, word, fc.constantFrom('', ':ro', ':rw', ':ro,z', ':cached'))
    .map(([a, b, m]) => `./${a}:/${b}${m}`),
  fc.tuple(word, fc.constantFrom('', ':ro', ':nocopy')).map(([b, m]) => `named:/${b}${m}`),
  word.map((b) => `/${b}`),
  fc.tuple(word, word).map(([a, b]) => `~/${a}:/${b}`),
  fc.record({
    type: fc.constant('bind'),
    source: word.map((w) => `./${w}`),
    target: word.map((w) => `/${w}`),
    read_only: fc.boolean(),
  }),
  fc.record({ type: fc.constant('volume'), source: fc.constant('named'), target: word.map((w) => `/${w}`) }),
  fc.record({ type: fc.constant('tmpfs'), target: word.map((w) => `/${w}`), tmpfs: fc.record({ size }) }),
);

const environment = fc.oneof(
  fc.array(
    fc.tuple(envKey, text).map(([k, v]) => `${k}=${v}`),
    { maxLength: 4 },
  ),
  fc.array(envKey, { maxLength: 3 }),
  fc.dictionary(envKey, fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null)), { maxKeys: 4 }),
);

const command = fc.oneof(
  fc
    .array(
      fc.oneof(word, fc.constantFrom('"a b"', "'c d'", 'e\\ f', 'x;', '&&', '$$HOME', 'a$$b', '*.txt')),
      {
        maxLength: 5,
      },
    )
    .map((ws) => ws.join(' ')),
  fc.array(text, { maxLength: 4 }),
  fc.constant(null),
);

const healthcheck = fc.oneof(
  fc.record(
    {
      test: fc.oneof(
        word.map((w) => `${w} --check`),
        fc.array(word, { maxLength: 3 }).map((a) => ['CMD', ...a]),
      ),
      interval: duration,
      timeout: duration,
      retries: fc.integer({ min: 0, max: 10 }),
      start_period: duration,
    },
    { requiredKeys: ['test'] },
  ),
  fc.constant({ disable: true }),
  fc.constant({ test: ['NONE'] }),
);

const dependsOn = (others: string[]) =>
  fc.oneof(
    fc.subarray(others),
    fc.subarray(others).chain((names) =>
      fc
        .tuple(
          ...names.map(() =>
            fc.record(
              {
                condition: fc.constantFrom(
                  'service_started',
                  'service_healthy',
                  'service_completed_successfully',
                ),
                required: fc.boolean(),
                restart: fc.boolean(),
              },
              { requiredKeys: [] },
            ),
          ),
        )
        .map((conds) => Object.fromEntries(names.map((n, i) => [n, conds[i]]))),
    ),
  );

const service = (others: string[]) =>
  fc.record(
    {
      image: word,
      ports: fc.array(portEntry, { maxLength: 4 }),
      volumes: fc.array(volumeEntry, { maxLength: 4 }),
      environment,
      command,
      entrypoint: command,
      healthcheck,
      depends_on: dependsOn(others),
      labels: fc.oneof(
        fc.dictionary(word, text, { maxKeys: 3 }),
        fc.array(
          word.map((w) => `${w}=x`),
          { maxLength: 3 },
        ),
      ),
      scale: fc.integer({ min: 0, max: 3 }),
      stop_grace_period: duration,
      mem_limit: size,
      build: fc.oneof(
        word.map((w) => `./${w}`),
        fc.record({ context: word, args: fc.array(envKey, { maxLength: 2 }) }),
      ),
      profiles: fc.array(fc.constantFrom('dev', 'debug'), { maxLength: 1 }),
      'x-note': text,
    },
    { requiredKeys: ['image'] },
  );

export const document = fc
  .uniqueArray(fc.constantFrom(...SERVICE_NAMES), { minLength: 1, maxLength: SERVICE_NAMES.length })
  .chain((names) =>
    fc.tuple(...names.map((n) => service(names.filter((o) => o !== n)))).map((services) => ({
      services: Object.fromEntries(names.map((n, i) => [n, services[i]])),
      volumes: { named: {} },
    })),
  );
