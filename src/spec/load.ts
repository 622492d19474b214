import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { discoverStackFiles, STACK_FILE_NAMES } from './discover.js';
import { emptyStackProblem } from './empty.js';
import type { SpecProblem } from './errors.js';
import { resolveExtends, type LoadedFile } from './extends.js';
import { applyIncludes, type IncludeRequest } from './include.js';
import type { LoadOptions } from './options.js';
import { interpolateString, interpolateTree, lookupIn } from './interpolate.js';
import { lmap, locateIn, locateKeyIn, toPlain, type LMap } from './locate.js';
import { mergeDocuments } from './merge.js';
import { definedOnly, enabledProfiles, isFile, projectEnv, variables } from './project-env.js';
import { resolveProjectName } from './project-name.js';
import type { RawProject } from './raw.js';
import { rebaseDocument } from './rebase.js';
import type { SourceLocation, SpecWarning } from './types.js';
import { parseYamlCached } from './parse-cache.js';
import { MAX_FILE_BYTES } from './yaml.js';

export const STDIN = '-';
const STDIN_NAME = '<stdin>';

export interface LoadResult {
  /** Undefined when the files could not be read or parsed (see problems). */
  raw?: RawProject;
  /** True when no file was found and `allowMissing` let that pass. */
  missing?: boolean;
  problems: SpecProblem[];
  warnings: SpecWarning[];
  /** Text of every file read, by the name locations use (for code frames). */
  sourceText(file: string): string | undefined;
}

/** Files → RawProject: discovery, .env, YAML, interpolation, include, extends and merge of all files in order. */
export async function loadRawProject(options: LoadOptions): Promise<LoadResult> {
  const loader = new Loader(options);
  return loader.run();
}

class Loader {
  readonly problems: SpecProblem[] = [];
  readonly warnings: SpecWarning[] = [];
  private readonly texts = new Map<string, string>();
  private readonly cwd: string;
  private readonly processEnv: Record<string, string>;
  private readonly parsed = new Map<string, LoadedFile | undefined>();
  private readonly raw = new Map<string, LMap | undefined>();
  private projectName?: string;
  private readonly sources = new Set<string>();
  private stdinText?: string;
  private readonly envIds = new WeakMap<Record<string, string>, number>();
  private nextEnvId = 0;

  constructor(private readonly options: LoadOptions) {
    this.cwd = path.resolve(options.cwd);
    this.processEnv = definedOnly(options.env);
  }

  async run(): Promise<LoadResult> {
    const sourceText = (file: string) => this.texts.get(file) ?? this.texts.get(this.display(file));
    const files = this.stackFiles();
    const result = (raw?: RawProject, missing?: boolean): LoadResult => ({
      raw,
      missing,
      problems: this.problems,
      warnings: this.warnings,
      sourceText,
    });
    if (!files) return result(undefined, this.problems.length === 0 ? true : undefined);
    if (files.includes(STDIN)) {
      if (!this.options.readStdin)
        this.problem(undefined, 'reading the stack from stdin (-f -) is not available here');
      else {
        this.stdinText = await this.options.readStdin();
        this.texts.set(STDIN_NAME, this.stdinText);
      }
    }
    const projectDir = this.options.projectDirectory
      ? path.resolve(this.cwd, this.options.projectDirectory)
      : files[0] === STDIN || files[0] === undefined
        ? this.cwd
        : path.dirname(files[0]);
    const env = this.projectEnv(
      projectDir,
      this.options.envFiles.map((f) => path.resolve(this.cwd, f)),
    );
    // The project name is known before interpolation, so that ${COMPOSE_PROJECT_NAME} works in the files.
    const named = resolveProjectName({
      flag: this.options.projectName,
      env,
      topLevel: this.peekName(files, env),
      projectDir,
    });
    if (!named.ok) {
      this.problems.push({
        location: named.location,
        path: named.source === 'name' ? ['name'] : [],
        message: named.message,
      });
    } else this.projectName = named.name;
    const fullEnv = this.withProjectName(env);
    const doc = this.loadDocument(files, fullEnv, []);
    if (!doc) return result();
    // An include that failed also leaves nothing; then its own problem says why.
    if (doc.entries.size === 0 && this.problems.length === 0) {
      const names = files.map((f) => this.display(f));
      this.problems.push(emptyStackProblem(names, this.texts.get(names[0] ?? '') ?? ''));
      return result();
    }

    const raw: RawProject = {
      data: toPlain(doc) as Record<string, unknown>,
      locate: (p) => locateIn(doc, p),
      locateKey: (p) => locateKeyIn(doc, p),
      sourceText,
      projectName: named.ok ? named.name : '',
      projectDir,
      files,
      env: fullEnv,
      profiles: enabledProfiles(this.options.profiles, fullEnv),
      sources: [...this.sources],
      ...(this.options.resolvePaths === false ? { resolvePaths: false } : {}),
    };
    return result(raw);
  }

