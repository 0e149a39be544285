// Loader properties: random YAML documents and random mutations of every shipped board
// and suite go through the real loader (files on disk, validatePaths, then the compiler
// and the model for what is valid). The answer is either valid or positioned errors;
// never an exception, never a polluted prototype.

import fc from 'fast-check';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isNode, isSeq, parse, parseDocument, stringify } from 'yaml';
import { compileSuites, formatDiagnostics, hasErrors, loadPlan, PlanOptionError, validatePaths, type Diagnostic, type LoadedBoard } from '../../../runner/dsl/index.js';
import { PROFILES } from '../../../runner/model/profiles/profiles.js';
import { BEHAVIOURS } from '../../../runner/model/profiles/behaviours.js';
import { createKernel } from '../../../runner/model/index.js';
import { createModelTarget, executeAll } from '../../../runner/exec/index.js';
import { buildTree, FORMATS, render } from '../../../runner/report/index.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

export type Kind = 'board' | 'suite';

export interface Shipped {
  kind: Kind;
  id: string;
  file: string;
  text: string;
  data: unknown;
}

/** Every board and suite in the repository (read now: other teams add them as we go). */
export function shippedFiles(): Shipped[] {
  const out: Shipped[] = [];
  for (const kind of ['board', 'suite'] as const) {
    const dir = path.join(ROOT, `${kind}s`);
    for (const f of readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort()) {
      const text = readFileSync(path.join(dir, f), 'utf8');
      let data: unknown;
      try {
        data = parse(text);
      } catch {
        continue; // a file being written by another team right now
      }
      out.push({ kind, id: f.replace(/\.ya?ml$/, ''), file: path.join(dir, f), text, data });
    }
  }
  return out;
}

/**
 * A scratch tree: boards/ holds the shipped boards (so a mutated suite resolves its
 * boards), suites/ takes mutated suites, and mut/boards/ mutated boards (so the boards a
 * suite names stay intact).
 */
export interface Workspace {
  dir: string;
  shipped: Shipped[];
  /** subtrees of every shipped file, for cross-pollination */
  pool: unknown[];
  /** the shipped boards, loaded once for every input that names them */
  boardCache: Map<string, LoadedBoard>;
}

export function makeWorkspace(): Workspace {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bringup-fuzz-loader-'));
  for (const d of ['boards', 'suites', 'mut/boards']) mkdirSync(path.join(dir, d), { recursive: true });
  const shipped = shippedFiles();
  for (const s of shipped) if (s.kind === 'board') copyFileSync(s.file, path.join(dir, 'boards', `${s.id}.yaml`));
  const pool: unknown[] = [];
  for (const s of shipped) {
    const walk = (v: unknown, depth: number) => {
      // a subtree of at most 2 KB: whole device or scenario lists made most inputs' size
      if (depth > 0 && (JSON.stringify(v) ?? '').length <= 2048) pool.push(v);
      if (Array.isArray(v)) v.forEach((x) => walk(x, depth + 1));
      else if (v && typeof v === 'object') Object.values(v).forEach((x) => walk(x, depth + 1));
    };
    walk(s.data, 0);
  }
  return { dir, shipped, pool, boardCache: new Map() };
}

export function removeWorkspace(ws: Workspace): void {
  rmSync(ws.dir, { recursive: true, force: true });
}

export interface LoadOutcome {
  file: string;
  valid: boolean;
  diagnostics: Diagnostic[];
  runs: number;
}

const PROTO_KEYS = Object.getOwnPropertyNames(Object.prototype).sort().join(',');

/** Every diagnostic is positioned and worded; fails the property otherwise. */
export function assertPositioned(diags: readonly Diagnostic[]): void {
  for (const d of diags) {
    const where = JSON.stringify(d);
    if (typeof d.file !== 'string' || d.file === '') throw new Error(`diagnostic without a file: ${where}`);
    if (!Number.isInteger(d.line) || d.line < 1) throw new Error(`diagnostic line < 1: ${where}`);
    if (!Number.isInteger(d.column) || d.column < 1) throw new Error(`diagnostic column < 1: ${where}`);
    if (typeof d.message !== 'string' || d.message.trim() === '') throw new Error(`diagnostic without a message: ${where}`);
    if (d.severity !== 'error' && d.severity !== 'warning') throw new Error(`diagnostic severity: ${where}`);
  }
  formatDiagnostics([...diags]);
  JSON.parse(formatDiagnostics([...diags], { json: true }));
}

