// Watch-mode latency bench. Run: npx tsx bench/watch/run.ts [edits=20] [sync|rebuild|all=all]
// Prints medians over `edits` saves for each path, beside its anchors (the engine floor, and Docker
// Compose v2 run by hand after the same save), with ratios. Tables only, no assertions.
import { benchRebuild } from './rebuild-latency.js';
import { benchSync } from './sync-latency.js';
import { conditions, findComposeV2, ratio } from '../anchors.js';
import { printTable, stats } from './table.js';

const edits = Number(process.argv[2] ?? 20);
const which = process.argv[3] ?? 'all';
console.log(await conditions(findComposeV2()));

if (which === 'all' || which === 'sync') {
  const rows = await benchSync(edits);
  printTable(
    `watch sync latency (ms), ${edits} edits each; batch quiet window 25 ms for a lone save, 100 ms in a burst`,
    rows,
  );
  const median = stats(rows[0]?.ms ?? []).median;
  console.log(
    `\ngoal: sync under 150 ms median → ${median.toFixed(1)} ms (${median < 150 ? 'met' : 'NOT met'})`,
  );
}

if (which === 'all' || which === 'rebuild') {
  const { rebuild, reload } = await benchRebuild(edits);
  printTable(`rebuild latency (ms): save → recreated container serving HTTP, ${edits} edits each`, rebuild);
  printTable(
    `spec reload latency (ms): save → recreated container serving HTTP, ${edits} edits each`,
    reload,
  );
  const med = (rows: typeof reload, prefix: string) =>
    stats(rows.find((r) => r.name.startsWith(prefix))?.ms ?? []).median;
  for (const [what, rows] of [
    ['rebuild', rebuild],
    ['spec reload', reload],
  ] as const)
    console.log(
      `${what}: tsstack / engine floor ${ratio(med(rows, 'tsstack'), med(rows, 'engine floor'))}, tsstack / Compose v2 ${ratio(med(rows, 'tsstack'), med(rows, 'docker compose'))}`,
    );
  const ts = stats(reload[0]?.ms ?? []).median;
  const floor = stats(reload[1]?.ms ?? []).median;
  console.log(
    `\ngoal: spec edit → recreated service under the engine's recreate + 100 ms → ${ts.toFixed(1)} vs ${floor.toFixed(1)} + 100 (${ts < floor + 100 ? 'met' : 'NOT met'})`,
  );
}
