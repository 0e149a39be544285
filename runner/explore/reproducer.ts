// What shrink reduces: one board and a suite of one scenario, kept as YAML documents (so
// the output keeps the input's comments, hex numbers and flow style) with their plain-data
// view. The shrinker's one notion of "smaller" is `order()`; its cache key is `key()`, the
// canonical YAML of the data. `compile()` is the DSL loader's judgement on a candidate,
// in memory: the same schema and semantic checks as a file on disk, then the run plan.
//
// Pure apart from the documents a caller mutates through reproducer-edits.ts: the same
// input gives the same reproducer, key and size.

import path from 'node:path';
import { Document, isMap, isScalar, parseDocument, visit, type Node } from 'yaml';
import type { LoadedBoard, LoadedSuite, PlanRun, Diagnostic } from '../dsl/index.js';
import { schemaDir } from '../dsl/index.js';
import { checkBoard, fileId, toModelBoard } from '../dsl/board.js';
import { compileSuite } from '../dsl/compile.js';
import type { BoardDoc, KernelDoc, ScenarioDoc, SuiteDoc } from '../dsl/doc-types.js';
import { stepEntry } from '../dsl/doc-types.js';
import { schemaDiagnostics } from '../dsl/schema.js';
import { SourceFile } from '../dsl/source.js';
import { checkSuite } from '../dsl/suite.js';
import type { ResolvedProfile } from '../model/types.js';
import type { ScenarioChoice } from './scenario-run.js';

/** Where a reproducer is written, and how its suite names its board. */
export interface ReproducerFiles {
  suiteFile: string;
  boardFile: string;
  /** a board id (the file sits in boards/ beside the suite's directory) or a path relative to the suite */
  boardRef: string;
}

/** The sizes shrink prints before and after. */
export interface ReproducerSize {
  devices: number;
  iommus: number;
  drivers: number;
  probeActions: number;
  steps: number;
  assertions: number;
  /** lines of the board file plus lines of the suite file */
  lines: number;
}

/** The scenario is the suite's only one. */
export const SCENARIO = ['scenarios', 0] as const;

// no folding: a flow collection stays on its line, as written by hand
const RENDER = { lineWidth: 0 } as const;

export class Reproducer {
  private boardData: BoardDoc | undefined;
  private suiteData: SuiteDoc | undefined;
  private keyText: string | undefined;

  constructor(
    readonly board: Document,
    readonly suite: Document,
  ) {}

  clone(): Reproducer {
    return new Reproducer(this.board.clone(), this.suite.clone());
  }

  /** Call after mutating a document: the data views are recomputed. */
  changed(): void {
    this.boardData = undefined;
    this.suiteData = undefined;
    this.keyText = undefined;
  }

  get boardDoc(): BoardDoc {
    return (this.boardData ??= this.board.toJS() as BoardDoc);
  }

  get suiteDoc(): SuiteDoc {
    return (this.suiteData ??= this.suite.toJS() as SuiteDoc);
  }

  get scenario(): ScenarioDoc {
    return this.suiteDoc.scenarios[0]!;
  }

  /**
   * Canonical YAML of the data: keys sorted, no comments, in YAML's JSON form (a YAML 1.2
   * document, and an order of magnitude cheaper to write than block style). Equal keys run
   * the same.
   */
  key(): string {
    return (this.keyText ??= canonicalJson({ board: this.boardDoc, suite: this.suiteDoc }));
  }

  /** The files' text as written: comments kept, flow sequences unpadded as the house writes them. */
  text(): { board: string; suite: string } {
    return { board: unpadFlowSequences(this.board.toString(RENDER)), suite: unpadFlowSequences(this.suite.toString(RENDER)) };
  }

  size(): ReproducerSize {
    const b = this.boardDoc;
    const drivers = Object.values(b.drivers ?? {});
    const t = this.text();
    return {
      devices: (b.devices ?? []).length,
      iommus: (b.iommus ?? []).length,
      drivers: drivers.length,
      probeActions: drivers.reduce((n, d) => n + (d.probe ?? []).length + (d.remove ?? []).length, 0),
      steps: this.scenario.steps.length,
      assertions: assertionCount(this.scenario),
      lines: lineCount(t.board) + lineCount(t.suite),
    };
  }

  /**
   * The shrinker's order, compared left to right: how many YAML nodes (every element a
   * pass can drop is at least one), then the canonical text's length, then the sum of the
   * numbers (so lowering `at: 3` to `at: 2` is progress).
   */
  order(): readonly number[] {
    const data = { board: this.boardDoc, suite: this.suiteDoc };
    return [nodeCount(data), this.key().length, numberSum(data)];
  }
}

/** a < b in the shrinker's order */
export function smaller(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}

function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x,
  );
}

function nodeCount(v: unknown): number {
  if (Array.isArray(v)) return 1 + v.reduce((n: number, x) => n + nodeCount(x), 0);
  if (v && typeof v === 'object') return 1 + Object.values(v).reduce((n: number, x) => n + 1 + nodeCount(x), 0);
  return 1;
}