/**
 * Load one file as a board or a suite, in process (the text is handed to the loader, not
 * written to disk; the shipped boards a suite names are loaded once per workspace); valid
 * suites are compiled and a few runs executed.
 */
export function loadOne(ws: Workspace, kind: Kind, id: string, text: string | Buffer, opts: { execute?: number } = {}): LoadOutcome {
  const file = kind === 'suite' ? path.join(ws.dir, 'suites', `${id}.yaml`) : path.join(ws.dir, 'mut/boards', `${id}.yaml`);
  {
    const result = validatePaths([file], { files: new Map([[file, text]]), boardCache: ws.boardCache });
    assertPositioned(result.diagnostics);
    const valid = !hasErrors(result.diagnostics);
    const loaded = kind === 'suite' ? result.suites.some((s) => s.file === file) : result.boards.some((b) => b.file === file);
    if (valid !== loaded) throw new Error(`${valid ? 'no errors but nothing loaded' : 'errors but the file loaded'}: ${formatDiagnostics(result.diagnostics)}`);
    let runs = 0;
    if (valid && kind === 'suite') {
      const plan = compileSuites(result.suites);
      runs = plan.length;
      for (const run of plan.slice(0, opts.execute ?? 2)) {
        const k = createKernel(run.board, run.kernel);
        for (const s of run.steps) if ('step' in s) k.perform(s.step);
        k.checks();
      }
    }
    if (Object.getOwnPropertyNames(Object.prototype).sort().join(',') !== PROTO_KEYS || ({} as Record<string, unknown>)['polluted'] !== undefined) {
      throw new Error('Object.prototype was polluted');
    }
    return { file, valid, diagnostics: result.diagnostics, runs };
  }
}

// ---------------------------------------------------------------------------------
// arbitraries

const SPECIAL_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '', '0', '<<', 'ключ', '🔥', ' suite', 'board ', '${device}', 'a'.repeat(300)];

const WEIRD_STRINGS = [
  '', ' ', '\t', 'x'.repeat(5000), 'ée\u0301', '😀🔥', '\u202e', '\u0000', '\u0085', '\ufeff', 'null', '~', 'true', 'yes', '0x10', '1e3', '-ENOMEM', 'ENOMEM',
  '-EPROBE_DEFER', '-517', '(a+)+$', '(\\w*\\s?)*x', '(?P<n>x)', '[z-a]', '*', '?', '${device}', '${nope}', '$', '#', 'a: b', '- x', '&a', '*a', '!!binary',
  'v6.15', 'v4.11', 'next-20250312', 'bcb81ac6ae3c', 'ee300000.sata', 'e67b0000.mmu', '../boards/x.yaml', '/dev/zero', 'boards/../../etc/passwd', 'v6.15+bcb81ac6ae3c',
];

const WEIRD_NUMBERS = [-1, 0, 1, 2, 7, 64, 65, 4096, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 64, 1e300, 1.5, -0, Infinity, -Infinity, NaN, -517, 0x7fffffff];

// a char pool instead of fast-check's grapheme/binary units, whose per-value setup dominated
const UNICODE = ['a', 'Z', '0', ' ', '-', '_', '.', ':', '#', '"', "'", '\\', '\t', '\n', '\r', '\u0000', '\u0007', '\u007f', '\u0085', '\u00a0', '\u00e9', 'e\u0301', '\u2028', '\u202e', '\ufeff', '\ufffd', '\u4e2d', '\u0416', '\ud83d\ude00', '\ud800', '\udfff', '\u{10ffff}'];
export const unicodeString = (maxLength: number) => fc.array(fc.constantFrom(...UNICODE), { maxLength }).map((xs) => xs.join(''));

