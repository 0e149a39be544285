// The fast path of the loader: a parser for the plain YAML boards and suites are written
// in (block maps and lists, one-line flow lists and maps, quoted and plain scalars,
// folded and literal text, comments), which gives the same value and the same node
// positions as the `yaml` package, in a fraction of its time before the JIT has warmed
// up. Anything else — anchors, tags, multi-line plain or quoted scalars, floats, tabs,
// CRs, duplicate keys, a document past the loader's size limits, every syntax error —
// makes it answer undefined, and the file goes to `yaml`, which also writes the errors.
// test/dsl/fast-yaml.test.ts holds it to `yaml` on every shipped file and on generated
// and mutated documents.

import { ALIAS, MAP, SEQ, type MapEntry, type PosNode } from './positions.js';
import { MAX_DEPTH, MAX_EXPANDED_VALUES } from './limits.js';

export interface FastParse {
  data: unknown;
  index: PosNode;
}

/** thrown (and caught at the top) when the text leaves the subset */
const REJECT: unique symbol = Symbol('reject');

// below the loader's limits, so a document near them goes to yaml and its checks
const DEPTH_LIMIT = MAX_DEPTH - 4;
const VALUES_LIMIT = MAX_EXPANDED_VALUES - 1000;
/** YAML's limit on an implicit key */
const KEY_LIMIT = 1000;

const NULL = /^(?:~|[Nn]ull|NULL)$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT_OCT = /^0o[0-7]+$/;
const INT = /^[-+]?[0-9]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
/** what yaml's core schema would read as a float (not handled here) */
const FLOAT_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;
/** characters the subset does not take anywhere: controls but LF, DEL, C1, BOM, line/paragraph separators, tab, CR */
// eslint-disable-next-line no-control-regex
const UNSUPPORTED_CHAR = /[\x00-\x09\x0b-\x1f\x7f-\x9f\ufeff\u2028\u2029]/;

function reject(): never {
  throw REJECT;
}

/** The core-schema value of a plain scalar (floats are left to yaml). */
function plainValue(s: string): unknown {
  if (NULL.test(s)) return null;
  if (BOOL.test(s)) return s[0] === 't' || s[0] === 'T';
  if (INT_OCT.test(s)) return parseInt(s.slice(2), 8);
  if (INT.test(s)) return parseInt(s, 10);
  if (INT_HEX.test(s)) return parseInt(s.slice(2), 16);
  if (FLOAT_NAN.test(s) || FLOAT_EXP.test(s) || FLOAT.test(s)) reject();
  return s;
}

const ESCAPES: Record<string, string> = { '0': '\0', t: '\t', n: '\n', r: '\r', '"': '"', '\\': '\\', '/': '/', ' ': ' ' };

// The parser reads its [value, node] pairs by index, not by destructuring: it runs once per
// file in every cold process, before V8 optimises it, and unoptimised code destructures an
// array through the iterator protocol (an iterator and a result object per element).
class Parser {
  private pos = 0;
  private values = 0;
  /** anchors defined so far: the value (an alias is the same value, as in yaml's toJS), its node, size and depth */
  private readonly anchors = new Map<string, { value: unknown; node: PosNode; size: number; depth: number }>();

  constructor(private readonly t: string) {}

  parse(): FastParse {
    const indent = this.scanLines(0);
    if (indent !== 0) reject();
    const [data, index] = this.blockNode(0, -1);
    if (this.stop !== -1) reject();
    return { data, index };
  }

  /** the indentation of the line a block collection stopped at (-1: the end of the text) */
  private stop = -1;

  private count(depth: number): void {
    if (++this.values > VALUES_LIMIT || depth > DEPTH_LIMIT) reject();
  }

  /**
   * From anywhere on a line whose rest must be blank or a comment: move to the first
   * character of the next line with content (not blank, not only a comment), or to the
   * end. Its indentation, or -1 at the end.
   */
  private nextContentLine(): number {
    const t = this.t;
    let p = this.pos;
    while (p < t.length && t[p] === ' ') p++;
    if (p < t.length && t[p] !== '\n') {
      if (t[p] !== '#' || (p > 0 && t[p - 1] !== ' ')) reject();
      p = this.lineEnd(p);
    }
    return p >= t.length ? this.atEnd() : this.scanLines(p + 1);
  }