function numberSum(v: unknown): number {
  if (typeof v === 'number') return Math.abs(v);
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + numberSum(x), 0);
  if (v && typeof v === 'object') return Object.values(v).reduce((n: number, x) => n + numberSum(x), 0);
  return 0;
}

function lineCount(text: string): number {
  return text.endsWith('\n') ? text.split('\n').length - 1 : text.split('\n').length;
}

function assertionCount(sc: ScenarioDoc): number {
  const block = (a: object | undefined) =>
    a ? Object.values(a).reduce((n: number, list) => n + (Array.isArray(list) ? list.length : 0), 0) : 0;
  let n = block(sc.expect);
  for (const s of sc.steps) {
    const [op, v] = stepEntry(s);
    if (op === 'expect') n += block(v as object | undefined);
  }
  return n;
}

/**
 * `[ a, b ]` → `[a, b]`: yaml pads flow maps and sequences alike, the house style pads
 * only maps. Only a bracket that opens a value is touched (never one inside a quoted or
 * plain scalar, nor in a comment), so the data cannot change.
 */
export function unpadFlowSequences(text: string): string {
  return text.split('\n').map(unpadLine).join('\n');
}

function unpadLine(line: string): string {
  let out = '';
  const open: string[] = [];
  let quote: string | undefined;
  // where a value may begin: in flow after [ { , or :, in block after "key: " or "- "
  const valueStart = () => (open.length ? /[[{,:]\s*$/.test(out) : /^\s*(?:-\s+)*$|:\s+$/.test(out));
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      out += c;
      if (quote === '"' && c === '\\') out += line[++i] ?? '';
      else if (c === quote && quote === "'" && line[i + 1] === "'") out += line[++i];
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '#' && (i === 0 || line[i - 1] === ' ')) return out + line.slice(i);
    if ((c === '"' || c === "'") && valueStart()) quote = c;
    else if ((c === '[' || c === '{') && valueStart()) {
      open.push(c);
      if (c === '[' && line[i + 1] === ' ') {
        out += c;
        i++;
        continue;
      }
    } else if ((c === ']' || c === '}') && open.length) {
      if (open.pop() === '[' && out.endsWith(' ')) out = out.slice(0, -1);
    }
    out += c;
  }
  return out;
}

/** `# yaml-language-server: $schema=<relative path>` for a file written to `file`. */
export function modeline(file: string, kind: 'board' | 'suite'): string {
  const rel = path.relative(path.dirname(path.resolve(file)), path.join(schemaDir(), `${kind}.schema.json`)).split(path.sep).join('/');
  return ` yaml-language-server: $schema=${rel}`;
}

/**
 * Each alias becomes a copy of what it names, and the anchors go: an element reached
 * through an alias must be droppable in one place without changing (or breaking) the others.
 */
function expandAliases(doc: Document): Document {
  visit(doc, {
    Alias(_, node) {
      const target = node.resolve(doc);
      return target ? (target.clone() as Node) : undefined;
    },
  });
  visit(doc, {
    Node(_, node) {
      if ('anchor' in node && node.anchor) node.anchor = undefined;
    },
  });
  return doc;
}

/**
 * Our header (modeline first) instead of the file's. The comments above top-level keys go
 * too: they describe the whole input ("the three 1 GiB banks above 4 GiB"), which the
 * reproducer no longer is; comments on the elements themselves stay with them.
 */
function setHeader(doc: Document, lines: readonly string[]): void {
  if (isMap(doc.contents)) for (const pair of doc.contents.items) if (isScalar(pair.key)) pair.key.commentBefore = null;
  doc.commentBefore = lines.join('\n');
}

/** The header of both files: the modeline for where each is written, then `lines`. */
export function setHeaders(rep: Reproducer, files: ReproducerFiles, lines: readonly string[]): void {
  setHeader(rep.board, [modeline(files.boardFile, 'board'), ...lines.map((l) => ` ${l}`)]);
  setHeader(rep.suite, [modeline(files.suiteFile, 'suite'), ...lines.map((l) => ` ${l}`)]);
}

/** Set a top-level key; a new one goes before `before` (so a suite keeps its scenarios last). */
function setTopLevel(doc: Document, key: string, value: unknown, before: string): void {
  if (doc.has(key) || !isMap(doc.contents)) {
    doc.set(key, value);
    return;
  }
  const items = doc.contents.items;
  const at = items.findIndex((p) => isScalar(p.key) && p.key.value === before);
  doc.set(key, value);
  if (at >= 0) items.splice(at, 0, items.pop()!);
}

/**
 * The starting reproducer: the board file as given (renamed to its output id), and a suite
 * of the chosen scenario alone on that board and kernel — for-each bound to its device,
 * known-bad entries dropped (a reproducer fails; what fixed it is bisect's answer).
 */
