// The folder layers of src/, read from docs/architecture.md, turned into dependency-cruiser rules.
// CommonJS because dependency-cruiser loads its configuration with require().
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const DOC = path.join(__dirname, '..', 'docs', 'architecture.md');

/** Rows of the layer table between the `layers:begin` and `layers:end` markers: [{ rank, folder }]. */
function layersFromDoc(text) {
  const begin = text.indexOf('<!-- layers:begin');
  const end = text.indexOf('<!-- layers:end');
  if (begin < 0 || end < begin) throw new Error('docs/architecture.md: no layers:begin / layers:end table');
  const layers = [];
  for (const line of text.slice(begin, end).split('\n')) {
    const m = /^\|\s*(\d+)\s*\|\s*`([a-z][a-z0-9-]*)`\s*\|/.exec(line);
    if (m) layers.push({ rank: Number(m[1]), folder: m[2] });
  }
  if (layers.length === 0) throw new Error('docs/architecture.md: the layer table has no rows');
  return layers;
}

/** Folders under src/ that the table does not list (each would escape the rules). */
function unlistedFolders(layers, srcDir) {
  const listed = new Set(layers.map((l) => l.folder));
  return fs
    .readdirSync(srcDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !listed.has(e.name))
    .map((e) => e.name);
}

/** dependency-cruiser `forbidden` rules for the layers, the UI, the CLI parser and cycles. */
function rulesFor(layers) {
  const rules = [];
  for (const { rank, folder } of layers) {
    const notBelow = layers.filter((l) => l.folder !== folder && l.rank >= rank).map((l) => l.folder);
    if (notBelow.length === 0) continue;
    rules.push({
      name: `layer-${folder}`,
      comment: `src/${folder} (layer ${rank}) may import only folders on lower layers of docs/architecture.md`,
      severity: 'error',
      from: { path: `^src/${folder}/` },
      to: { path: `^src/(${notBelow.join('|')})/` },
    });
  }
  rules.push(
    {
      name: 'ui-reads-the-view-model',
      comment: 'the live UI draws from the view model and events only',
      severity: 'error',
      from: { path: '^src/ui/' },
      to: { path: '^src/', pathNot: '^src/(ui|events)/' },
    },
    {
      name: 'ui-loaded-lazily',
      comment:
        'the CLI bundle is CommonJS and Ink (ES modules with top-level await) cannot be required: the live UI is reached only through session/load-ui.ts, a dynamic import',
      severity: 'error',
      from: { pathNot: '^src/ui/' },
      to: { path: '^src/ui/(render|App)\\.|\\.tsx$', dependencyTypesNot: ['type-only', 'dynamic-import'] },
    },
    {
      name: 'parser-only-in-cli',
      comment: 'only src/cli parses the command line (commander)',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '(^|node_modules/)commander(/|$)' },
    },
    {
      name: 'no-circular',
      comment: 'no import cycles, between folders or files',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-src-root-files',
      comment: 'every module lives in a folder of the layer table',
      severity: 'error',
      from: { path: '^src/[^/]+$' },
      to: {},
    },
  );
  return rules;
}

/** The rules for this checkout; throws when a folder under src/ is missing from the table. */
function projectRules() {
  const layers = layersFromDoc(fs.readFileSync(DOC, 'utf8'));
  const missing = unlistedFolders(layers, path.join(__dirname, '..', 'src'));
  if (missing.length > 0)
    throw new Error(
      `src/${missing.join(', src/')} not in the layer table of docs/architecture.md: add a row (layer, folder, what it owns)`,
    );
  return rulesFor(layers);
}

module.exports = { layersFromDoc, unlistedFolders, rulesFor, projectRules };