  private atEnd(): number {
    this.pos = this.t.length;
    return -1;
  }

  /** From the start of a line: the next line with content (see nextContentLine). */
  private scanLines(p: number): number {
    const t = this.t;
    while (p < t.length) {
      const start = p;
      while (p < t.length && t[p] === ' ') p++;
      if (p >= t.length) break;
      if (t[p] === '\n') {
        p++;
        continue;
      }
      if (t[p] === '#') {
        p = this.lineEnd(p) + 1;
        continue;
      }
      this.pos = p;
      const indent = p - start;
      // a document marker or directive at the start of a line
      if (indent === 0 && (t.startsWith('---', p) || t.startsWith('...', p) || t[p] === '%')) reject();
      return indent;
    }
    return this.atEnd();
  }

  private column(p: number): number {
    const nl = this.t.lastIndexOf('\n', p - 1);
    return p - (nl + 1);
  }

  /** A block node whose first character is at this.pos, in a parent indented `parent`. */
  private blockNode(depth: number, parent: number): [unknown, PosNode] {
    const t = this.t;
    const col = this.column(this.pos);
    if (col <= parent) reject();
    // sets this.stop
    if (t[this.pos] === '-' && (t[this.pos + 1] === ' ' || t[this.pos + 1] === '\n' || this.pos + 1 === t.length)) return this.blockSeq(depth, col);
    if (this.keyAhead()) return this.blockMap(depth, col);
    reject();
  }

  /** Whether the line from this.pos holds an implicit key ("key:" then space or end of line). */
  private keyAhead(): boolean {
    const t = this.t;
    const c = t[this.pos];
    if (c === '"' || c === "'") {
      const end = this.quotedEnd(this.pos);
      return t[end] === ':' && (t[end + 1] === ' ' || t[end + 1] === '\n' || end + 1 === t.length);
    }
    if (!this.plainStart(this.pos, false)) return false;
    const eol = this.lineEnd(this.pos);
    for (let p = this.pos; p < eol; p++) {
      if (t[p] === ':' && (t[p + 1] === ' ' || p + 1 === eol)) return true;
      if (t[p] === '#' && t[p - 1] === ' ') return false;
    }
    return false;
  }

  private lineEnd(p: number): number {
    const e = this.t.indexOf('\n', p);
    return e < 0 ? this.t.length : e;
  }

  private blockSeq(depth: number, col: number): [unknown, PosNode] {
    this.count(depth);
    const t = this.t;
    const items: unknown[] = [];
    const index: (PosNode | null)[] = [];
    const start = this.pos;
    for (;;) {
      // at "-"
      let p = this.pos + 1;
      while (p < t.length && t[p] === ' ') p++;
      this.pos = p;
      let indent: number;
      if (p >= t.length || t[p] === '\n' || t[p] === '#') {
        if (t[p] === '#' && t[p - 1] !== ' ') reject();
        // the item is the block on the next lines
        if (this.nextContentLine() <= col) reject();
        const got = this.blockNode(depth + 1, col);
        const v = got[0], n = got[1];
        items.push(v);
        index.push(n);
        indent = this.stop;
      } else {
        if (t[p] === '-' && (t[p + 1] === ' ' || t[p + 1] === '\n')) reject();
        if (this.keyAhead()) {
          const got = this.blockMap(depth + 1, this.column(p));
          const v = got[0], n = got[1];
          items.push(v);
          index.push(n);
          indent = this.stop;
        } else {
          const got = this.inlineValue(depth + 1, col);
          const v = got[0], n = got[1];
          items.push(v);
          index.push(n);
          indent = this.nextContentLine();
          if (indent > col) reject();
        }
      }
      if (indent < col) break;
      if (indent > col) reject();
      if (!(t[this.pos] === '-' && (t[this.pos + 1] === ' ' || t[this.pos + 1] === '\n' || this.pos + 1 === t.length))) break;
    }
    this.stop = this.pos >= t.length ? -1 : this.column(this.pos);
    return [items, [start, this.endOfNode(), SEQ, index]];
  }