const weirdScalar = fc.oneof(
  fc.constantFrom<unknown>(...WEIRD_STRINGS, ...WEIRD_NUMBERS, null, true, false),
  fc.string({ maxLength: 20 }),
  unicodeString(12),
  fc.integer(),
  fc.double(),
);

function valueArb(pool: readonly unknown[]): fc.Arbitrary<unknown> {
  // an index, not constantFrom: the pool holds thousands of subtrees
  const fromPool = pool.length ? fc.nat().map((i) => pool[i % pool.length]) : fc.constant(null);
  return fc.oneof(
    { weight: 3, arbitrary: weirdScalar },
    { weight: 3, arbitrary: fromPool },
    { weight: 1, arbitrary: fc.constantFrom<unknown>([], {}, [[]], [{}], { boot: null }, ['boot'], [null]) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  );
}

export interface Mutation {
  op: 'delete' | 'rename' | 'retype' | 'scalar' | 'wrap' | 'alias' | 'dup' | 'move';
  a: number;
  b: number;
  key: string;
  keyMode: number;
  value: unknown;
  depth: number;
  wrapMap: boolean;
}

function mutationArb(pool: readonly unknown[]): fc.Arbitrary<Mutation> {
  return fc.record({
    op: fc.constantFrom<Mutation['op']>('delete', 'rename', 'retype', 'scalar', 'wrap', 'alias', 'dup', 'move'),
    a: fc.nat(),
    b: fc.nat(),
    key: fc.oneof(fc.constantFrom(...SPECIAL_KEYS), fc.string({ maxLength: 10 })),
    keyMode: fc.nat(5),
    value: valueArb(pool),
    // past the 64-level limit but short of the parser's stack (a block-style wrap of 400 was
    // 320 KB of indentation; the stack's own limit has its tests in hostile and reliability)
    depth: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 60, max: 70 }), fc.integer({ min: 100, max: 130 })),
    wrapMap: fc.boolean(),
  });
}

export interface TextEdit {
  op: 'insert' | 'delete' | 'dupline' | 'swaplines' | 'truncate' | 'indent';
  at: number;
  len: number;
  text: string;
}

const YAML_TOKENS = [
  ':', ': ', '-', '- ', '&a ', '*a', '&b ', '*b', '!', '!!str ', '!!map ', '|', '>', '{', '}', '[', ']', ',', '"', "'", '#', '%', '@', '`', '?', '\t', '\n', '\r\n', '  ', '~',
  '---\n', '...\n', '\ufeff', '\u0000', '\u00a0', 'é', '😀', '<<: *a', '\\', '\\u', '0x', '${device}', 'null', '.nan',
];

const textEditArb: fc.Arbitrary<TextEdit> = fc.record({
  op: fc.constantFrom<TextEdit['op']>('insert', 'delete', 'dupline', 'swaplines', 'truncate', 'indent'),
  at: fc.nat(),
  len: fc.integer({ min: 1, max: 40 }),
  text: fc.oneof(fc.constantFrom(...YAML_TOKENS), fc.string({ maxLength: 6 })),
});

// ---------------------------------------------------------------------------------
// applying mutations

interface Slot {
  parent: Record<string, unknown> | unknown[];
  key: string | number;
}

