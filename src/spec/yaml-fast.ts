/**
 * The fast path of parseYaml: js-yaml reads the file (about a fifth of the `yaml` package's time on a
 * 1,000-service stack, measured in docs/spec-loading.md) and its parse events give every node's
 * position. It builds the same located tree the `yaml` path builds, for plain documents only: it
 * declines (returns undefined) on anything whose meaning or position it does not reproduce exactly —
 * anchors, aliases, tags (`!reset`, `!override`), merge keys, directives and document markers,
 * duplicate keys, complex keys, syntax errors, nesting past the depth limit — and the caller then
 * parses with `yaml`, which reports errors with their positions. Plain scalars are typed by the `yaml`
 * package's own YAML 1.2 core schema (js-yaml reads every scalar as a string here), so `on`, `0x1F`,
 * `1_000` and `012` mean the same on both paths. test/unit/spec/yaml-fast.test.ts checks both paths
 * give equal trees on every fixture and on mutated documents.
 */
import { FAILSAFE_SCHEMA, load } from 'js-yaml';
import { Schema, isScalar, type ScalarTag } from 'yaml';
import { lmap, lscalar, lseq, type LMap, type LNode, type LScalar, type ScalarValue } from './locate.js';
import type { SourceLocation } from './types.js';

/** A composeNode call of js-yaml: where it began and ended, what it read. */
interface Frame {
  open: number;
  close: number;
  kind: string | null;
  result: unknown;
  tag: string | null;
  anchor: string | null;
  children: Frame[];
}

interface ParseState {
  position: number;
  kind: string | null;
  result: unknown;
  tag: string | null;
  anchor: string | null;
}

/** Stops the build; the caller falls back to the `yaml` path. */
class Decline extends Error {}

/** The `yaml` package's core-schema scalar tags, as its composer tries them on a plain scalar. */
let coreTags: ScalarTag[] | undefined;

function plainTags(): ScalarTag[] {
  coreTags ??= (new Schema({ merge: true }).tags as ScalarTag[]).filter(
    (t) => t.default === true && t.test !== undefined,
  );
  return coreTags;
}

const LEGACY_OCTAL = /^[-+]?0[0-7]+$/;

/**
 * A plain scalar's value exactly as the `yaml` path gives it: values through its scalarValue (`012` is
 * octal, as in Compose), keys as yaml read them (`012:` is the key "12").
 */
