// From paths on disk to checked boards and suites: read, parse, classify, validate
// against the schema, then the semantic checks. Every error of every file is kept;
// a file with errors yields no board or suite, so nothing downstream runs on it.

import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { checkBoard, toModelBoard, type LoadedBoard } from './board.js';
import { dedupeDiagnostics, sortDiagnostics, type Diagnostic } from './diagnostic.js';
import type { BoardDoc, SuiteDoc } from './doc-types.js';
import { schemaDiagnostics, type DocKind } from './schema.js';
import { SourceFile } from './source.js';
import { checkSuite, type BoardRef, type LoadedSuite } from './suite.js';
import { didYouMean } from './suggest.js';

export interface LoadResult {
  boards: LoadedBoard[];
  suites: LoadedSuite[];
  /** sorted: file order, then position */
  diagnostics: Diagnostic[];
  /** every file read, in order (including boards a suite pulled in) */
  files: string[];
}

const YAML_FILE = /\.ya?ml$/;

function fileDiagnostic(file: string, message: string): Diagnostic {
  return { file, line: 1, column: 1, severity: 'error', message, instancePath: '', schemaPath: '' };
}

/** A path is a file, or a directory searched recursively for *.yaml / *.yml (sorted). */
export function expandPaths(paths: readonly string[]): { files: string[]; diagnostics: Diagnostic[] } {
  const files: string[] = [];
  const diagnostics: Diagnostic[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (YAML_FILE.test(entry.name)) files.push(p);
    }
  };
  for (const p of paths) {
    if (!existsSync(p)) diagnostics.push(fileDiagnostic(p, 'no such file or directory'));
    else if (statSync(p).isDirectory()) walk(p);
    else files.push(p);
  }
  return { files: [...new Set(files)], diagnostics };
}

/** board or suite: by the top-level key, else by the modeline, else by the directory name. */
function classify(source: SourceFile): DocKind | undefined {
  const data = source.data;
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    if ('board' in data && !('suite' in data)) return 'board';
    if ('suite' in data && !('board' in data)) return 'suite';
  }
  const modeline = source.modelineSchema();
  if (modeline?.includes('board.schema')) return 'board';
  if (modeline?.includes('suite.schema')) return 'suite';
  const dir = path.basename(path.dirname(path.resolve(source.file)));
  if (dir === 'boards') return 'board';
  if (dir === 'suites') return 'suite';
  return undefined;
}

export class Loader {
  private readonly sources = new Map<string, SourceFile>();
  private readonly boards = new Map<string, LoadedBoard | null>();
  private readonly suites: LoadedSuite[] = [];
  private readonly diagnostics: Diagnostic[] = [];
  /** files in the order diagnostics are sorted by */
  private readonly order: string[] = [];
  private readonly read_: string[] = [];

  private key(file: string): string {
    return path.resolve(file);
  }