function setProp(obj: Record<string, unknown>, key: string, value: unknown): void {
  // a plain assignment to "__proto__" would change the prototype instead of adding a key
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function slots(root: unknown): Slot[] {
  const out: Slot[] = [];
  const seen = new Set<unknown>();
  const walk = (v: unknown) => {
    if (!v || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) v.forEach((x, i) => (out.push({ parent: v, key: i }), walk(x)));
    else for (const k of Object.keys(v)) out.push({ parent: v as Record<string, unknown>, key: k }), walk((v as Record<string, unknown>)[k]);
  };
  walk(root);
  return out;
}

function get(s: Slot): unknown {
  return (s.parent as Record<string | number, unknown>)[s.key];
}

function set(s: Slot, value: unknown): void {
  if (Array.isArray(s.parent)) s.parent[s.key as number] = value;
  else setProp(s.parent, s.key as string, value);
}

function typo(key: string, mode: number, special: string): string {
  if (key.length < 2) return special;
  const i = mode % key.length;
  switch (mode) {
    case 0:
      return key.slice(0, i) + key.slice(i + 1);
    case 1:
      return key.slice(0, i) + key[i] + key.slice(i);
    case 2:
      return key.slice(0, i) + (key[i + 1] ?? '') + key[i] + key.slice(i + 2);
    case 3:
      return key.toUpperCase();
    default:
      return special;
  }
}

function wrap(value: unknown, depth: number, asMap: boolean): unknown {
  let v = value;
  for (let i = 0; i < depth; i++) v = asMap ? { k: v } : [v];
  return v;
}

/** Apply mutations to a deep copy of data (structure may become cyclic through 'alias'). */
export function mutate(data: unknown, muts: readonly Mutation[]): unknown {
  const root: { doc: unknown } = { doc: structuredClone(data) };
  for (const m of muts) {
    const all = slots(root);
    if (all.length === 0) break;
    const s = all[m.a % all.length]!;
    const t = all[m.b % all.length]!;
    switch (m.op) {
      case 'delete':
        if (Array.isArray(s.parent)) s.parent.splice(s.key as number, 1);
        else if (s.parent !== (root as unknown)) delete s.parent[s.key as string];
        break;
      case 'rename': {
        if (Array.isArray(s.parent) || s.parent === (root as unknown)) break;
        const v = get(s);
        const nk = typo(String(s.key), m.keyMode, m.key);
        delete s.parent[s.key as string];
        setProp(s.parent, nk, v);
        break;
      }
      case 'retype':
        // a copy: the value may be a subtree of the shared pool, and later mutations edit it
        set(s, structuredClone(m.value));
        break;
      case 'scalar': {
        const v = get(s);
        if (v === null || typeof v !== 'object') set(s, typeof m.value === 'object' ? String(v) + String(m.key) : m.value);
        break;
      }
      case 'wrap':
        set(s, wrap(get(s), m.depth, m.wrapMap));
        break;
      case 'alias':
        // a shared object: yaml writes an anchor and an alias (or a recursive alias)
        set(t, get(s));
        break;
      case 'dup':
        if (Array.isArray(s.parent)) s.parent.splice(s.key as number, 0, structuredClone(get(s)));
        break;
      case 'move': {
        const v = get(s);
        set(t, v === undefined ? null : v);
        break;
      }
    }
  }
  return root.doc;
}

export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  let t = text;
  for (const e of edits) {
    const at = t.length ? e.at % (t.length + 1) : 0;
    const lines = t.split('\n');
    const li = lines.length ? e.at % lines.length : 0;
    switch (e.op) {
      case 'insert':
        t = t.slice(0, at) + e.text + t.slice(at);
        break;
      case 'delete':
        t = t.slice(0, at) + t.slice(at + e.len);
        break;
      case 'dupline':
        lines.splice(li, 0, lines[li] ?? '');
        t = lines.join('\n');
        break;
      case 'swaplines': {
        const lj = (li + e.len) % lines.length;
        [lines[li], lines[lj]] = [lines[lj]!, lines[li]!];
        t = lines.join('\n');
        break;
      }
      case 'truncate':
        t = t.slice(0, at);
        break;
      case 'indent':
        lines[li] = ' '.repeat(e.len % 7) + (lines[li] ?? '');
        t = lines.join('\n');
        break;
    }
  }
  return t;
}

const finite = (_k: string, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v);

export interface Style {
  /** JSON (flow YAML): compact, or indented when `quote` */
  flow: boolean;
  indent: number;
  /** every string double-quoted */
  quote: boolean;
  /** written by the yaml package (its folding of long lines, block scalars, anchors) instead of blockYaml */
  yaml?: boolean;
}

