// Bundles the CLI into bundle/, which bin/tsstack.js runs through bundle/launch.js:
//   - bundle/tsstack.cjs: the whole CLI as one CommonJS file. The launcher compiles it with a V8 code
//     cache per command (src/cli/code-cache.ts): Node 20 can cache compiled code only for scripts, not
//     for ES modules. Each command's modules still run only when that command is loaded (esbuild keeps a
//     lazily imported module's top level in a function until it is imported).
//   - bundle/ui.js (+ chunks): the live UI as ES modules: Ink and its layout engine use top-level await,
//     which only an ES module can import. The CLI reaches it through src/session/load-ui.ts.
//   - bundle/launch.cjs: the launcher (CommonJS, as bin/tsstack.js: an ES module entry point would start
//     Node's ES module loader first); bundle/build.json names the files and the CLI bundle's content hash.
// Why a bundle at all: loading ~200 small modules (our dist/ plus yaml, ajv, dockerode, commander ...) cost
// about 0.1 s of every command's start. ink/react and kubernetes-models stay external: ES modules with
// top-level await, or a package of thousands of files loaded only by `export`. dist/ (tsc's output) stays
// for benchmarks and tests that import modules.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import vm from 'node:vm';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'bundle');
rmSync(outdir, { recursive: true, force: true });

// The UI module is never bundled into the CLI: load-ui.ts imports it through the launcher's loader.
const uiApart = {
  name: 'ui-apart',
  setup(b) {
    b.onResolve({ filter: /\/ui\/render\.js$/ }, (args) =>
      args.importer.includes(`${join('src', 'cli')}`) ? { path: './ui.js', external: true } : undefined,
    );
  },
};
// dockerode goes into the bundle (so the code cache covers it) without the parts a CLI run almost never
// needs: its BuildKit session (grpc, protobufjs) and docker-modem's ssh transport become functions that
// load the real module from node_modules on their first call. src/runtime/dockerode.ts does the same for
// dist/ through the require cache; here the bundler does it.
const dockerodeBundled = {
  name: 'dockerode-bundled',
  setup(b) {
    b.onLoad({ filter: /src[\\/]runtime[\\/]dockerode\.ts$/ }, () => ({
      contents:
        "import Docker from 'dockerode';\nexport default Docker;\nexport const deferredModules = {};\n",
      loader: 'ts',
    }));
    const deferred = { session: 'dockerode/lib/session.js', ssh: 'docker-modem/lib/ssh.js' };
    b.onResolve({ filter: /^\.\/(session|ssh)(\.js)?$/ }, (args) => {
      const name = args.path.replace(/^\.\/|\.js$/g, '');
      const pkg = name === 'session' ? 'dockerode' : 'docker-modem';
      if (!args.resolveDir.replaceAll('\\', '/').endsWith(`node_modules/${pkg}/lib`)) return undefined;
      return { path: name, namespace: 'deferred' };
    });
    b.onLoad({ filter: /.*/, namespace: 'deferred' }, (args) => ({
      // Resolved at run time from the bundle's folder (docker-modem from dockerode's), never a build path.
      contents: `const { createRequire } = require('node:module');
let real;
module.exports = function deferred(...args) {
  if (!real) {
    const fromDockerode = createRequire(createRequire(__filename).resolve('dockerode'));
    real = fromDockerode(${JSON.stringify(deferred[args.path])});
  }
  return real.apply(this, args);
};
`,
      loader: 'js',
    }));
  },
};
// docker-modem logs through the `debug` package, which loads tty and supports-color on every start (about
// 2 ms) to colour output nobody asked for. Its stand-in keeps `DEBUG=modem` (or `*`, `mod*`) working: the
// same lines, on stderr, without colours.
const debugStandIn = {
  name: 'debug-stand-in',
  setup(b) {
    b.onResolve({ filter: /^debug$/ }, (args) =>
      args.resolveDir.replaceAll('\\', '/').includes('node_modules/docker-modem/')
        ? { path: 'debug', namespace: 'debug-stand-in' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'debug-stand-in' }, () => ({
      contents: `const { format } = require('node:util');
module.exports = function debug(namespace) {
  const on = (process.env.DEBUG || '').split(/[\\s,]+/).some((p) =>
    p !== '' && !p.startsWith('-') && (p === '*' || p === namespace || (p.endsWith('*') && namespace.startsWith(p.slice(0, -1)))));
  const log = on ? (...args) => process.stderr.write(namespace + ' ' + format(...args) + '\\n') : () => undefined;
  log.enabled = on;
  return log;
};
`,
      loader: 'js',
    }));
  },
};
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
};
const external = ['ink', 'react', 'react/*', 'kubernetes-models', 'kubernetes-models/*'];

