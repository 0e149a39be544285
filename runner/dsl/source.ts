// A parsed YAML file that remembers where every node came from, so schema errors
// (JSON Pointers) and semantic errors (data paths) can be reported at file:line:column.

import { LineCounter, Parser, parseDocument, isAlias, isMap, isScalar, isSeq, isPair, type CST, type Document, type Node } from 'yaml';
import type { Diagnostic } from './diagnostic.js';
import type { Pos } from './plan.js';
import { MAX_DEPTH, MAX_EXPANDED_VALUES } from './limits.js';
import { locateYamlError } from './yaml-errors.js';

export type DataPath = readonly (string | number)[];

export interface Span {
  line: number;
  column: number;
  length: number;
}

export class SourceFile {
  readonly lines: string[];
  readonly lineCounter = new LineCounter();
  readonly doc: Document.Parsed;
  /** the YAML parsed (duplicate keys aside: the later one wins, as it would in yaml's toJS) */
  readonly parsed: boolean;
  /** the plain JS value; undefined when the YAML did not parse */
  readonly data: unknown;
  readonly diagnostics: Diagnostic[] = [];

  constructor(
    /** the path as the user gave it (or joined from a directory they gave) */
    readonly file: string,
    readonly text: string,
  ) {
    this.lines = text.split(/\r?\n/);
    // duplicate keys are found by our own walk, which can name the first occurrence
    let doc: Document.Parsed | undefined;
    try {
      doc = parseDocument(text, { lineCounter: this.lineCounter, uniqueKeys: false, prettyErrors: false, logLevel: 'error' });
    } catch (e) {
      // the parser's own limits (its stack): never an uncaught exception
      const deep = isStackOverflow(e) ? tooDeepAt(text) : undefined;
      this.diagnostics.push(deep !== undefined ? this.diagnosticAt(deep, 1, `nested deeper than ${MAX_DEPTH} levels`) : this.diagnosticAt(0, 1, `cannot parse: ${parserMessage(e)}`));
    }
    this.doc = doc ?? parseDocument('', { lineCounter: new LineCounter() });
    // a document too deep for the composer's stack: the node past the limit, not where the stack ran out
    const overflow = doc?.errors.some((e) => /Maximum call stack size exceeded/.test(e.message)) ? tooDeepAt(text) : undefined;
    if (overflow !== undefined) this.diagnostics.push(this.diagnosticAt(overflow, 1, `nested deeper than ${MAX_DEPTH} levels`));
    else for (const e of doc?.errors ?? []) {
      // an unclosed bracket or quote is reported at its opener, not where the parser gave up
      const at = locateYamlError(e, doc!, text, (o) => this.lineCounter.linePos(o).line);
      if (at) this.diagnostics.push(this.diagnosticAt(at.offset, at.length, at.message));
      else this.diagnostics.push(this.diagnosticAt(e.pos[0], e.pos[1] - e.pos[0], yamlMessage(e.message)));
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

  /**
   * Nesting depth (through aliases) and the number of values once aliases are expanded:
   * an alias bomb ("a: &a [x, x]", "b: &b [*a, *a]", ...) is stopped at the alias that
   * crosses the limit, deep nesting at the node that crosses it. Recursion is bounded by
   * MAX_DEPTH, since deeper nodes are not entered.
   */
  private checkShape(): boolean {
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
    const { line, col } = this.lineCounter.linePos(offset);
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

  /** The node at a data path: the pair's key node and the value node of the deepest segment found. */
  private nodeAt(path: DataPath): { key?: Node; value?: Node; complete: boolean; parent?: Node } {
    let node: unknown = this.doc.contents;
    let key: Node | undefined;
    let parent: Node | undefined;
    for (const seg of path) {
      if (isAlias(node)) node = node.resolve(this.doc);
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && keyString(p.key.value) === String(seg));
        if (!pair) return { key, value: node as Node, complete: false, parent };
        parent = node as Node;
        key = pair.key as Node;
        node = pair.value;
        if (node === null || node === undefined) return { key, value: undefined, complete: true, parent };
      } else if (isSeq(node)) {
        const item = node.items[Number(seg)];
        if (item === undefined) return { key, value: node as Node, complete: false, parent };
        parent = node as Node;
        key = undefined;
        node = item;
      } else {
        return { key, value: node as Node | undefined, complete: false, parent };
      }
    }
    return { key, value: node as Node | undefined, complete: true, parent };
  }

  /** Whether the last segment of a path is a plain key written in the source. */
  hasKey(path: DataPath): boolean {
    const { key, complete } = this.nodeAt(path);
    return complete && key !== undefined;
  }

  /**
   * Where a data path is written: `key` = the mapping key that holds it (for unknown or
   * duplicate keys), `value` = its value (for wrong types and dangling names).
   */
  span(path: DataPath, where: 'key' | 'value' = 'value'): Span {
    const { key, value, parent } = this.nodeAt(path);
    const pick = where === 'key' ? (key ?? value) : (value ?? key);
    const node = pick ?? parent;
    if (!node?.range) return { line: 1, column: 1, length: 1 };
    const [start, end] = node.range;
    const collection = isMap(node) || isSeq(node);
    const text = this.text.slice(start, end);
    const firstLine = text.split(/\r?\n/)[0] ?? '';
    return this.spanAt(start, collection ? 1 : firstLine.trimEnd().length);
  }

  /**
   * Where characters [offset, offset + length) of a string value are written: inside a
   * one-line plain, single- or double-quoted scalar, escapes counted as written. Anything
   * else (a block scalar, a folded line) gives the whole value's span.
   */
  spanIn(path: DataPath, offset: number, length: number): Span {
    const whole = this.span(path);
    const { value } = this.nodeAt(path);
    if (!isScalar(value) || typeof value.value !== 'string' || !value.range) return whole;
    const raw = this.text.slice(value.range[0], value.range[1]);
    if (/[\r\n]/.test(raw)) return whole;
    const at = scalarOffsets(raw, value.type);
    if (!at || at.length !== value.value.length + 1 || offset > value.value.length) return whole;
    const start = at[offset]!;
    const end = at[Math.min(value.value.length, offset + length)]!;
    return this.spanAt(value.range[0] + start, Math.max(1, end - start));
  }

  pos(path: DataPath, where: 'key' | 'value' = 'value'): Pos {
    const s = this.span(path, where);
    return { file: this.file, line: s.line, column: s.column };
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
    for (const tok of new Parser().parse(text)) if (tok.type === 'document') stack.push([tok.value, 0]);
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

/** A scalar key as toJS spells it in the plain object (a null key becomes ""). */
function keyString(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}