export function serialize(data: unknown, style: Style): string {
  if (style.flow) {
    // JSON is flow YAML, written in linear time (yaml's flow writer re-measures every
    // nested collection against the line width: quadratic in the nesting, and it was most
    // of the fuzzer's time); a cycle falls through to yaml, which writes an anchor
    try {
      return JSON.stringify(data, finite, style.quote ? style.indent : undefined) ?? 'null';
    } catch {
      // cyclic
    }
  }
  if (!style.flow && !style.yaml) {
    const text = blockYaml(data, style.indent, style.quote);
    if (text !== undefined) return text;
  }
  try {
    return stringify(data, {
      indent: style.indent,
      ...(style.quote ? { defaultStringType: 'QUOTE_DOUBLE' as const, defaultKeyType: 'PLAIN' as const } : {}),
      aliasDuplicateObjects: true,
    });
  } catch {
    // some shapes yaml cannot write (a cyclic key); the plain JSON view still is a document
    try {
      return JSON.stringify(data, finite) ?? 'null';
    } catch {
      return 'cyclic: true\n';
    }
  }
}

// what a plain scalar may look like here: starts with a letter, "_" or "/", no ": " or " #",
// and is not read back as null or a boolean (a number never starts with a letter)
const PLAIN_SAFE = /^[A-Za-z_/][A-Za-z0-9_./${}()+,=@-]*$/;
const PLAIN_OTHER_TYPE = /^(?:null|Null|NULL|true|True|TRUE|false|False|FALSE)$/;

function scalarText(v: unknown, quote: boolean): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return Number.isNaN(v) ? '.nan' : v === Infinity ? '.inf' : v === -Infinity ? '-.inf' : String(v);
  const s = String(v);
  // JSON's escapes are YAML's double-quoted escapes
  return !quote && PLAIN_SAFE.test(s) && !PLAIN_OTHER_TYPE.test(s) ? s : JSON.stringify(s);
}

/**
 * Block YAML of plain data as people write boards and suites (block maps and lists, plain or
 * double-quoted scalars, one line each): the fast parser's subset, written in linear time.
 * Undefined when an object is reached twice (an alias mutation): yaml writes anchors for that.
 */
export function blockYaml(data: unknown, indent: number, quote: boolean): string | undefined {
  const seen = new Set<object>();
  const out: string[] = [];
  const isEmpty = (v: unknown) => (Array.isArray(v) ? v.length === 0 : !!v && typeof v === 'object' && Object.keys(v).length === 0);
  const inline = (v: unknown): string | undefined => {
    if (v === null || typeof v !== 'object') return scalarText(v, quote);
    if (isEmpty(v)) return Array.isArray(v) ? '[]' : '{}';
    return undefined;
  };
  // `head` is what the first line starts with ("- " items); the rest of the lines start at pad
  const node = (v: unknown, pad: string, head: string): boolean => {
    const obj = v as object;
    if (seen.has(obj)) return false;
    seen.add(obj);
    if (Array.isArray(v)) {
      let first = true;
      for (const x of v) {
        const lead = first ? head : pad;
        first = false;
        const one = inline(x);
        if (one !== undefined) out.push(`${lead}- ${one}`);
        else if (Array.isArray(x)) {
          out.push(`${lead}-`);
          if (!node(x, pad + ' '.repeat(indent), pad + ' '.repeat(indent))) return false;
        } else if (!node(x, `${pad}  `, `${lead}- `)) return false;
      }
      return true;
    }
    let first = true;
    for (const k of Object.keys(obj)) {
      const lead = first ? head : pad;
      first = false;
      const x = (obj as Record<string, unknown>)[k];
      const key = scalarText(k, quote);
      const one = inline(x);
      if (one !== undefined) out.push(`${lead}${key}: ${one}`);
      else {
        out.push(`${lead}${key}:`);
        const inner = pad + ' '.repeat(indent);
        if (!node(x, inner, inner)) return false;
      }
    }
    return true;
  };
  const one = inline(data);
  if (one !== undefined) return `${one}\n`;
  return node(data, '', '') ? `${out.join('\n')}\n` : undefined;
}

// ---------------------------------------------------------------------------------
// the properties

export interface NamedProperty {
  name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each property has its own argument tuple
  property: fc.IPropertyWithHooks<any> | fc.IAsyncPropertyWithHooks<any>;
}

