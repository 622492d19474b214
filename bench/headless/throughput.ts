/**
 * Headless log throughput: log events pushed through the bus into the headless writer, out to a pipe
 * (a child `cat > /dev/null`, as a supervisor's stdout piped to a log collector) or /dev/null.
 * Prints MB/s per format. Goal (issue 5): >= 50 MB/s aggregated.
 * Run: node --import tsx bench/headless/throughput.ts
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { startHeadless, type LogFormat } from '../../src/session/headless.js';
import { EventBus } from '../../src/events/bus.js';

const SERVICES = 50;
const LINE =
  'GET /api/v1/items?page=3 200 1532 "Mozilla/5.0 (X11; Linux x86_64)" rt=0.012 upstream=10.0.0.7:8080';

// Lines as the engine feed delivers them: flat strings decoded from the log stream's buffers.
const MESSAGES = Array.from({ length: 4096 }, (_, i) => Buffer.from(`${i} ${LINE}`).toString('utf8'));

async function run(format: LogFormat, sinkName: string, sink: Writable, totalLines: number): Promise<string> {
  const bus = new EventBus();
  const h = startHeadless({ bus, out: sink, format, color: sinkName === 'pipe' ? true : false });
  let bytes = 0;
  const start = process.hrtime.bigint();
  const batch = 2000;
  for (let i = 0; i < totalLines; i += batch) {
    for (let j = 0; j < batch; j++) {
      const n = i + j;
      const message = MESSAGES[n % MESSAGES.length]!;
      bytes += message.length + 1;
      bus.emit({
        kind: 'log',
        service: `svc${n % SERVICES}`,
        replica: 1,
        stream: 'stdout',
        message,
        time: Date.now(),
      });
    }
    await h.drain();
  }
  await h.stop();
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  return `| ${format.padEnd(5)} | ${sinkName.padEnd(9)} | ${totalLines} | ${(bytes / 1e6).toFixed(0)} MB | ${secs.toFixed(2)} s | ${(bytes / 1e6 / secs).toFixed(0)} MB/s | ${h.dropped} |`;
}

async function main(): Promise<void> {
  const lines = Number(process.argv[2] ?? 2_000_000);
  console.log('| format | sink | lines | message bytes | time | throughput | dropped |');
  console.log('|---|---|---|---|---|---|---|');
  for (const format of ['plain', 'json'] as const) {
    const devnull = createWriteStream('/dev/null');
    console.log(await run(format, 'dev-null', devnull, lines));
    devnull.end();
    const child = spawn('sh', ['-c', 'cat > /dev/null'], { stdio: ['pipe', 'inherit', 'inherit'] });
    console.log(await run(format, 'pipe', child.stdin, lines));
    child.stdin.end();
    await new Promise((r) => child.on('exit', r));
  }
}

await main();