await build({
  ...common,
  entryPoints: ['src/cli/main.ts'],
  outfile: join(outdir, 'tsstack.cjs'),
  format: 'cjs',
  external,
  plugins: [uiApart, dockerodeBundled, debugStandIn],
  // import.meta.url as an ES module would see it (version.ts reads ../package.json through it).
  define: {
    'import.meta.url': '__tsstackModuleUrl',
    // The version of the `yaml` bundled here (src/spec/parse-cache.ts keys its cache with it).
    TSSTACK_YAML_VERSION: JSON.stringify(createRequire(import.meta.url)('yaml/package.json').version),
  },
  banner: { js: "const __tsstackModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
});
await build({
  ...common,
  entryPoints: { ui: 'src/ui/render.tsx' },
  outdir,
  splitting: true,
  format: 'esm',
  external,
  // CommonJS packages in the bundle call require() for Node built-ins; give ES modules one.
  banner: {
    js: "import { createRequire as __tsstackCreateRequire } from 'node:module'; const require = __tsstackCreateRequire(import.meta.url);",
  },
});
await build({
  ...common,
  entryPoints: ['src/cli/launch.ts'],
  outfile: join(outdir, 'launch.cjs'),
  format: 'cjs',
  external,
  plugins: [uiApart],
});
// The detached supervisor's own bundle: it runs as long as the project, so it loads only what it needs.
await build({
  ...common,
  entryPoints: ['src/cli/supervisor-entry.ts'],
  outfile: join(outdir, 'supervisor.cjs'),
  format: 'cjs',
  external,
  footer: {
    js: `if (require.main === module)
  module.exports.main(process.argv).then(
    (code) => { process.exitCode = code; },
    (err) => { console.error(err instanceof Error ? err.message : String(err)); process.exitCode = 1; },
  );`,
  },
});
// The CLI bundle is made pure ASCII (the few characters esbuild leaves, in comments and a regular
// expression, as \u escapes, which mean the same there): the launcher then reads it as Latin-1, about 7 ms
// less than decoding 2 MB of UTF-8 on every start.
const cliFile = join(outdir, 'tsstack.cjs');
// Built-ins that most commands never use but that modules load at their top (commander: child_process;
// docker-modem: https; dockerode: zlib; the image builder: fs/promises, which brings readline; the
// NODE_EXTRA_CA_CERTS trust of src/core/extra-ca.ts: tls) are
// required on first use instead: about 10 ms of every start. Each `require` of one becomes a stand-in
// whose properties load the module when first read; it lists the module's own keys (taken here, from the
// Node that builds and runs the bundle) so that esbuild's ES module interop still sees every export. A
// property set on the stand-in is set on the module; one set on an object that inherits from it
// (docker-modem's wrappers do that) is set on that object, as usual.
const LAZY_BUILTINS = ['child_process', 'https', 'zlib', 'fs/promises', 'tls'];
const lazyKeys = Object.fromEntries(
  LAZY_BUILTINS.map((name) => [name, Object.getOwnPropertyNames(createRequire(import.meta.url)(name))]),
);
const lazyHelper = `const __tsstackLazyKeys = ${JSON.stringify(lazyKeys)};
const __tsstackLazy = (name) => {
  let real;
  const load = () => (real ??= require('node:' + name));
  const keys = __tsstackLazyKeys[name];
  const stand = new Proxy({}, {
    get: (_, key) => load()[key],
    has: (_, key) => key in load(),
    set: (_, key, value, receiver) =>
      receiver === stand
        ? Reflect.set(load(), key, value)
        : Reflect.defineProperty(receiver, key, { value, writable: true, enumerable: true, configurable: true }),
    ownKeys: () => [...keys],
    getOwnPropertyDescriptor: (_, key) =>
      keys.includes(key) ? { get: () => load()[key], enumerable: true, configurable: true } : undefined,
  });
  return stand;
};
`;
const bundled = readFileSync(cliFile, 'utf8');
const lazyRequire = new RegExp(`\\brequire\\("(?:node:)?(${LAZY_BUILTINS.join('|')})"\\)`, 'g');
const withLazy = bundled.replace(lazyRequire, (_, name) => `__tsstackLazy("${name}")`);
if (withLazy === bundled) throw new Error('no lazily loaded built-in found in tsstack.cjs');
// On the banner's line, so that the source map's lines still match.
const firstLine = withLazy.indexOf('\n');
const oneLine = lazyHelper.replace(/\n\s*/g, ' ');
const ascii = (withLazy.slice(0, firstLine) + ' ' + oneLine + withLazy.slice(firstLine)).replace(
  /[^\t\n\r\x20-\x7e]/g,
  (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
);
// The launcher compiles the bundle as a vm.Script, which has no dynamic import: import() of a module that
// stays outside the bundle (a Node built-in) would throw ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING when run.
const dynamicImport = /\bimport\(\s*["'`](node:[^"'`]+)/.exec(ascii);
if (dynamicImport)
  throw new Error(
    `tsstack.cjs imports ${dynamicImport[1]} dynamically: use a static import or createRequire`,
  );
if (/String\.raw/.test(ascii))
  throw new Error('tsstack.cjs uses String.raw: check that \\u escapes keep its meaning');
// What was spliced in above must still parse (a syntax error would only show when the CLI runs).
new vm.Script(ascii, { filename: cliFile });
writeFileSync(cliFile, ascii);
const id = createHash('sha256').update(ascii).digest('hex').slice(0, 16);
writeFileSync(
  join(outdir, 'build.json'),
  `${JSON.stringify({ id, cli: 'tsstack.cjs', ui: 'ui.js', supervisor: 'supervisor.cjs' })}\n`,
);