export function deriveReproducer(choice: ScenarioChoice, kernel: KernelDoc, files: ReproducerFiles, header: readonly string[]): Reproducer {
  const board = expandAliases(parseDocument(choice.board.source.text));
  board.set('board', fileId(files.boardFile));
  setHeader(board, [modeline(files.boardFile, 'board'), ...header.map((l) => ` ${l}`)]);

  const suite = expandAliases(parseDocument(choice.suite.source.text));
  const count = choice.suite.doc.scenarios.length;
  for (let i = count - 1; i >= 0; i--) if (i !== choice.index) suite.deleteIn(['scenarios', i]);
  // the blank line that parted it from the scenario before goes with that scenario
  const kept = suite.getIn(SCENARIO, true);
  if (isMap(kept)) kept.spaceBefore = false;
  suite.set('suite', fileId(files.suiteFile));
  setTopLevel(suite, 'boards', suite.createNode([files.boardRef], { flow: true }), 'scenarios');
  setTopLevel(suite, 'kernels', suite.createNode([kernel], { flow: true }), 'scenarios');
  for (const key of ['boards', 'kernels', 'known-bad', 'for-each']) suite.deleteIn([...SCENARIO, key]);
  if (choice.device !== undefined) {
    const device = choice.device;
    visit(suite.getIn(SCENARIO, true) as Parameters<typeof visit>[0], {
      Scalar(_, node) {
        if (typeof node.value === 'string' && node.value.includes('${device}')) node.value = node.value.replaceAll('${device}', device);
      },
    });
  }
  setHeader(suite, [modeline(files.suiteFile, 'suite'), ...header.map((l) => ` ${l}`)]);
  return new Reproducer(board, suite);
}

// Most candidates change one of the two files: the other's parse is reused. A SourceFile
// is immutable once built, so sharing one is safe.
const sources = new Map<string, SourceFile>();
const MAX_SOURCES = 64;

function sourceOf(file: string, text: string): SourceFile {
  const key = `${file}\0${text}`;
  let s = sources.get(key);
  if (!s) {
    s = new SourceFile(file, text);
    if (sources.size >= MAX_SOURCES) sources.delete(sources.keys().next().value!);
    sources.set(key, s);
  }
  return s;
}

export interface Compiled {
  run?: PlanRun;
  diagnostics: Diagnostic[];
}

/**
 * The DSL loader's verdict on a reproducer, without touching the disk: the schema and the
 * semantic checks of both files (as if written to `files`), then the scenario's run on `kernel`.
 */
export function compileReproducer(rep: Reproducer, files: ReproducerFiles, kernel: ResolvedProfile): Compiled {
  const text = rep.text();
  const boardSource = sourceOf(files.boardFile, text.board);
  const diagnostics: Diagnostic[] = [...boardSource.diagnostics];
  if (!boardSource.parsed) return { diagnostics };
  const boardDoc = boardSource.data as BoardDoc;
  diagnostics.push(...schemaDiagnostics(boardSource, 'board'));
  if (diagnostics.length) return { diagnostics };
  diagnostics.push(...checkBoard(boardSource, boardDoc));
  if (diagnostics.length) return { diagnostics };
  const board: LoadedBoard = { id: boardDoc.board, file: files.boardFile, source: boardSource, doc: boardDoc, board: toModelBoard(boardDoc) };

  const suiteSource = sourceOf(files.suiteFile, text.suite);
  diagnostics.push(...suiteSource.diagnostics);
  if (!suiteSource.parsed) return { diagnostics };
  const suiteDoc = suiteSource.data as SuiteDoc;
  diagnostics.push(...schemaDiagnostics(suiteSource, 'suite'));
  if (diagnostics.length) return { diagnostics };
  diagnostics.push(...checkSuite(suiteSource, suiteDoc, new Map([[files.boardRef, { board }]])));
  if (diagnostics.length) return { diagnostics };
  const suite: LoadedSuite = { id: suiteDoc.suite, file: files.suiteFile, source: suiteSource, doc: suiteDoc, boards: new Map([[files.boardRef, board]]) };
  const run = compileSuite(suite, { kernels: [kernel] })[0];
  return run ? { run, diagnostics } : { diagnostics };
}

/**
 * Output paths: DIR/<suite>.min.yaml and DIR/<board>.min.yaml with --out, else each beside
 * its input. The suite names the board by id when the board sits in boards/ beside the
 * suite's directory (where an id resolves), by relative path otherwise.
 */
export function outputFiles(suiteFile: string, boardFile: string, outDir: string | undefined): ReproducerFiles {
  const base = (f: string) => path.basename(f).replace(/\.ya?ml$/, '');
  const suiteOut = path.join(outDir ?? path.dirname(suiteFile), `${base(suiteFile)}.min.yaml`);
  const boardOut = path.join(outDir ?? path.dirname(boardFile), `${base(boardFile)}.min.yaml`);
  const byId = path.resolve(path.dirname(suiteOut), '..', 'boards', path.basename(boardOut)) === path.resolve(boardOut);
  const rel = path.relative(path.dirname(path.resolve(suiteOut)), path.resolve(boardOut)).split(path.sep).join('/');
  return { suiteFile: suiteOut, boardFile: boardOut, boardRef: byId ? fileId(boardOut) : rel };
}
