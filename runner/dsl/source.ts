// A parsed YAML file that remembers where every node came from, so schema errors
// (JSON Pointers) and semantic errors (data paths) can be reported at file:line:column.
//
// Positions come from an index (positions.ts) that the fast parser (fast-yaml.ts), yaml's
// Document or the document cache provide alike. The `yaml` package is loaded only when a
// file leaves the fast parser's subset or has an error to report: on the happy path a
// command never pays for it.

import type { CST, Document, LineCounter, Node } from 'yaml';
import type { Diagnostic } from './diagnostic.js';
import type { Pos } from './plan.js';
import { MAX_DEPTH, MAX_EXPANDED_VALUES } from './limits.js';
import { fastParse } from './fast-yaml.js';
import { locateYamlError } from './yaml-errors.js';
import { yaml } from './yaml-lib.js';
import { indexOfDocument, isCollection, keyString, lineStarts, linePos, locate, serializable, type PosNode } from './positions.js';

export type DataPath = readonly (string | number)[];

export interface Span {
  line: number;
  column: number;
  length: number;
}

/**
 * What the document cache keeps of a file that loaded clean: enough to restore it without
 * parsing. The index may come later (a function): most commands never ask for a position
 * of a file whose compiled runs are cached too; undefined from it means "parse again".
 */
export interface SourceSnapshot {
  data: unknown;
  index: PosNode | null | (() => PosNode | null | undefined);
}

export class SourceFile {
  /** the YAML parsed (duplicate keys aside: the later one wins, as it would in yaml's toJS) */
  readonly parsed: boolean;
  /** the plain JS value; undefined when the YAML did not parse */
  readonly data: unknown;
  readonly diagnostics: Diagnostic[] = [];
  /** which parser read it: the subset parser, yaml, or the document cache */
  readonly via: 'fast' | 'yaml' | 'cache';
  private doc_: Document.Parsed | undefined;
  private lineCounter_: LineCounter | undefined;
  private index_: PosNode | null | undefined;
  private lazyIndex: (() => PosNode | null | undefined) | undefined;
  private starts_: number[] | undefined;
  private lines_: string[] | undefined;

  constructor(
    /** the path as the user gave it (or joined from a directory they gave) */
    readonly file: string,
    readonly text: string,
    /** a clean file restored from the document cache (its text is the snapshot's), or 'yaml' to skip the fast parser */
    snapshot?: SourceSnapshot | 'yaml',
  ) {
    if (snapshot && snapshot !== 'yaml') {
      this.via = 'cache';
      this.parsed = true;
      this.data = snapshot.data;
      if (typeof snapshot.index === 'function') this.lazyIndex = snapshot.index;
      else this.index_ = snapshot.index;
      return;
    }
    const fast = snapshot === 'yaml' ? undefined : fastParse(text);
    if (fast) {
      this.via = 'fast';
      this.parsed = true;
      this.data = fast.data;
      this.index_ = fast.index;
      return;
    }
    this.via = 'yaml';
    const Y = yaml();
    this.lineCounter_ = new Y.LineCounter();
    // duplicate keys are found by our own walk, which can name the first occurrence
    let doc: Document.Parsed | undefined;
    try {
      doc = Y.parseDocument(text, { lineCounter: this.lineCounter_, uniqueKeys: false, prettyErrors: false, logLevel: 'error' });
    } catch (e) {
      // the parser's own limits (its stack): never an uncaught exception
      const deep = isStackOverflow(e) ? tooDeepAt(text) : undefined;
      this.diagnostics.push(deep !== undefined ? this.diagnosticAt(deep, 1, `nested deeper than ${MAX_DEPTH} levels`) : this.diagnosticAt(0, 1, `cannot parse: ${parserMessage(e)}`));
    }
    this.doc_ = doc ?? Y.parseDocument('', { lineCounter: new Y.LineCounter() });
    // a document too deep for the composer's stack: the node past the limit, not where the stack ran out
    const overflow = doc?.errors.some((e) => /Maximum call stack size exceeded/.test(e.message)) ? tooDeepAt(text) : undefined;
    if (overflow !== undefined) this.diagnostics.push(this.diagnosticAt(overflow, 1, `nested deeper than ${MAX_DEPTH} levels`));
    else if (doc?.errors.length) {
      for (const e of doc.errors) {
        // an unclosed bracket or quote is reported at its opener, not where the parser gave up
        const at = locateYamlError(e, doc, text, (o) => this.linePosOf(o).line);
        if (at) this.diagnostics.push(this.diagnosticAt(at.offset, at.length, at.message));
        else this.diagnostics.push(this.diagnosticAt(e.pos[0], e.pos[1] - e.pos[0], yamlMessage(e.message)));
      }
    }
    let ok = doc !== undefined && doc.errors.length === 0;
    // depth and alias expansion are bounded before anything recurses over the tree
    if (ok) ok = this.checkShape();
    if (ok) this.findDuplicateKeys(this.doc.contents);
    let data: unknown;
    if (ok) {
      try {
        // checkShape bounded the expansion; yaml's own alias counter would stop at an
        // unpositioned ReferenceError, so it is off
        data = this.doc.toJS({ maxAliasCount: -1 });
      } catch (e) {
        this.diagnostics.push(this.diagnosticAt(0, 1, `cannot convert the YAML: ${parserMessage(e)}`));
        ok = false;
      }
    }
    this.parsed = ok;
    this.data = ok ? data : undefined;
  }