export interface LoaderStats {
  valid: number;
  invalid: number;
  runs: number;
}

export function mutationCase(ws: Workspace) {
  const files = ws.shipped;
  return fc.record({
    file: fc.nat({ max: Math.max(0, files.length - 1) }),
    muts: fc.array(mutationArb(ws.pool), { minLength: 0, maxLength: 4 }),
    edits: fc.array(textEditArb, { minLength: 0, maxLength: 3 }),
    // most mutants are written as people write these files (the fast parser's subset, which
    // reads real files), one in eight as JSON and one in eight by yaml (long lines folded,
    // block scalars, anchors): yaml parses those
    style: fc.record({ flow: fc.nat(7).map((x) => x === 0), indent: fc.constantFrom(2, 4), quote: fc.boolean(), yaml: fc.nat(7).map((x) => x === 0) }),
    header: fc.boolean(),
    // which part of the file: a suite's scenario, a run of a board's devices (or all of it)
    part: fc.nat(),
    whole: fc.nat(49),
  });
}

/**
 * The document a case starts from: one in fifty is the whole shipped file; the others keep a
 * suite's header with one of its scenarios, or a board with eight consecutive devices.
 * Every construct of every shipped file is still reached, at a tenth of the text to parse
 * per input (a whole file costs 20-40 ms to check, a scenario 1-3 ms).
 */
export function startingPoint(f: Shipped, part: number, whole: number): unknown {
  const w = window(f, part, whole);
  if (!w) return f.data;
  const d = f.data as Record<string, unknown>;
  return { ...d, [w.key]: (d[w.key] as unknown[]).slice(w.from, w.to) };
}

/** which items of which list a starting point keeps; undefined: the whole file */
function window(f: Shipped, part: number, whole: number): { key: string; from: number; to: number } | undefined {
  const d = f.data as Record<string, unknown>;
  if (whole === 0 || !d || typeof d !== 'object') return undefined;
  if (f.kind === 'suite' && Array.isArray(d['scenarios']) && d['scenarios'].length > 1) {
    const i = part % d['scenarios'].length;
    return { key: 'scenarios', from: i, to: i + 1 };
  }
  if (f.kind === 'board' && Array.isArray(d['devices']) && d['devices'].length > 8) {
    const start = part % (d['devices'].length - 7);
    return { key: 'devices', from: start, to: start + 8 };
  }
  return undefined;
}

// the line ranges of each shipped file's scenario/device items, found once
const ITEM_LINES = new WeakMap<Shipped, { key: string; starts: number[]; end: number } | null>();

function itemLines(f: Shipped): { key: string; starts: number[]; end: number } | null {
  let r = ITEM_LINES.get(f);
  if (r !== undefined) return r;
  r = null;
  const key = f.kind === 'suite' ? 'scenarios' : 'devices';
  const doc = parseDocument(f.text);
  const seq = isMap(doc.contents) ? doc.contents.get(key, true) : undefined;
  if (isSeq(seq) && !seq.flow && seq.items.length && seq.range) {
    const lineStart = (at: number) => f.text.lastIndexOf('\n', at - 1) + 1;
    const starts = seq.items.map((x) => (isNode(x) && x.range ? lineStart(x.range[0]) : -1));
    // the list ends at the line after its last item; the keys after it follow
    const end = lineStart(seq.range[2]) === seq.range[2] ? seq.range[2] : f.text.indexOf('\n', seq.range[2]) + 1 || f.text.length;
    if (starts.every((x, i) => x >= 0 && (i === 0 || x > starts[i - 1]!))) r = { key, starts, end };
  }
  ITEM_LINES.set(f, r);
  return r;
}

/**
 * The starting point as the shipped file's own text (its comments, quoting and layout), cut
 * at the item lines: the head, the items kept, the tail. Falls back to writing the starting
 * point with yaml when the list is not a block list.
 */
