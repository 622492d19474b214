import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cruise } from 'dependency-cruiser';
import { afterEach, describe, expect, it } from 'vitest';
import layerRules from '../../scripts/layer-rules.cjs';

const ROOT = path.resolve(import.meta.dirname, '../..');
const doc = readFileSync(path.join(ROOT, 'docs/architecture.md'), 'utf8');
const layers = layerRules.layersFromDoc(doc);

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

/** Cruises a scratch tree of `files` (path → source) with the rules generated from the doc; returns "rule from -> to". */
async function violations(files: Record<string, string>): Promise<string[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tsstack-layers-'));
  dirs.push(dir);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const result = await cruise(['src'], {
      ruleSet: { forbidden: layerRules.rulesFor(layers) },
      tsPreCompilationDeps: true,
      validate: true,
    });
    if (typeof result.output === 'string') throw new Error('unexpected string output');
    return result.output.summary.violations.map((v) => `${v.rule.name} ${v.from} -> ${v.to}`).sort();
  } finally {
    process.chdir(cwd);
  }
}

describe('the layer table of docs/architecture.md', () => {
  it('lists every folder under src/ with a layer and a purpose', () => {
    expect(layerRules.unlistedFolders(layers, path.join(ROOT, 'src'))).toEqual([]);
    expect(layers.map((l) => l.folder)).toContain('core');
    for (const line of doc.split('\n').filter((l) => /^\| \d+ \| `/.test(l)))
      expect(line.split('|')[3]?.trim().length).toBeGreaterThan(20);
  });

  it('the generated rules refuse an upward import, a sibling import, a cycle, the UI reaching past events, commander outside cli and a static import of the live UI', async () => {
    const found = await violations({
      'src/core/errors.ts': 'export class E extends Error {}\n',
      'src/cli/main.ts': "import { E } from '../core/errors.js';\nexport const main = E;\n",
      // model is below cli: pointing up
      'src/model/labels.ts': "import { main } from '../cli/main.js';\nexport const a = main;\n",
      // watch and swarm share a layer: siblings do not import each other
      'src/watch/w.ts': "import { s } from '../swarm/s.js';\nexport const w = s;\n",
      'src/swarm/s.ts': 'export const s = 1;\n',
      // a cycle inside one folder
      'src/spec/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
      'src/spec/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
      // ui may read events only
      'src/ui/App.ts': "import { r } from '../reconciler/r.js';\nexport const app = r;\n",
      'src/reconciler/r.ts': 'export const r = 1;\n',
      // the command-line parser belongs to cli
      'src/session/s.ts': "import { Command } from 'commander';\nexport const c = Command;\n",
      // the live UI only through a dynamic import (the CLI bundle cannot require Ink)
      'src/session/ui-static.ts': "import { startUi } from '../ui/render.js';\nexport const u = startUi;\n",
      'src/session/ui-lazy.ts': "export const load = () => import('../ui/render.js');\n",
      'src/ui/render.tsx': "import { x } from '../events/e.js';\nexport const startUi = x;\n",
      'src/events/e.ts': 'export const x = 1;\n',
    });
    expect(found).toEqual(
      expect.arrayContaining([
        'layer-model src/model/labels.ts -> src/cli/main.ts',
        'layer-watch src/watch/w.ts -> src/swarm/s.ts',
        'ui-reads-the-view-model src/ui/App.ts -> src/reconciler/r.ts',
        expect.stringMatching(/^no-circular src\/spec\/(a|b)\.ts -> src\/spec\/(a|b)\.ts$/),
        expect.stringMatching(/^parser-only-in-cli src\/session\/s\.ts -> .*commander/),
        'ui-loaded-lazily src/session/ui-static.ts -> src/ui/render.tsx',
      ]),
    );
    expect(found.filter((v) => v.includes('ui-lazy'))).toEqual([]);
  });

  it('accepts imports that point down', async () => {
    const found = await violations({
      'src/core/errors.ts': 'export class E extends Error {}\n',
      'src/model/labels.ts': "import { E } from '../core/errors.js';\nexport const a = E;\n",
      'src/reconciler/r.ts': "import { a } from '../model/labels.js';\nexport const r = a;\n",
      'src/cli/main.ts': "import { r } from '../reconciler/r.js';\nexport const main = r;\n",
    });
    expect(found).toEqual([]);
  });
});