  /** yaml's Document of the text: parsed now when the file came from the fast parser or the cache. */
  get doc(): Document.Parsed {
    if (!this.doc_) {
      const Y = yaml();
      this.doc_ = Y.parseDocument(this.text, { lineCounter: new Y.LineCounter(), uniqueKeys: false, prettyErrors: false, logLevel: 'error' });
    }
    return this.doc_;
  }

  /** the source lines, for the excerpt under a diagnostic */
  get lines(): string[] {
    return (this.lines_ ??= this.text.split(/\r?\n/));
  }

  private get index(): PosNode | null {
    if (this.index_ === undefined && this.lazyIndex) {
      this.index_ = this.lazyIndex();
      this.lazyIndex = undefined;
    }
    if (this.index_ === undefined) this.index_ = indexOfDocument(yaml(), this.doc);
    return this.index_;
  }

  /** What the document cache stores, or undefined when this file cannot be restored from it. */
  snapshot(): SourceSnapshot | undefined {
    if (!this.parsed || this.diagnostics.length) return undefined;
    const index = this.index;
    if (!serializable(index)) return undefined;
    // positions are restored through our own line table: it must be yaml's
    if (this.lineCounter_) {
      const mine = this.starts;
      const theirs = this.lineCounter_.lineStarts;
      if (theirs.length > 0 && (mine.length < theirs.length || theirs.some((o, i) => o !== mine[i]))) return undefined;
    }
    return { data: this.data, index };
  }

  private get starts(): number[] {
    return (this.starts_ ??= lineStarts(this.text));
  }

  private linePosOf(offset: number): { line: number; col: number } {
    return this.lineCounter_ ? this.lineCounter_.linePos(offset) : linePos(this.starts, offset);
  }

