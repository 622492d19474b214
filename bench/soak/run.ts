/**
 * Supervisor soak: a stack of SERVICES services that log steadily, plus one that crashes every few seconds
 * and is restarted by the engine, supervised headless (JSON lines to /dev/null) in this process. Prints RSS
 * and heap over time, so a growth trend shows. Goal (issue 5): RSS under 80 MB with 50 services, no trend.
 *   node --expose-gc --import tsx bench/soak/run.ts [seconds=600] [services=50] [lines-per-burst=20]
 *   (TSSTACK_DIST=1 after `npm run build` measures the compiled code instead of the sources under tsx)
 */
import { EventEmitter } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type * as SuperviseModule from '../../src/cli/supervise.js';
import type * as BusModule from '../../src/events/bus.js';
import type * as ConvergeModule from '../../src/reconciler/converge.js';
import type * as RuntimeModule from '../../src/runtime/index.js';
import type * as SpecModule from '../../src/spec/index.js';

// TSSTACK_DIST=1 measures the compiled CLI (dist/, after `npm run build`) rather than the sources under tsx.
const base = process.env.TSSTACK_DIST ? '../../dist' : '../../src';
const { superviseAttached } = (await import(`${base}/cli/supervise.js`)) as typeof SuperviseModule;
const { EventBus } = (await import(`${base}/events/bus.js`)) as typeof BusModule;
const { converge } = (await import(`${base}/reconciler/converge.js`)) as typeof ConvergeModule;
const { connectRuntime } = (await import(`${base}/runtime/index.js`)) as typeof RuntimeModule;
const { loadStack } = (await import(`${base}/spec/index.js`)) as typeof SpecModule;

const seconds = Number(process.argv[2] ?? 600);
const services = Number(process.argv[3] ?? 50);
const burst = Number(process.argv[4] ?? 20);
const project = `t-soak-${Math.random().toString(36).slice(2, 8)}`;
const dir = mkdtempSync(join(tmpdir(), 'tsstack-soak-'));
const file = join(dir, 'stack.yml');

const logger = (i: number) => `  s${i}:
    image: tsstack-test/busybox:latest
    command: ["sh", "-c", "trap 'exit 0' TERM; n=0; while true; do i=0; while [ $$i -lt ${burst} ]; do echo \\"s${i} request $$n path=/api/items/$$i status=200 bytes=1532 rt=0.012 upstream=10.0.0.7:8080\\"; i=$$((i+1)); n=$$((n+1)); done; sleep 0.1 & wait $$!; done"]
    stop_grace_period: 1s
`;
writeFileSync(
  file,
  `name: ${project}\nservices:\n${Array.from({ length: services }, (_, i) => logger(i)).join('')}  crasher:
    image: tsstack-test/busybox:latest
    command: ["sh", "-c", "echo starting; sleep 3; echo crashing >&2; exit 1"]
    restart: always
`,
);

const { stack } = await loadStack({ files: [file], cwd: dir, envFiles: [], profiles: [], env: process.env });
const runtime = await connectRuntime({ env: process.env });
const bus = new EventBus();
let lines = 0;
let bytes = 0;
let starts = 0;
bus.subscribe((e) => {
  if (e.kind === 'log') {
    lines++;
    bytes += e.message.length + 1;
  } else if (e.kind === 'container.state' && e.service === 'crasher' && e.phase === 'running') starts++;
});
const signals = new EventEmitter();
const out = createWriteStream('/dev/null') as unknown as NodeJS.WriteStream;
const t0 = Date.now();
const session = superviseAttached({
  runtime,
  stack,
  bus,
  ui: false,
  logFormat: 'json',
  since: Math.floor(t0 / 1000),
  prepare: async (b) => {
    await converge(runtime, stack, { bus: b });
  },
  stdout: out,
  signals: signals as unknown as NodeJS.Process,
  env: {},
});

const mb = (n: number) => (n / 1048576).toFixed(1);
console.log(`project ${project}: ${services} logging services + 1 crashing every ~3 s, ${seconds} s`);
console.log(
  '| t (s) | RSS MB | heap used MB | external MB | array buffers MB | log lines | log MB | crasher starts |',
);
console.log('|---|---|---|---|---|---|---|---|');
// With --expose-gc, collect before each sample so the numbers show what is retained, not garbage.
const gc = (globalThis as { gc?: () => void }).gc;
const sample = () => {
  gc?.();
  const m = process.memoryUsage();
  const t = Math.round((Date.now() - t0) / 1000);
  console.log(
    `| ${t} | ${mb(m.rss)} | ${mb(m.heapUsed)} | ${mb(m.external)} | ${mb(m.arrayBuffers)} | ${lines} | ${(bytes / 1e6).toFixed(0)} | ${starts} |`,
  );
};
const every = Math.max(5, Math.floor(seconds / 20)) * 1000;
const timer = setInterval(sample, every);
await new Promise((r) => setTimeout(r, seconds * 1000));
clearInterval(timer);
sample();
signals.emit('SIGTERM');
const code = await session;
console.log(`supervisor exit code ${code}`);
for (const c of await runtime.listContainers({ 'io.tsstack.project': project }, { all: true }))
  await runtime.removeContainer(c.id, { force: true });
for (const n of await runtime.listNetworks({ 'io.tsstack.project': project }))
  await runtime.removeNetwork(n.id);
rmSync(dir, { recursive: true, force: true });