  /** `-f` files, else COMPOSE_FILE / TSSTACK_FILE, else discovery; undefined when there are none. */
  private stackFiles(): string[] | undefined {
    if (this.options.files.length > 0) {
      return this.options.files.map((f) => (f === STDIN ? STDIN : path.resolve(this.cwd, f)));
    }
    const fromEnv = this.processEnv.TSSTACK_FILE ?? this.processEnv.COMPOSE_FILE;
    if (fromEnv) {
      const sep = this.processEnv.COMPOSE_PATH_SEPARATOR ?? path.delimiter;
      return fromEnv
        .split(sep)
        .filter(Boolean)
        .map((f) => path.resolve(this.cwd, f));
    }
    // Like Compose, --project-directory is also where discovery starts.
    const from = this.options.projectDirectory
      ? path.resolve(this.cwd, this.options.projectDirectory)
      : this.cwd;
    const found = discoverStackFiles(from);
    if (found) {
      if (found.ignored.length > 0) {
        this.warnings.push({
          path: '',
          message: `found several stack files (${[found.files[0], ...found.ignored].map((f) => path.basename(f ?? '')).join(', ')}); using ${path.basename(found.files[0] ?? '')}`,
        });
      }
      return found.files;
    }
    if (this.options.allowMissing && this.options.projectName) return undefined;
    this.problem(
      undefined,
      `no stack file found in ${from} or its parents (looked for ${STACK_FILE_NAMES.join(', ')}); name one with -f`,
    );
    return undefined;
  }

  private projectEnv(projectDir: string, envFiles: string[] | undefined): Record<string, string> {
    const source = { read: (f: string) => this.read(f), display: (f: string) => this.display(f) };
    return projectEnv(this.processEnv, projectDir, envFiles, source, this.problems);
  }

  /** Loads files in order and merges them; undefined when none could be parsed. */
  private loadDocument(files: string[], env: Record<string, string>, chain: string[]): LMap | undefined {
    let merged: LMap | undefined;
    let failed = false;
    for (const file of files) {
      const loaded = this.parseFile(file, env);
      if (!loaded) {
        failed = true;
        continue;
      }
      const withIncludes = applyIncludes(
        loaded,
        (req) => this.loadInclude(req, [...chain, file]),
        this.problems,
      );
      const doc = resolveExtends(
        { ...loaded, doc: withIncludes },
        (abs, from) => this.parseFile(abs, env, from),
        this.problems,
        merged,
      );
      merged = merged ? mergeDocuments(merged, doc) : doc;
    }
    return failed ? undefined : merged;
  }

  private loadInclude(req: IncludeRequest, chain: string[]): LMap | undefined {
    const cycle = req.files.find((f) => chain.includes(f));
    if (cycle) {
      this.problems.push({
        location: req.from,
        path: req.path,
        message: `include cycle: ${this.display(cycle)} includes itself`,
      });
      return undefined;
    }
    for (const f of req.files) {
      if (!isFile(f)) {
        this.problems.push({
          location: req.from,
          path: req.path,
          message: `included file ${this.display(f)} does not exist`,
        });
        return undefined;
      }
    }
    const env = this.withProjectName(this.projectEnv(req.projectDir, req.envFiles));
    const doc = this.loadDocument(req.files, env, chain);
    return doc ? rebaseDocument(doc, req.projectDir) : lmap(req.from);
  }