  /**
   * Nesting depth (through aliases) and the number of values once aliases are expanded:
   * an alias bomb ("a: &a [x, x]", "b: &b [*a, *a]", ...) is stopped at the alias that
   * crosses the limit, deep nesting at the node that crosses it. Recursion is bounded by
   * MAX_DEPTH, since deeper nodes are not entered.
   */
  private checkShape(): boolean {
    const { isAlias, isMap, isScalar, isSeq } = yaml();
    const memo = new Map<Node, { size: number; depth: number }>();
    const inProgress = new Set<Node>();
    let total = 0;
    let failed = false;
    const fail = (node: Node | { range?: [number, number, number] | null }, message: string) => {
      if (failed) return;
      failed = true;
      const r = node.range;
      this.diagnostics.push(this.diagnosticAt(r ? r[0] : 0, r ? Math.max(1, r[1] - r[0]) : 1, message));
    };
    // returns the expanded size and depth of a node; `level` is its depth in the expanded document
    const visit = (node: unknown, level: number): { size: number; depth: number } => {
      if (failed || node === null || node === undefined) return { size: 1, depth: 0 };
      if (isAlias(node)) {
        const target = node.resolve(this.doc) as Node | undefined;
        if (!target) return { size: 1, depth: 0 };
        if (inProgress.has(target)) {
          fail(node, `alias *${node.source} refers to a node that contains it`);
          return { size: 1, depth: 0 };
        }
        let m = memo.get(target);
        if (m) total += m.size;
        else m = visit(target, level);
        if (total > MAX_EXPANDED_VALUES) fail(node, `alias *${node.source} expands the document past ${MAX_EXPANDED_VALUES} values (the limit on YAML alias expansion)`);
        else if (level + m.depth > MAX_DEPTH) fail(node, `alias *${node.source} nests the document deeper than ${MAX_DEPTH} levels`);
        return m;
      }
      total++;
      if (total > MAX_EXPANDED_VALUES) fail(node as Node, `the document has more than ${MAX_EXPANDED_VALUES} values`);
      if (!isMap(node) && !isSeq(node)) {
        const r = { size: 1, depth: 0 };
        if (isScalar(node)) memo.set(node, r);
        return r;
      }
      if (level >= MAX_DEPTH) {
        fail(node, `nested deeper than ${MAX_DEPTH} levels`);
        return { size: 1, depth: 0 };
      }
      inProgress.add(node);
      let size = 1;
      let depth = 0;
      const children: unknown[] = isMap(node) ? node.items.flatMap((p) => [p.key, p.value]) : node.items;
      for (const c of children) {
        const m = visit(c, level + 1);
        size += m.size;
        depth = Math.max(depth, m.depth + 1);
        if (failed) break;
      }
      inProgress.delete(node);
      const r = { size, depth };
      memo.set(node, r);
      return r;
    };
    visit(this.doc.contents, 0);
    return !failed;
  }

  private spanAt(offset: number, length: number): Span {
    const { line, col } = this.linePosOf(offset);
    return { line, column: col, length: Math.max(1, length) };
  }

  diagnosticAt(offset: number, length: number, message: string, instancePath = '', schemaPath = ''): Diagnostic {
    const s = this.spanAt(offset, length);
    return this.diagnostic(s, message, instancePath, schemaPath);
  }

  diagnostic(s: Span, message: string, instancePath = '', schemaPath = ''): Diagnostic {
    return {
      file: this.file,
      line: s.line,
      column: s.column,
      severity: 'error',
      message,
      instancePath,
      schemaPath,
      sourceLine: this.lines[s.line - 1] ?? '',
      length: s.length,
    };
  }