export function startingText(f: Shipped, part: number, whole: number): string {
  const w = window(f, part, whole);
  if (!w) return f.text;
  const lines = itemLines(f);
  if (!lines || lines.key !== w.key) return stringify(startingPoint(f, part, whole));
  const at = (i: number) => (i < lines.starts.length ? lines.starts[i]! : lines.end);
  return f.text.slice(0, lines.starts[0]) + f.text.slice(at(w.from), at(w.to)) + f.text.slice(lines.end);
}

/**
 * A mutant's text: the starting point, its tree mutated and written in the case's style, then
 * edited as text. With no tree mutation in the plain style, the shipped text itself is the
 * start (no yaml write: the comments and layout of the file stay).
 */
export function mutantText(f: Shipped, c: { muts: readonly Mutation[]; edits: readonly TextEdit[]; style: Style; header: boolean; part: number; whole: number }): string {
  const plain = c.muts.length === 0 && !c.style.flow && !c.style.quote && c.style.indent === 2;
  const body = plain ? startingText(f, c.part, c.whole) : serialize(mutate(startingPoint(f, c.part, c.whole), c.muts), c.style);
  return applyTextEdits((c.header ? HEADER[f.kind] : '') + body, c.edits);
}

const HEADER: Record<Kind, string> = {
  board: '# yaml-language-server: $schema=../dsl-schema/board.schema.json\n',
  suite: '# yaml-language-server: $schema=../dsl-schema/suite.schema.json\n',
};

const documentText = fc.oneof(
  fc.array(fc.oneof(fc.constantFrom(...YAML_TOKENS, 'suite: x\n', 'board: x\n', 'scenarios:\n', 'steps:\n', '  - boot\n', 'name: a\n', 'devices:\n', 'iommus:\n', 'drivers:\n'), fc.string({ maxLength: 5 })), { maxLength: 60 }).map((xs) => xs.join('')),
  unicodeString(200),
  fc.jsonValue({ maxDepth: 5 }).map((v) => stringify(v)),
  fc.anything({ maxDepth: 4, withNullPrototype: true, withObjectString: true }).map((v) => {
    try {
      return stringify(v);
    } catch {
      return String(v);
    }
  }),
);

/**
 * The loader properties. Each writes its input to a scratch file and loads it through
 * validatePaths, as `bringup validate FILE` does.
 */