  /** Reads, parses and interpolates one file (cached per file and variables). */
  /** Reads and parses one file, not interpolated (cached). */
  private parseOnly(file: string, from?: SourceLocation): LMap | undefined {
    if (this.raw.has(file)) return this.raw.get(file);
    this.raw.set(file, undefined);
    const text = file === STDIN ? this.stdinText : this.read(file, from);
    if (text === undefined) return undefined;
    const parsed = parseYamlCached(text, this.display(file), { env: this.processEnv });
    this.problems.push(...parsed.problems);
    this.raw.set(file, parsed.node);
    return parsed.node;
  }

  /** Reads, parses and interpolates one file (cached per file and variables). */
  private parseFile(
    file: string,
    env: Record<string, string>,
    from?: SourceLocation,
  ): LoadedFile | undefined {
    const key = `${this.envId(env)}:${file}`;
    if (this.parsed.has(key)) return this.parsed.get(key);
    this.parsed.set(key, undefined);
    const node = this.parseOnly(file, from);
    if (!node) return undefined;
    if (this.options.interpolate === false) {
      const kept: LoadedFile = { abs: file, dir: file === STDIN ? this.cwd : path.dirname(file), doc: node };
      this.parsed.set(key, kept);
      return kept;
    }
    const interpolated = interpolateTree(node, lookupIn(env));
    this.problems.push(...interpolated.problems);
    this.warnings.push(...interpolated.warnings);
    const doc = interpolated.node.kind === 'map' ? interpolated.node : node;
    const loaded: LoadedFile = { abs: file, dir: file === STDIN ? this.cwd : path.dirname(file), doc };
    this.parsed.set(key, loaded);
    return loaded;
  }

  /** The top-level `name:` of the last file that sets one, interpolated from `env` alone. */
  private peekName(
    files: string[],
    env: Record<string, string>,
  ): { value: string; location: SourceLocation } | undefined {
    let found: { value: string; location: SourceLocation } | undefined;
    for (const file of files) {
      const node = this.parseOnly(file)?.entries.get('name')?.value;
      if (node?.kind !== 'scalar' || typeof node.value !== 'string') continue;
      try {
        found = { value: interpolateString(node.value, lookupIn(env)), location: node.loc };
      } catch {
        // Reported with the other interpolation problems when the file is interpolated.
      }
    }
    return found;
  }

  /** Compose exposes the project name to interpolation as COMPOSE_PROJECT_NAME. */
  private withProjectName(env: Record<string, string>): Record<string, string> {
    return this.projectName ? variables(env, { COMPOSE_PROJECT_NAME: this.projectName }) : env;
  }

  private envId(env: Record<string, string>): number {
    let id = this.envIds.get(env);
    if (id === undefined) {
      id = this.nextEnvId++;
      this.envIds.set(env, id);
    }
    return id;
  }

  private read(file: string, from?: SourceLocation): string | undefined {
    const name = this.display(file);
    try {
      const size = statSync(file).size;
      if (size > MAX_FILE_BYTES) {
        this.problem(from, `${name} is ${size} bytes; stack files are limited to ${MAX_FILE_BYTES} bytes`);
        return undefined;
      }
      const text = readFileSync(file, 'utf8');
      this.texts.set(name, text);
      this.sources.add(file);
      return text;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : (err as Error).message;
      this.problem(from, `cannot read ${name}: ${why}`);
      return undefined;
    }
  }

  /** How a file is named in messages: relative to the working folder when inside it. */
  display(file: string): string {
    if (file === STDIN) return STDIN_NAME;
    const rel = path.relative(this.cwd, file);
    return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
  }

  private problem(location: SourceLocation | undefined, message: string): void {
    this.problems.push({ location, path: [], message });
  }
}