  private findDuplicateKeys(node: unknown): void {
    const { isAlias, isMap, isScalar, isSeq } = yaml();
    if (isAlias(node) || !node) return;
    if (isMap(node)) {
      const first = new Map<string, Node>();
      for (const pair of node.items) {
        const k = pair.key as Node | null;
        if ((isMap(k) || isSeq(k)) && k.range) {
          this.diagnostics.push(this.diagnosticAt(k.range[0], 1, `a key must be a name, not a ${isMap(k) ? 'map' : 'list'}`));
        } else if (isScalar(k) && k.range) {
          const name = keyString(k.value);
          const prev = first.get(name);
          if (prev) {
            const at = this.spanAt(prev.range![0], 0);
            this.diagnostics.push(this.diagnosticAt(k.range[0], k.range[1] - k.range[0], `duplicate key "${name}" (first defined at line ${at.line})`));
          } else {
            first.set(name, k);
          }
        }
        this.findDuplicateKeys(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) this.findDuplicateKeys(item);
    }
  }

  /** Whether the last segment of a path is a plain key written in the source. */
  hasKey(path: DataPath): boolean {
    const { key, complete } = locate(this.index, path);
    return complete && key !== undefined;
  }

  /**
   * Where a data path is written: `key` = the mapping key that holds it (for unknown or
   * duplicate keys), `value` = its value (for wrong types and dangling names).
   */
  span(path: DataPath, where: 'key' | 'value' = 'value'): Span {
    const { key, value, parent } = locate(this.index, path);
    const pick = where === 'key' ? (key ?? value) : (value ?? key);
    const node = pick ?? parent;
    if (!node || node[0] < 0) return { line: 1, column: 1, length: 1 };
    const start = node[0];
    if (isCollection(node)) return this.spanAt(start, 1);
    // the first line of the value (a \r before its \n goes with the trailing blanks)
    const nl = this.text.indexOf('\n', start);
    const firstLine = this.text.slice(start, nl < 0 || nl > node[1] ? node[1] : nl);
    return this.spanAt(start, firstLine.trimEnd().length);
  }

  /**
   * Where characters [offset, offset + length) of a string value are written: inside a
   * one-line plain, single- or double-quoted scalar, escapes counted as written. Anything
   * else (a block scalar, a folded line) gives the whole value's span.
   */
  spanIn(path: DataPath, offset: number, length: number): Span {
    const whole = this.span(path);
    const { value } = this.yamlNodeAt(path);
    if (!yaml().isScalar(value) || typeof value.value !== 'string' || !value.range) return whole;
    const raw = this.text.slice(value.range[0], value.range[1]);
    if (/[\r\n]/.test(raw)) return whole;
    const at = scalarOffsets(raw, value.type);
    if (!at || at.length !== value.value.length + 1 || offset > value.value.length) return whole;
    const start = at[offset]!;
    const end = at[Math.min(value.value.length, offset + length)]!;
    return this.spanAt(value.range[0] + start, Math.max(1, end - start));
  }

  /** The value node of yaml's Document at a data path (spanIn needs the scalar's type). */
  private yamlNodeAt(path: DataPath): { value?: Node } {
    const { isAlias, isMap, isPair, isScalar, isSeq } = yaml();
    let node: unknown = this.doc.contents;
    for (const seg of path) {
      if (isAlias(node)) node = node.resolve(this.doc);
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && keyString(p.key.value) === String(seg));
        if (!pair) return {};
        node = pair.value;
      } else if (isSeq(node)) {
        node = node.items[Number(seg)];
      } else return { value: node as Node };
      if (node === null || node === undefined) return {};
    }
    return { value: node as Node };
  }

  // The compiler asks the position of the same step or assertion once per run it expands
  // (boards × kernels × for-each): each is located once, kept in a tree of the path's
  // segments (no key string built per question). Frozen, because runs share it.
  private readonly positions: PosTrie = { next: new Map() };

  pos(path: DataPath, where: 'key' | 'value' = 'value'): Pos {
    let t = this.positions;
    for (let i = 0; i < path.length; i++) {
      let n = t.next.get(path[i]!);
      if (!n) t.next.set(path[i]!, (n = { next: new Map() }));
      t = n;
    }
    let p = where === 'key' ? t.key : t.value;
    if (!p) {
      const s = this.span(path, where);
      p = Object.freeze({ file: this.file, line: s.line, column: s.column });
      if (where === 'key') t.key = p;
      else t.value = p;
    }
    return p;
  }

  error(path: DataPath, message: string, where: 'key' | 'value' = 'value', schemaPath = ''): Diagnostic {
    return this.diagnostic(this.span(path, where), message, toPointer(path), schemaPath);
  }

  /** The `# yaml-language-server: $schema=...` modeline, if any. */
  modelineSchema(): string | undefined {
    const m = /^#\s*yaml-language-server:\s*\$schema=(\S+)/m.exec(this.text.split('\n', 3).join('\n'));
    return m?.[1];
  }
}