  private read(file: string): SourceFile | undefined {
    const k = this.key(file);
    if (this.sources.has(k)) return undefined;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      this.order.push(file);
      this.diagnostics.push(fileDiagnostic(file, `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`));
      return undefined;
    }
    const source = new SourceFile(file, text);
    this.sources.set(k, source);
    this.order.push(file);
    this.read_.push(file);
    this.diagnostics.push(...source.diagnostics);
    return source;
  }

  /**
   * Schema errors, or undefined when there is nothing to check (syntax errors, empty file).
   * The semantic checks run even after schema errors, so one pass reports every mistake.
   */
  private validate(source: SourceFile, kind: DocKind): Diagnostic[] | undefined {
    if (!source.parsed) return undefined;
    if (source.data === null || source.data === undefined) {
      this.diagnostics.push(fileDiagnostic(source.file, `empty ${kind} file`));
      return undefined;
    }
    const errs = schemaDiagnostics(source, kind);
    this.diagnostics.push(...errs);
    return errs;
  }

  /** Semantic findings, minus those about a value the schema already rejected. */
  private semantic(schemaErrs: Diagnostic[], check: (lenient: boolean) => Diagnostic[]): Diagnostic[] {
    // a rejected value hides findings inside it; a complaint about a map's keys does not
    const bad = schemaErrs.filter((d) => !/\/(required|minProperties|maxProperties)$/.test(d.schemaPath)).map((d) => d.instancePath);
    const errs = check(schemaErrs.length > 0).filter((d) => !bad.some((p) => d.instancePath === p || d.instancePath.startsWith(p + '/')));
    this.diagnostics.push(...errs);
    return errs;
  }

  private loadBoardSource(source: SourceFile): LoadedBoard | null {
    const k = this.key(source.file);
    const schemaErrs = this.validate(source, 'board');
    if (!schemaErrs) {
      this.boards.set(k, null);
      return null;
    }
    const doc = source.data as BoardDoc;
    const errs = this.semantic(schemaErrs, (lenient) => checkBoard(source, doc, lenient));
    const ok = !errs.length && !schemaErrs.length && !source.diagnostics.length;
    const loaded = ok ? { id: doc.board, file: source.file, source, doc, board: toModelBoard(doc) } : null;
    this.boards.set(k, loaded);
    return loaded;
  }

  /** A board file by path, loaded once however many suites name it. */
  board(file: string): LoadedBoard | null {
    const k = this.key(file);
    if (this.boards.has(k)) return this.boards.get(k)!;
    const source = this.read(file);
    if (!source) return this.boards.get(k) ?? null;
    return this.loadBoardSource(source);
  }

  private resolveBoardRef(suiteFile: string, ref: string): BoardRef {
    const suiteDir = path.dirname(suiteFile);
    // an id (no slash, no .yaml) lives in the boards/ directory beside the suites/ directory
    const isPath = ref.includes('/') || YAML_FILE.test(ref);
    const boardsDir = path.join(suiteDir, '..', 'boards');
    const file = isPath ? path.join(suiteDir, ref) : path.join(boardsDir, `${ref}.yaml`);
    const alt = isPath ? undefined : path.join(boardsDir, `${ref}.yml`);
    const found = existsSync(file) ? file : alt && existsSync(alt) ? alt : undefined;
    if (!found) {
      if (isPath) return { missing: `board file "${ref}" not found (${file})` };
      const ids = existsSync(boardsDir) ? readdirSync(boardsDir).filter((f) => YAML_FILE.test(f)).map((f) => f.replace(YAML_FILE, '')) : [];
      return { missing: `unknown board "${ref}": no ${file}${didYouMean(ref, ids)}` };
    }
    const board = this.board(found);
    return board ? { board } : { invalid: true };
  }

  private loadSuiteSource(source: SourceFile): void {
    const schemaErrs = this.validate(source, 'suite');
    if (!schemaErrs) return;
    const doc = source.data as SuiteDoc;
    const refs = new Map<string, BoardRef>();
    const lists = [doc.boards, ...(Array.isArray(doc.scenarios) ? doc.scenarios.map((s) => s?.boards) : [])];
    for (const list of lists) {
      if (!Array.isArray(list)) continue;
      for (const ref of list) if (typeof ref === 'string' && !refs.has(ref)) refs.set(ref, this.resolveBoardRef(source.file, ref));
    }
    const errs = this.semantic(schemaErrs, (lenient) => checkSuite(source, doc, refs, lenient));
    const bad = [...refs.values()].some((r) => !r.board);
    if (errs.length || schemaErrs.length || source.diagnostics.length || bad) return;
    const boards = new Map([...refs].map(([ref, r]) => [ref, r.board!]));
    this.suites.push({ id: doc.suite, file: source.file, source, doc, boards });
  }

  /** Load one file of either kind. */
  file(file: string, expect?: DocKind): void {
    const source = this.read(file);
    if (!source?.parsed) return;
    const kind = classify(source) ?? expect;
    if (!kind) {
      this.diagnostics.push(fileDiagnostic(file, 'not a board or a suite: expected a top-level "board:" or "suite:" key'));
      return;
    }
    if (expect && kind !== expect) {
      this.diagnostics.push(fileDiagnostic(file, `expected a ${expect} file, found a ${kind}`));
      return;
    }
    if (kind === 'board') this.loadBoardSource(source);
    else this.loadSuiteSource(source);
  }

  result(): LoadResult {
    return {
      boards: [...this.boards.values()].filter((b): b is LoadedBoard => b !== null),
      suites: [...this.suites],
      diagnostics: sortDiagnostics(dedupeDiagnostics(this.diagnostics), this.order),
      files: [...this.read_],
    };
  }

  addDiagnostics(diags: Diagnostic[]): void {
    this.diagnostics.push(...diags);
    for (const d of diags) if (!this.order.includes(d.file)) this.order.push(d.file);
  }
}

/** Load boards and suites from files and directories. */
export function loadPaths(paths: readonly string[], expect?: DocKind): LoadResult {
  const loader = new Loader();
  const { files, diagnostics } = expandPaths(paths);
  loader.addDiagnostics(diagnostics);
  for (const f of files) loader.file(f, expect);
  return loader.result();
}