  /** yaml's range[1] of a block collection: where the next node starts (collections only use their start) */
  private endOfNode(): number {
    return this.pos;
  }

  private blockMap(depth: number, col: number): [unknown, PosNode] {
    this.count(depth);
    const t = this.t;
    const obj: Record<string, unknown> = {};
    const entries: MapEntry[] = [];
    const seen = new Set<string>();
    const start = this.pos;
    for (;;) {
      const got = this.blockKey();
      const key = got[0], ks = got[1], ke = got[2];
      this.count(depth + 1);
      if (seen.has(key) || key === '__proto__' || key === '<<') reject();
      seen.add(key);
      // at ":"
      let p = this.pos + 1;
      while (p < t.length && t[p] === ' ') p++;
      this.pos = p;
      let value: unknown;
      let node: PosNode;
      let indent: number;
      if (p >= t.length || t[p] === '\n' || t[p] === '#') {
        if (t[p] === '#' && t[p - 1] !== ' ') reject();
        const here = p;
        indent = this.nextContentLine();
        if (indent > col) {
          // only a collection may start on the next line (a scalar there is left to yaml)
          if (t[this.pos] !== '-' && !this.keyAhead()) reject();
          const got = this.blockNode(depth + 1, col);
          value = got[0]; node = got[1];
          indent = this.stop;
        } else {
          // "key:" then nothing: null, where yaml puts it (after the spaces)
          if (indent === col && t[this.pos] === '-') reject();
          this.count(depth + 1);
          value = null;
          node = [here, here];
        }
      } else {
        const got = this.inlineValue(depth + 1, col);
        value = got[0]; node = got[1];
        indent = this.nextContentLine();
        if (indent > col) reject();
      }
      obj[key] = value;
      entries.push([key, ks, ke, node]);
      if (indent < col) break;
      if (indent > col) reject();
      if (t[this.pos] === '-' && (t[this.pos + 1] === ' ' || t[this.pos + 1] === '\n')) reject();
    }
    this.stop = this.pos >= t.length ? -1 : this.column(this.pos);
    return [obj, [start, this.endOfNode(), MAP, entries]];
  }

  /** An implicit key at this.pos; leaves this.pos at its ":". */
  private blockKey(): [string, number, number] {
    const t = this.t;
    const ks = this.pos;
    const c = t[ks];
    if (c === '"' || c === "'") {
      const got = this.quoted(ks);
      const s = got[0], end = got[1];
      // "key":value with no space is yaml's error (found by the fuzzer's parser property)
      if (t[end] !== ':' || (t[end + 1] !== ' ' && t[end + 1] !== '\n' && end + 1 < t.length)) reject();
      this.pos = end;
      return [s, ks, end];
    }
    if (!this.plainStart(ks, false)) reject();
    const eol = this.lineEnd(ks);
    let p = ks;
    while (p < eol && !(t[p] === ':' && (t[p + 1] === ' ' || p + 1 === eol))) {
      if (t[p] === '#' && t[p - 1] === ' ') reject();
      p++;
    }
    if (p >= eol || t[p - 1] === ' ') reject();
    if (p - ks > KEY_LIMIT) reject();
    const raw = t.slice(ks, p);
    const v = plainValue(raw);
    if (typeof v !== 'string') reject();
    this.pos = p;
    return [v, ks, p];
  }

  /** Whether a plain scalar may start at p (YAML's indicators may not, but -?: before a safe character may). */
  private plainStart(p: number, flow: boolean): boolean {
    const t = this.t;
    const c = t[p];
    if (c === undefined || c === ' ' || c === '\n') return false;
    if ('[]{},#&*!|>\'"%@`'.includes(c)) return false;
    if (c === '-' || c === '?' || c === ':') {
      const n = t[p + 1];
      if (n === undefined || n === ' ' || n === '\n') return false;
      if (flow && ',[]{}'.includes(n)) return false;
    }
    return true;
  }

