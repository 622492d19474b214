// Import rules of src/, generated from the layer table in docs/architecture.md (see scripts/layer-rules.cjs).
'use strict';
const { projectRules } = require('./scripts/layer-rules.cjs');

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: projectRules(),
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a type from a higher layer is still an upward dependency.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