/** SourceFile.pos()'s memo: a node per data path segment, with the positions asked there */
interface PosTrie {
  readonly next: Map<string | number, PosTrie>;
  key?: Pos;
  value?: Pos;
}

function isStackOverflow(e: unknown): boolean {
  return e instanceof RangeError && /call stack/i.test(e.message);
}

/**
 * Where the first collection nested deeper than MAX_DEPTH starts, from yaml's concrete
 * syntax tree (built without recursion): the node the depth check would name.
 */
function tooDeepAt(text: string): number | undefined {
  try {
    const stack: [CST.Token | undefined, number][] = [];
    for (const tok of new (yaml().Parser)().parse(text)) if (tok.type === 'document') stack.push([tok.value, 0]);
    let found: number | undefined;
    while (stack.length) {
      const [tok, level] = stack.pop()!;
      if (!tok || (tok.type !== 'block-map' && tok.type !== 'block-seq' && tok.type !== 'flow-collection')) continue;
      if (level >= MAX_DEPTH) {
        if (found === undefined || tok.offset < found) found = tok.offset;
        continue;
      }
      for (const it of tok.items) {
        if ('key' in it && it.key) stack.push([it.key, level + 1]);
        if (it.value) stack.push([it.value, level + 1]);
      }
    }
    return found;
  } catch {
    return undefined;
  }
}

function parserMessage(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return e instanceof RangeError && /call stack/i.test(m) ? `nested too deeply (the limit is ${MAX_DEPTH} levels)` : m;
}

function yamlMessage(message: string): string {
  if (/Maximum call stack size exceeded/.test(message)) return `nested too deeply (the limit is ${MAX_DEPTH} levels)`;
  // the yaml package appends " at line L, column C" which our prefix already says
  return message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '').trim();
}

export function toPointer(path: DataPath): string {
  return path.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

export function fromPointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * Run a check that assumes schema-valid data. After schema errors (lenient) the data may
 * have any shape: a check that trips over it is skipped, since the schema error already
 * explains that part of the file.
 */
export function guarded(lenient: boolean, fn: () => void): void {
  if (!lenient) return fn();
  try {
    fn();
  } catch {
    // the shape was wrong; already reported by the schema
  }
}

/**
 * For each character of a one-line scalar's value (and one past the end), its offset in
 * the scalar as written; undefined for a type whose escapes are not mapped.
 */
function scalarOffsets(raw: string, type: string | undefined): number[] | undefined {
  const out: number[] = [];
  if (type === 'PLAIN') {
    for (let i = 0; i <= raw.trimEnd().length; i++) out.push(i);
    return out;
  }
  const q = raw[0];
  if ((type !== 'QUOTE_SINGLE' && type !== 'QUOTE_DOUBLE') || (q !== "'" && q !== '"')) return undefined;
  let i = 1;
  while (i < raw.length) {
    if (raw[i] === q) {
      if (q === "'" && raw[i + 1] === "'") {
        out.push(i);
        i += 2;
        continue;
      }
      break;
    }
    out.push(i);
    if (q === '"' && raw[i] === '\\') {
      const e = raw[i + 1];
      i += e === 'x' ? 4 : e === 'u' ? 6 : e === 'U' ? 10 : 2;
      // \U beyond U+FFFF is two UTF-16 units of the value
      if (e === 'U' && parseInt(raw.slice(i - 8, i), 16) > 0xffff) out.push(i - 10);
    } else {
      const cp = raw.codePointAt(i)!;
      i += cp > 0xffff ? 2 : 1;
      if (cp > 0xffff) out.push(i - 1);
    }
  }
  out.push(i);
  return out;
}