export function loaderProperties(ws: Workspace, stats: Record<string, LoaderStats> = {}): NamedProperty[] {
  const count = (name: string, o: LoadOutcome) => {
    const s = (stats[name] ??= { valid: 0, invalid: 0, runs: 0 });
    if (o.valid) s.valid++;
    else s.invalid++;
    s.runs += o.runs;
  };
  const mutated = fc.property(mutationCase(ws), (c) => {
    const f = ws.shipped[c.file % ws.shipped.length]!;
    count('loader: mutated shipped files', loadOne(ws, f.kind, f.id, mutantText(f, c)));
  });
  const random = fc.property(documentText, fc.constantFrom<Kind>('board', 'suite'), fc.boolean(), (text, kind, header) => {
    count('loader: random YAML documents', loadOne(ws, kind, 'random', (header ? HEADER[kind] : '') + text));
  });
  // bytes of the shipped text itself (its comments too), of a starting point as mutants have
  const bytes = fc.property(fc.nat({ max: Math.max(0, ws.shipped.length - 1) }), fc.nat(), fc.nat(49), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (i, part, whole, flips) => {
    const f = ws.shipped[i % ws.shipped.length]!;
    const buf = Buffer.from(startingText(f, part, whole), 'utf8');
    for (const [at, byte] of flips) if (buf.length) buf[at % buf.length] = byte;
    count('loader: byte flips (non-UTF-8)', loadOne(ws, f.kind, f.id, buf));
  });
  // the options of `bringup plan/run/log`: a misspelt kernel or board is a PlanOptionError, a
  // glob of any shape selects or not; nothing else may be thrown
  const suites = ws.shipped.filter((f) => f.kind === 'suite');
  const suitesOnly = suites;
  const label = fc.oneof(
    fc.constantFrom(...PROFILES.map((p) => p.name)),
    fc.tuple(fc.constantFrom(...PROFILES.map((p) => p.name)), fc.array(fc.tuple(fc.constantFrom('+', '-', '', '++'), fc.constantFrom(...BEHAVIOURS.map((b) => b.id), 'nope', '')), { maxLength: 3 })).map(
      ([base, xs]) => base + xs.map(([s, id]) => s + id).join(''),
    ),
    unicodeString(12),
  );
  const glob = fc.oneof(fc.array(fc.constantFrom('*', '?', '[', ']', '!', '-', 'a', 'z', '.', '\\', '^', '$', '(', '+', '{'), { maxLength: 12 }).map((xs) => xs.join('')), unicodeString(8));
  // one scenario of a shipped suite at a time, in place of the file (its boards resolve as
  // they do for the whole suite): the options are what is fuzzed, not the parse of 15 KB
  const pieces = suites.flatMap((f) => {
    const sc = (f.data as { scenarios?: unknown[] }).scenarios ?? [];
    // written as block YAML of the fast parser's subset, which is what reads a real suite
    return sc.map((x) => {
      const piece = { ...(f.data as object), scenarios: [x] };
      return { file: f.file, text: blockYaml(piece, 2, false) ?? stringify(piece) };
    });
  });
  const planOptions = fc.property(
    fc.nat({ max: Math.max(0, pieces.length - 1) }),
    fc.option(fc.array(label, { minLength: 1, maxLength: 3 }), { nil: undefined }),
    fc.option(glob, { nil: undefined }),
    fc.option(fc.oneof(fc.constantFrom(...ws.shipped.filter((f) => f.kind === 'board').map((f) => f.id)), unicodeString(6)), { nil: undefined }),
    (i, kernels, filter, board) => {
      const f = pieces[i % pieces.length];
      if (!f) return;
      try {
        const r = loadPlan([f.file], { files: new Map([[f.file, f.text]]), boardCache: ws.boardCache, ...(kernels ? { kernels } : {}), ...(filter !== undefined ? { filter } : {}), ...(board !== undefined ? { board } : {}) });
        assertPositioned(r.diagnostics);
        count('loader: plan options', { file: f.file, valid: r.plan.runs.length > 0, diagnostics: r.diagnostics, runs: r.plan.runs.length });
      } catch (e) {
        if (!(e instanceof PlanOptionError)) throw e;
        count('loader: plan options', { file: f.file, valid: false, diagnostics: [], runs: 0 });
      }
    },
  );
  // valid mutants all the way through the runner: a run may pass or fail, never ERROR
  // (a JavaScript exception in the model or the executor), and every report renders
  const target = createModelTarget(createKernel);
  // one report format per input (the input picks it): every format still renders thousands
  // of times a run, at a sixth of the cost of rendering them all each time
  const endToEnd = fc.asyncProperty(mutationCase(ws), fc.nat(FORMATS.length - 1), async (c, fmt) => {
    const f = suitesOnly[c.file % suitesOnly.length];
    if (!f) return;
    const text = mutantText(f, { ...c, edits: [] });
    const file = path.join(ws.dir, 'suites', `${f.id}.yaml`);
    {
      const { plan, diagnostics } = loadPlan([file], { files: new Map([[file, text]]), boardCache: ws.boardCache });
      assertPositioned(diagnostics);
      const runs = plan.runs.slice(0, 3);
      const results = await executeAll(runs, { target, keepLog: true });
      for (const r of results) if (r.status === 'ERROR') throw new Error(`run ${r.label} ended in ERROR: ${r.error?.stack ?? r.reason}`);
      if (results.length) await render(FORMATS[fmt]!, buildTree(results), { versionLine: true });
      count('loader: valid mutants run end to end', { file, valid: runs.length > 0, diagnostics, runs: runs.length });
    }
  });
  return [
    { name: 'loader: mutated shipped files', property: mutated },
    { name: 'loader: random YAML documents', property: random },
    { name: 'loader: byte flips (non-UTF-8)', property: bytes },
    { name: 'loader: plan options', property: planOptions },
    { name: 'loader: valid mutants run end to end', property: endToEnd },
  ];
}