  /** An anchor name after & or * (the plain spellings only). */
  private anchorName(): string {
    const t = this.t;
    const start = ++this.pos;
    while (this.pos < t.length && /[A-Za-z0-9_-]/.test(t[this.pos]!)) this.pos++;
    if (this.pos === start) reject();
    return t.slice(start, this.pos);
  }

  /** "&name value", the value on the same line (not a block text, not another anchor or alias) */
  private anchored(depth: number, value: () => [unknown, PosNode]): [unknown, PosNode] {
    const t = this.t;
    const name = this.anchorName();
    if (this.anchors.has(name) || t[this.pos] !== ' ') reject();
    while (t[this.pos] === ' ') this.pos++;
    const c = t[this.pos];
    if (c === undefined || '\n#&*!|>'.includes(c)) reject();
    const before = this.values;
    const got = value();
    const v = got[0], node = got[1];
    this.anchors.set(name, { value: v, node, size: this.values - before, depth: nodeDepth(node) });
    return [v, node];
  }

  /** "*name": the anchored value again; it counts, and nests, as a copy would */
  private alias(depth: number): [unknown, PosNode] {
    const start = this.pos;
    const name = this.anchorName();
    const a = this.anchors.get(name);
    if (!a) reject();
    this.values += a.size;
    if (this.values > VALUES_LIMIT || depth + a.depth > DEPTH_LIMIT) reject();
    return [a.value, [start, this.pos, ALIAS, a.node]];
  }

  /** A value on the current line: quoted, flow, block text or plain. */
  private inlineValue(depth: number, parent: number): [unknown, PosNode] {
    const t = this.t;
    const p = this.pos;
    const c = t[p];
    if (c === '&') return this.anchored(depth, () => this.inlineValue(depth, parent));
    if (c === '*') return this.alias(depth);
    if (c === '"' || c === "'") {
      this.count(depth);
      const got = this.quoted(p);
      const s = got[0], end = got[1];
      this.pos = end;
      return [s, [p, end]];
    }
    if (c === '[' || c === '{') return this.flow(depth, parent);
    if (c === '>' || c === '|') return this.blockScalar(depth, parent);
    if (!this.plainStart(p, false)) reject();
    this.count(depth);
    const eol = this.lineEnd(p);
    let e = p;
    while (e < eol) {
      if (t[e] === '#' && t[e - 1] === ' ') break;
      if (t[e] === ':' && (t[e + 1] === ' ' || e + 1 === eol)) reject();
      e++;
    }
    while (t[e - 1] === ' ') e--;
    this.pos = e;
    return [plainValue(t.slice(p, e)), [p, e]];
  }

  /** The offset after a one-line quoted scalar starting at p (its closing quote + 1). */
  private quotedEnd(p: number): number {
    const t = this.t;
    const q = t[p];
    let i = p + 1;
    for (;;) {
      if (i >= t.length || t[i] === '\n') reject();
      if (q === '"' && t[i] === '\\') {
        i += 2;
        continue;
      }
      if (t[i] === q) {
        if (q === "'" && t[i + 1] === "'") {
          i += 2;
          continue;
        }
        return i + 1;
      }
      i++;
    }
  }