function plainValue(text: string, atKey = false): ScalarValue {
  const tag = plainTags().find((t) => t.test!.test(text));
  if (!tag) return text;
  const res: unknown = tag.resolve(
    text,
    () => {
      throw new Decline();
    },
    {},
  );
  // Some tags answer a Scalar (to keep a number's format), as the yaml composer expects.
  const v = isScalar(res) ? res.value : res;
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' && !atKey && LEGACY_OCTAL.test(text)) return parseInt(text, 8);
  if (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  throw new Decline();
}

/** The document's top-level node as a located tree, or undefined to use the `yaml` path. */
export function parseYamlFast(
  text: string,
  at: (offset: number) => SourceLocation,
  maxDepth: number,
): LNode | undefined {
  // Directives, document markers, tabs, lone CRs and a byte order mark: left to the `yaml` path.
  if (/^(?:%|---|\.\.\.)/m.test(text) || /\t|\r(?!\n)|^\uFEFF/.test(text)) return undefined;
  // Explicit keys (`? a`), also inside flow collections, where js-yaml reads them differently.
  if (/(?:^|[\s[{,])\?(?:\s|$)/m.test(text)) return undefined;
  const root: Frame = { open: 0, close: 0, kind: null, result: null, tag: null, anchor: null, children: [] };
  const stack: Frame[] = [root];
  try {
    load(text, {
      schema: FAILSAFE_SCHEMA,
      listener(event, st) {
        // js-yaml's State type leaves out the tag and anchor it carries.
        const state = st as unknown as ParseState;
        if (event === 'open') {
          stack.push({
            open: state.position,
            close: 0,
            kind: null,
            result: null,
            tag: null,
            anchor: null,
            children: [],
          });
          return;
        }
        const f = stack.pop()!;
        f.close = state.position;
        f.kind = state.kind;
        f.result = state.result;
        f.tag = state.tag;
        f.anchor = state.anchor;
        stack[stack.length - 1]!.children.push(f);
      },
    });
  } catch {
    return undefined;
  }
  // No document, or an empty one: `yaml` places it (at offset 0).
  if (root.children.length !== 1 || root.children[0]!.result === null) return undefined;
  try {
    return new FastBuilder(text, at, maxDepth).node(root.children[0]!, 0);
  } catch (err) {
    if (err instanceof Decline) return undefined;
    throw err;
  }
}

class FastBuilder {
  constructor(
    private readonly text: string,
    private readonly at: (offset: number) => SourceLocation,
    private readonly maxDepth: number,
  ) {}

  /** Where a node's own text starts: past spaces, line breaks and comments after where js-yaml began. */
  private start(offset: number): number {
    const t = this.text;
    let i = offset;
    for (;;) {
      const c = t.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13) i++;
      else if (c === 35 && (i === 0 || /[ \n\r]/.test(t[i - 1]!))) {
        const nl = t.indexOf('\n', i);
        if (nl < 0) return t.length;
        i = nl + 1;
      } else return i;
    }
  }

  /** An empty node stands where `yaml` puts it: after the spaces that follow its indicator. */
  private emptyStart(offset: number): number {
    let i = offset;
    while (this.text.charCodeAt(i) === 32) i++;
    return i;
  }

  /** js-yaml reads a block item through a second composeNode that tried it as a key: the inner one is the node. */
  private unwrap(f: Frame): Frame {
    let node = f;
    while (node.kind === 'scalar' && node.children.length === 1) {
      const inner = node.children[0]!;
      if (inner.kind !== 'scalar' || inner.result !== node.result) throw new Decline();
      node = inner;
    }
    if (node.anchor !== null) throw new Decline();
    return node;
  }

  node(frame: Frame, depth: number): LNode {
    const f = this.unwrap(frame);
    if (f.kind === null || f.result === null || f.result === undefined) {
      if (f.children.length > 0) throw new Decline();
      return lscalar(this.at(this.emptyStart(f.open)), null);
    }
    const start = this.start(f.open);
    const first = this.text[start];
    if (first === '*' || first === '&' || first === '!' || first === '?') throw new Decline();
    if (f.kind === 'scalar') return this.scalar(f, start);
    if (depth + 1 > this.maxDepth) throw new Decline();
    // A flow collection over several lines: the parsers disagree on its indentation rules; and `[a]#b`:
    // yaml wants white space before a comment, js-yaml does not.
    if (first === '[' || first === '{') {
      if (/[\n\r]/.test(this.text.slice(start, f.close)) || this.text[f.close] === '#') throw new Decline();
    }
    if (f.kind === 'sequence') {
      const items = f.result as unknown[];
      if (!Array.isArray(items) || items.length !== f.children.length) throw new Decline();
      const out = lseq(this.at(start));
      for (const child of f.children) out.items.push(this.node(child, depth + 1));
      return out;
    }
    if (f.kind === 'mapping') return this.mapping(f, start, depth);
    throw new Decline();
  }

  private scalar(f: Frame, start: number): LScalar {
    if (f.children.length > 0 || typeof f.result !== 'string') throw new Decline();
    const raw = f.result;
    if (f.tag !== '?' && f.tag !== null) throw new Decline();
    const plain = f.tag === '?';
    // A quoted or plain scalar over several lines: the two parsers disagree on how far its lines must be
    // indented, so only `yaml` judges it. Block scalars (| and >) are read the same.
    const c = this.text.charCodeAt(start);
    if (c !== 124 && c !== 62 && /[\n\r]/.test(this.text.slice(start, f.close))) throw new Decline();
    // `"a"#b`: yaml wants white space before a comment, js-yaml does not.
    if (!plain && this.text[f.close] === '#') throw new Decline();
    const loc = this.at(start);
    const out = lscalar(loc, plain ? plainValue(raw) : raw);
    if (typeof out.value === 'string' && out.value.includes('$') && !out.value.includes('\n')) {
      const v = out.value;
      const t = this.text;
      if (plain && t.startsWith(v, start)) out.textCol = loc.col;
      else if (!plain && (t.startsWith(`"${v}"`, start) || t.startsWith(`'${v}'`, start)))
        out.textCol = loc.col + 1;
    }
    return out;
  }

  private mapping(f: Frame, start: number, depth: number): LMap {
    const result = f.result as Record<string, unknown>;
    const pairs = f.children.length / 2;
    if (!Number.isInteger(pairs) || Object.keys(result).length !== pairs) throw new Decline();
    const out = lmap(this.at(start));
    for (let i = 0; i < f.children.length; i += 2) {
      const keyFrame = this.unwrap(f.children[i]!);
      if (keyFrame.kind !== 'scalar' || keyFrame.children.length > 0 || typeof keyFrame.result !== 'string')
        throw new Decline();
      const keyStart = this.start(keyFrame.open);
      if ('*&!?'.includes(this.text[keyStart]!)) throw new Decline();
      let key: string;
      if (keyFrame.tag === '?') {
        if (keyFrame.result === '<<') throw new Decline();
        const v = plainValue(keyFrame.result, true);
        if (v === null) throw new Decline();
        key = String(v);
      } else if (keyFrame.tag === null) key = keyFrame.result;
      else throw new Decline();
      if (key === '__proto__' || out.entries.has(key)) throw new Decline();
      const value = this.node(f.children[i + 1]!, depth + 1);
      out.entries.set(key, { keyLoc: this.at(keyStart), value });
    }
    return out;
  }
}