  private quoted(p: number): [string, number] {
    const t = this.t;
    const end = this.quotedEnd(p);
    const raw = t.slice(p + 1, end - 1);
    if (t[p] === "'") return [raw.replace(/''/g, "'"), end];
    if (!raw.includes('\\')) return [raw, end];
    let out = '';
    for (let i = 0; i < raw.length; i++) {
      const ch = raw[i]!;
      if (ch !== '\\') {
        out += ch;
        continue;
      }
      const e = raw[++i]!;
      const simple = ESCAPES[e];
      if (simple !== undefined) {
        out += simple;
        continue;
      }
      const width = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
      if (!width) reject();
      const hex = raw.slice(i + 1, i + 1 + width);
      if (hex.length !== width || !/^[0-9a-fA-F]+$/.test(hex)) reject();
      const cp = parseInt(hex, 16);
      if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) reject();
      out += String.fromCodePoint(cp);
      i += width;
    }
    return [out, end];
  }

  /** Folded (>) or literal (|) text, clip or strip chomping, every line at one indentation. */
  private blockScalar(depth: number, parent: number): [unknown, PosNode] {
    this.count(depth);
    const t = this.t;
    const start = this.pos;
    const folded = t[start] === '>';
    let p = start + 1;
    let strip = false;
    if (t[p] === '-') {
      strip = true;
      p++;
    }
    // an explicit indentation or keep chomping: yaml's
    if (t[p] !== ' ' && t[p] !== '\n' && p < t.length) reject();
    while (t[p] === ' ') p++;
    if (t[p] === '#') p = this.lineEnd(p);
    if (t[p] !== '\n') reject();
    p++;
    const lines: string[] = [];
    let indent = -1;
    let end = p;
    // blank lines seen since the last content line
    let blanks = 0;
    while (p < t.length) {
      const eol = this.lineEnd(p);
      let q = p;
      while (q < eol && t[q] === ' ') q++;
      if (q === eol) {
        // a blank line; one longer than the indentation would hold spaces as text
        if (indent >= 0 && q - p > indent) reject();
        if (indent < 0) reject();
        blanks++;
        p = eol + 1;
        continue;
      }
      const ind = q - p;
      if (indent < 0) {
        if (ind <= parent) reject();
        indent = ind;
      }
      if (ind < indent) {
        if (ind > parent) reject();
        break;
      }
      if (ind > indent) reject();
      const text = t.slice(q, eol);
      if (lines.length) lines.push(folded ? (blanks ? '\n'.repeat(blanks) : ' ') : '\n'.repeat(blanks + 1));
      lines.push(text);
      blanks = 0;
      p = eol + 1;
      end = Math.min(p, t.length);
    }
    if (indent < 0) reject();
    this.pos = end;
    // the caller goes on from the end of the last text line
    const value = lines.join('') + (strip ? '' : '\n');
    this.pos = end - 1 < t.length && t[end - 1] === '\n' ? end - 1 : end;
    return [value, [start, end]];
  }

  /** A flow list or map from this.pos; lines inside must be indented past `parent`. */
  private flow(depth: number, parent: number): [unknown, PosNode] {
    this.count(depth);
    if (depth > DEPTH_LIMIT) reject();
    const t = this.t;
    const start = this.pos;
    const isMap = t[start] === '{';
    const close = isMap ? '}' : ']';
    this.pos++;
    const items: unknown[] = [];
    const index: (PosNode | null)[] = [];
    const obj: Record<string, unknown> = {};
    const entries: MapEntry[] = [];
    const seen = new Set<string>();
    let first = true;
    for (;;) {
      this.flowSpace(parent);
      if (t[this.pos] === close) {
        this.pos++;
        break;
      }
      if (!first) {
        if (t[this.pos] !== ',') reject();
        this.pos++;
        this.flowSpace(parent);
        // a trailing comma is yaml's to judge
        if (t[this.pos] === close) reject();
      }
      first = false;
      if (isMap) {
        const ks = this.pos;
        let key: string;
        let ke: number;
        if (t[ks] === '"' || t[ks] === "'") {
          const got = this.quoted(ks);
          key = got[0]; ke = got[1];
        } else {
          if (!this.plainStart(ks, true)) reject();
          let p = ks;
          while (p < t.length && !',[]{}\n'.includes(t[p]!) && !(t[p] === ':' && (t[p + 1] === ' ' || t[p + 1] === '\n')) && !(t[p] === '#' && t[p - 1] === ' ')) p++;
          while (t[p - 1] === ' ') p--;
          if (p - ks > KEY_LIMIT) reject();
          const v = plainValue(t.slice(ks, p));
          if (typeof v !== 'string') reject();
          key = v;
          ke = p;
        }
        this.pos = ke;
        if (t[this.pos] !== ':' || (t[this.pos + 1] !== ' ' && t[this.pos + 1] !== '\n')) reject();
        this.count(depth + 1);
        if (seen.has(key) || key === '__proto__' || key === '<<') reject();
        seen.add(key);
        this.pos++;
        this.flowSpace(parent);
        const got = this.flowValue(depth + 1, parent);
        const v = got[0], n = got[1];
        obj[key] = v;
        entries.push([key, ks, ke, n]);
      } else {
        const got = this.flowValue(depth + 1, parent);
        const v = got[0], n = got[1];
        items.push(v);
        index.push(n);
      }
    }
    const end = this.pos;
    return isMap ? [obj, [start, end, MAP, entries]] : [items, [start, end, SEQ, index]];
  }

  /** Spaces, comments and line breaks inside a flow collection. */
  private flowSpace(parent: number): void {
    const t = this.t;
    for (;;) {
      const c = t[this.pos];
      if (c === ' ') this.pos++;
      else if (c === '#') {
        if (t[this.pos - 1] !== ' ' && t[this.pos - 1] !== '\n') reject();
        this.pos = this.lineEnd(this.pos);
      } else if (c === '\n') {
        this.pos++;
        const ls = this.pos;
        while (t[this.pos] === ' ') this.pos++;
        // a flow line must be indented past the block it is in (blank lines aside)
        if (t[this.pos] !== '\n' && this.pos < t.length && this.pos - ls <= parent) reject();
        if (this.pos - ls === 0 && (t.startsWith('---', this.pos) || t.startsWith('...', this.pos))) reject();
      } else if (c === undefined) reject();
      else return;
    }
  }

  private flowValue(depth: number, parent: number): [unknown, PosNode] {
    const t = this.t;
    const p = this.pos;
    const c = t[p];
    if (c === '&') return this.anchored(depth, () => this.flowValue(depth, parent));
    if (c === '*') return this.alias(depth);
    if (c === '[' || c === '{') return this.flow(depth, parent);
    if (c === '"' || c === "'") {
      this.count(depth);
      const got = this.quoted(p);
      const s = got[0], end = got[1];
      this.pos = end;
      // a ":" after it would make a one-pair map
      if (t[end] === ':') reject();
      return [s, [p, end]];
    }
    if (!this.plainStart(p, true)) reject();
    this.count(depth);
    let e = p;
    while (e < t.length && !',[]{}\n'.includes(t[e]!) && !(t[e] === '#' && t[e - 1] === ' ')) {
      if (t[e] === ':' && (t[e + 1] === ' ' || t[e + 1] === '\n' || ',[]{}'.includes(t[e + 1] ?? ','))) reject();
      e++;
    }
    while (t[e - 1] === ' ') e--;
    this.pos = e;
    // what follows must end the value: a plain scalar going on to the next line is yaml's
    let q = e;
    while (t[q] === ' ') q++;
    if (t[q] === '\n' || (t[q] === '#' && t[q - 1] === ' ')) {
      const save = this.pos;
      this.pos = q;
      this.flowSpace(parent);
      const n = t[this.pos];
      if (n !== ',' && n !== ']' && n !== '}') reject();
      this.pos = save;
    }
    return [plainValue(t.slice(p, e)), [p, e]];
  }
}

/** How many collections deep a node goes (0 for a scalar). */
function nodeDepth(n: PosNode | null): number {
  if (!n || n.length === 2) return 0;
  if (n[2] === ALIAS) return nodeDepth(n[3]);
  let d = 0;
  if (n[2] === SEQ) for (const it of n[3]) d = Math.max(d, nodeDepth(it));
  else for (const e of n[3] as MapEntry[]) d = Math.max(d, nodeDepth(e[3]));
  return d + 1;
}

/** The value and node positions of a document in the subset, or undefined (leave it to yaml). */
export function fastParse(text: string): FastParse | undefined {
  if (UNSUPPORTED_CHAR.test(text)) return undefined;
  try {
    return new Parser(text).parse();
  } catch (e) {
    if (e === REJECT) return undefined;
    // the subset parser must never be the one to fail: yaml decides
    return undefined;
  }
}
