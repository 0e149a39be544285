// From paths on disk to checked boards and suites: read, parse, classify, validate
// against the schema, then the semantic checks. Every error of every file is kept;
// a file with errors yields no board or suite, so nothing downstream runs on it.

import { existsSync, lstatSync, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import path from 'node:path';
import { checkBoard, fileId, toModelBoard, type LoadedBoard } from './board.js';
import type { DocCache } from './doc-cache.js';
import { setSuiteKey } from './plan-cache.js';
import { dedupeDiagnostics, sortDiagnostics, type Diagnostic } from './diagnostic.js';
import type { BoardDoc, SuiteDoc } from './doc-types.js';
import { schemaDiagnostics, type DocKind } from './schema.js';
import { SourceFile } from './source.js';
import { checkSuite, type BoardRef, type LoadedSuite } from './suite.js';
import { didYouMean } from './suggest.js';
import { checkKernelFile, kernelNames, toUserProfile, type KernelFileDoc } from './kernel-file.js';
import { clearUserProfiles, setBrokenUserProfile, setUserProfile, userProfiles } from '../model/profiles/resolve.js';
import { findProfile } from '../model/profiles/profiles.js';
import { MAX_FILE_BYTES, MAX_FILE_TEXT, MAX_SCENARIOS } from './limits.js';

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

/** Why a path cannot be used, from the error stat() gave. */
function statProblem(p: string, e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ELOOP') return 'symbolic link loop';
  if (code === 'ENOENT') {
    try {
      if (lstatSync(p).isSymbolicLink()) return 'dangling symbolic link (its target does not exist)';
    } catch {
      // not even the link exists
    }
    return 'no such file or directory';
  }
  if (code === 'EACCES') return 'permission denied';
  if (code === 'ENAMETOOLONG') return 'file name too long';
  return `cannot read: ${code ?? String(e)}`;
}

/**
 * A path is a file, or a directory searched recursively for *.yaml / *.yml (sorted).
 * Symbolic links are followed; a directory reached twice (a link back to an ancestor,
 * or two links to one directory) is a loop, reported once and not searched again.
 */
export function expandPaths(paths: readonly string[]): { files: string[]; diagnostics: Diagnostic[] } {
  const files: string[] = [];
  const diagnostics: Diagnostic[] = [];
  /** real path of every directory searched → the path it was first reached by */
  const searched = new Map<string, string>();
  const walk = (dir: string) => {
    let real: string;
    try {
      real = realpathSync(dir);
    } catch (e) {
      diagnostics.push(fileDiagnostic(dir, statProblem(dir, e)));
      return;
    }
    const first = searched.get(real);
    if (first !== undefined) {
      diagnostics.push(fileDiagnostic(dir, `directory loop: "${dir}" is "${first}" again; not searched twice`));
      return;
    }
    searched.set(real, dir);
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      diagnostics.push(fileDiagnostic(dir, statProblem(dir, e)));
      return;
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = path.join(dir, entry.name);
      let isDir = entry.isDirectory();
      if (entry.isSymbolicLink()) {
        try {
          isDir = statSync(p).isDirectory();
        } catch (e) {
          // a broken link only matters where a YAML file was meant to be
          if (YAML_FILE.test(entry.name)) diagnostics.push(fileDiagnostic(p, statProblem(p, e)));
          continue;
        }
      }
      if (isDir) walk(p);
      else if (YAML_FILE.test(entry.name)) files.push(p);
    }
  };
  for (const p of paths) {
    if (p === '') {
      diagnostics.push(fileDiagnostic('""', 'empty path'));
      continue;
    }
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      diagnostics.push(fileDiagnostic(p, statProblem(p, e)));
      continue;
    }
    if (st.isDirectory()) walk(p);
    else files.push(p);
  }
  return { files: [...new Set(files)], diagnostics };
}

/** The offset of the first byte that is not valid UTF-8, or -1. */
export function invalidUtf8At(buf: Uint8Array): number {
  const n = buf.length;
  let i = 0;
  while (i < n) {
    const b = buf[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let len: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) (len = 2), (min = 0x80);
    else if (b >= 0xe0 && b <= 0xef) (len = 3), (min = 0x800);
    else if (b >= 0xf0 && b <= 0xf4) (len = 4), (min = 0x10000);
    else return i;
    if (i + len > n) return i;
    let cp = b & (0xff >> (len + 1));
    for (let j = 1; j < len; j++) {
      const c = buf[i + j]!;
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += len;
  }
  return -1;
}

/**
 * Where a byte offset is: 1-based line, and column in characters (as the editor counts).
 * Lines end at LF, CRLF or a lone CR (YAML's three line breaks); a byte-order mark is
 * not a column.
 */
function bytePosition(buf: Buffer, offset: number): { line: number; column: number; lineText: string } {
  let line = 1;
  let lineStart = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  for (let i = lineStart; i < offset; i++) {
    const b = buf[i];
    if (b === 0x0a || (b === 0x0d && buf[i + 1] !== 0x0a)) {
      line++;
      lineStart = i + 1;
    }
  }
  const before = buf.subarray(lineStart, offset).toString('utf8');
  let end = offset;
  while (end < buf.length && buf[end] !== 0x0a && buf[end] !== 0x0d) end++;
  const lineText = buf.subarray(lineStart, end).toString('utf8');
  return { line, column: [...before].length + 1, lineText };
}

/** board, suite or kernel: by the top-level key, else by the modeline, else by the directory name. */
function classify(source: SourceFile): DocKind | undefined {
  const data = source.data;
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    const keys = (['board', 'suite', 'kernel'] as const).filter((k) => k in data);
    if (keys.length === 1) return keys[0];
  }
  const modeline = source.modelineSchema();
  if (modeline?.includes('board.schema')) return 'board';
  if (modeline?.includes('suite.schema')) return 'suite';
  if (modeline?.includes('kernel.schema')) return 'kernel';
  const dir = path.basename(path.dirname(path.resolve(source.file)));
  if (dir === 'boards') return 'board';
  if (dir === 'suites') return 'suite';
  if (dir === 'kernels') return 'kernel';
  return undefined;
}

/** Where a board id is looked for, first match wins (see Loader.resolveBoardRef). */
export function boardSearchDirs(suiteDir: string, boardsDirs: readonly string[] = []): string[] {
  const dirs = [...boardsDirs, path.join(suiteDir, '..', 'boards'), path.join(suiteDir, 'boards'), suiteDir];
  return dirs.filter((d, i) => dirs.findIndex((e) => path.resolve(e) === path.resolve(d)) === i);
}

/** Whether FILE is DIR or below it, by its path (.. resolved). */
function inside(dir: string, file: string): boolean {
  const rel = path.relative(path.resolve(dir), path.resolve(file));
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

export interface LoadOptions {
  /** directories searched first for a board id (--boards-dir), in order */
  boardsDirs?: readonly string[];
  /**
   * File contents by path, read instead of the disk (the in-process fuzzer feeds its
   * inputs this way; a path given here is a regular file).
   */
  files?: ReadonlyMap<string, string | Buffer>;
  /**
   * Boards that loaded without errors, by absolute path, kept across loads: a board file
   * is read and checked once however many loads name it. Only for files that do not change.
   */
  boardCache?: Map<string, LoadedBoard>;
  /**
   * The document cache (the CLI's, unless --no-cache): files that loaded clean before are
   * restored instead of parsed, and checks that passed on the same inputs are not re-run.
   */
  cache?: DocCache;
}

export class Loader {
  private readonly sources = new Map<string, SourceFile>();
  private readonly boards = new Map<string, LoadedBoard | null>();
  private readonly suites: LoadedSuite[] = [];
  private readonly diagnostics: Diagnostic[] = [];
  /** files in the order diagnostics are sorted by */
  private readonly order: string[] = [];
  private readonly read_: string[] = [];

  private readonly boardsDirs: readonly string[];
  private readonly memory: ReadonlyMap<string, string | Buffer>;
  private readonly boardCache: Map<string, LoadedBoard> | undefined;
  private readonly cache: DocCache | undefined;
  /** the cache key of each file's text, by absolute path */
  private readonly textKeys = new Map<string, string>();
  /** user profile files with errors, as name=file (a suite's check reads them) */
  private readonly brokenProfiles: string[] = [];

  constructor(opts: LoadOptions | readonly string[] = {}) {
    const o: LoadOptions = Array.isArray(opts) ? { boardsDirs: opts as readonly string[] } : (opts as LoadOptions);
    this.boardsDirs = o.boardsDirs ?? [];
    this.memory = new Map([...(o.files ?? [])].map(([f, t]) => [path.resolve(f), t]));
    this.boardCache = o.boardCache;
    this.cache = o.cache;
    // user profiles are those of the files this loader reads, nothing left from another load
    clearUserProfiles();
  }

  private key(file: string): string {
    return path.resolve(file);
  }

  private read(file: string): SourceFile | undefined {
    const k = this.key(file);
    if (this.sources.has(k)) return undefined;
    const text = this.readText(file);
    if (text === undefined) {
      this.order.push(file);
      return undefined;
    }
    let source: SourceFile;
    if (this.cache) {
      const key = this.cache.textKey(text);
      this.textKeys.set(k, key);
      source = this.cache.restore(file, text, key) ?? new SourceFile(file, text);
      this.cache.save(source, key);
    } else source = new SourceFile(file, text);
    this.sources.set(k, source);
    this.order.push(file);
    this.read_.push(file);
    this.diagnostics.push(...source.diagnostics);
    return source;
  }

  /** The file's text, or undefined after reporting why it cannot be used. */
  private readText(file: string): string | undefined {
    const fail = (d: Diagnostic) => {
      this.diagnostics.push(d);
      return undefined;
    };
    let buf: Buffer;
    const given = this.memory.get(path.resolve(file));
    if (given !== undefined) buf = typeof given === 'string' ? Buffer.from(given) : given;
    else try {
      const st = statSync(file);
      // a FIFO or a device would block or never end
      if (!st.isFile()) return fail(fileDiagnostic(file, st.isDirectory() ? 'is a directory' : 'not a regular file'));
      if (st.size > MAX_FILE_BYTES) return fail(fileDiagnostic(file, `file too large: ${st.size} bytes (the limit is ${MAX_FILE_TEXT})`));
      buf = readFileSync(file);
    } catch (e) {
      return fail(fileDiagnostic(file, statProblem(file, e)));
    }
    // it may have grown between stat and read
    if (buf.length > MAX_FILE_BYTES) return fail(fileDiagnostic(file, `file too large: ${buf.length} bytes (the limit is ${MAX_FILE_TEXT})`));
    // Node's validator (simdutf) answers the common case; ours then finds where it broke
    const bad = isUtf8(buf) ? -1 : invalidUtf8At(buf);
    if (bad >= 0) {
      const at = bytePosition(buf, bad);
      return fail({
        ...fileDiagnostic(file, `invalid UTF-8: byte 0x${buf[bad]!.toString(16).padStart(2, '0')} at byte offset ${bad} (boards and suites are UTF-8 text)`),
        line: at.line,
        column: at.column,
        sourceLine: at.lineText,
        length: 1,
      });
    }
    // a byte-order mark is not part of the YAML; a lone CR is a line break (YAML 1.2
    // b-break) the parser would not count, and LF in its place keeps every offset
    return buf.toString('utf8').replace(/^\uFEFF/, '').replace(/\r(?!\n)/g, '\n');
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
  private semantic(source: SourceFile, schemaErrs: Diagnostic[], check: (lenient: boolean) => Diagnostic[]): Diagnostic[] {
    // a rejected value hides findings inside it; a complaint about a map's keys does not
    const bad = schemaErrs.filter((d) => !/\/(required|minProperties|maxProperties)$/.test(d.schemaPath)).map((d) => d.instancePath);
    // the parser's own errors (a duplicate key) may be the only report of a wrong shape: the
    // schema's complaint inside the shadowed key is not shown, yet the data is not valid
    // (found by the fuzzer: a misspelt key under a duplicated "scenarios:" was a stack trace)
    const lenient = schemaErrs.length > 0 || source.diagnostics.some((d) => d.severity === 'error');
    const errs = check(lenient).filter((d) => !bad.some((p) => d.instancePath === p || d.instancePath.startsWith(p + '/')));
    this.diagnostics.push(...errs);
    return errs;
  }

  /** The key of a clean check of this file, when it is cached. */
  private checkKey(kind: string, source: SourceFile, ...inputs: string[]): string | undefined {
    const text = this.textKeys.get(this.key(source.file));
    return this.cache && text ? this.cache.checkKey(kind, text, fileId(source.file), ...inputs) : undefined;
  }

  private loadBoardSource(source: SourceFile): LoadedBoard | null {
    const k = this.key(source.file);
    const clean = this.checkKey('board', source);
    if (clean && this.cache!.isClean(clean)) {
      const doc = source.data as BoardDoc;
      const loaded = { id: doc.board, file: source.file, source, doc, board: toModelBoard(doc) };
      this.boards.set(k, loaded);
      return loaded;
    }
    const schemaErrs = this.validate(source, 'board');
    if (!schemaErrs) {
      this.boards.set(k, null);
      return null;
    }
    const doc = source.data as BoardDoc;
    const errs = this.semantic(source, schemaErrs, (lenient) => checkBoard(source, doc, lenient));
    const ok = !errs.length && !schemaErrs.length && !source.diagnostics.length;
    const loaded = ok ? { id: doc.board, file: source.file, source, doc, board: toModelBoard(doc) } : null;
    this.boards.set(k, loaded);
    if (loaded && clean) this.cache!.markClean(clean);
    return loaded;
  }

  /** A board file by path, loaded once however many suites name it. */
  board(file: string): LoadedBoard | null {
    const k = this.key(file);
    if (this.boards.has(k)) return this.boards.get(k)!;
    const cached = this.memory.has(k) ? undefined : this.boardCache?.get(k);
    if (cached) {
      this.boards.set(k, cached);
      this.order.push(file);
      return cached;
    }
    const source = this.read(file);
    if (!source) return this.boards.get(k) ?? null;
    const board = this.loadBoardSource(source);
    if (board && !this.memory.has(k)) this.boardCache?.set(k, board);
    return board;
  }

  /**
   * A `boards:` entry. An id (no "/", no .yaml) is looked up, first match wins, as
   * <id>.yaml then <id>.yml in: each --boards-dir in the order given; boards/ beside the
   * suite's directory (the repository layout, suites/ next to boards/); boards/ inside
   * the suite's directory; the suite's directory itself. A path is relative to the suite
   * and must end in .yaml or .yml and stay inside the suite's directory, the boards/
   * beside it or a --boards-dir: a suite cannot make bringup read, or quote, any other file.
   */
  private resolveBoardRef(suiteFile: string, ref: string): BoardRef {
    const suiteDir = path.dirname(suiteFile);
    const isPath = ref.includes('/') || ref.includes('\\') || YAML_FILE.test(ref);
    const dirs = boardSearchDirs(suiteDir, this.boardsDirs);
    if (isPath) {
      const file = path.join(suiteDir, ref);
      if (!YAML_FILE.test(ref)) return { missing: `board file "${ref}" is not a .yaml or .yml file (a board is a YAML file; not read)` };
      const roots = [suiteDir, path.join(suiteDir, '..', 'boards'), ...this.boardsDirs];
      if (!roots.some((r) => inside(r, file))) {
        return { missing: `board file "${ref}" is outside the suite's directory, the boards/ beside it and every --boards-dir (${file}; not read)` };
      }
      if (!this.memory.has(path.resolve(file)) && !existsSync(file)) return { missing: `board file "${ref}" not found (${file})` };
      const board = this.board(file);
      return board ? { board } : { invalid: true };
    }
    const self = path.resolve(suiteFile);
    for (const dir of dirs) {
      for (const ext of ['.yaml', '.yml']) {
        const file = path.join(dir, ref + ext);
        if (path.resolve(file) === self || (!this.memory.has(path.resolve(file)) && !this.boardCache?.has(path.resolve(file)) && !isFile(file))) continue;
        const board = this.board(file);
        return board ? { board } : { invalid: true };
      }
    }
    const ids = new Set<string>();
    for (const dir of dirs) {
      try {
        for (const f of readdirSync(dir)) if (YAML_FILE.test(f) && path.join(dir, f) !== suiteFile) ids.add(f.replace(YAML_FILE, ''));
      } catch {
        // a directory that does not exist has no ids to suggest
      }
    }
    const tried = dirs.map((d) => path.join(d, '/'));
    const list = tried.length > 1 ? `${tried.slice(0, -1).join(', ')} or ${tried[tried.length - 1]}` : tried[0];
    return { missing: `unknown board "${ref}": no ${ref}.yaml in ${list}${didYouMean(ref, ids)}` };
  }

  private loadKernelSource(source: SourceFile): void {
    const clean = this.checkKey('kernel', source);
    if (clean && this.cache!.isClean(clean)) {
      setUserProfile(toUserProfile(source.data as KernelFileDoc));
      return;
    }
    const schemaErrs = this.validate(source, 'kernel');
    if (!schemaErrs) return;
    const doc = source.data as KernelFileDoc;
    const errs = this.semantic(source, schemaErrs, () => checkKernelFile(source, doc));
    if (errs.length || schemaErrs.length || source.diagnostics.length) {
      if (typeof doc.kernel === 'string') {
        setBrokenUserProfile(doc.kernel, source.file);
        this.brokenProfiles.push(`${doc.kernel}=${source.file}`);
      }
      return;
    }
    setUserProfile(toUserProfile(doc));
    if (clean) this.cache!.markClean(clean);
  }

  /** The user profiles a suite names: kernels/<name>.yaml beside suites/, or <name>.yaml beside the suite. */
  private loadSuiteKernels(suiteFile: string, doc: unknown): void {
    const dir = path.dirname(suiteFile);
    const known = new Set(userProfiles().map((p) => p.name));
    for (const name of kernelNames(doc)) {
      if (findProfile(name) || known.has(name) || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) continue;
      for (const f of [path.join(dir, '..', 'kernels', `${name}.yaml`), path.join(dir, 'kernels', `${name}.yaml`), path.join(dir, `${name}.yaml`)]) {
        if (this.key(f) === this.key(suiteFile) || !existsSync(f)) continue;
        this.file(f, 'kernel');
        break;
      }
    }
  }

  /** A suite's boards: every `boards:` entry of the suite and its scenarios, resolved. */
  private suiteRefs(source: SourceFile, doc: SuiteDoc): Map<string, BoardRef> {
    const refs = new Map<string, BoardRef>();
    const lists = [doc.boards, ...(Array.isArray(doc.scenarios) ? doc.scenarios.map((s) => s?.boards) : [])];
    for (const list of lists) {
      if (!Array.isArray(list)) continue;
      for (const ref of list) if (typeof ref === 'string' && !refs.has(ref)) refs.set(ref, this.resolveBoardRef(source.file, ref));
    }
    return refs;
  }

  /** What a suite's check read besides its own text: the boards it resolved and the user profiles. */
  private suiteInputs(refs: Map<string, BoardRef>): string[] | undefined {
    const out: string[] = [];
    for (const [ref, r] of refs) {
      if (!r.board) return undefined;
      const text = this.textKeys.get(this.key(r.board.file));
      if (!text) return undefined;
      out.push(`${ref}\0${path.resolve(r.board.file)}\0${r.board.id}\0${text}`);
    }
    out.push(JSON.stringify(userProfiles()), ...this.brokenProfiles);
    return out;
  }

  private loadSuiteSource(source: SourceFile): void {
    this.loadSuiteKernels(source.file, source.data);
    // a text that checked clean before: resolve its boards first and see whether this
    // check, on these boards and profiles, already passed
    const seen = this.checkKey('suite-text', source);
    if (seen && this.cache!.isClean(seen)) {
      const doc = source.data as SuiteDoc;
      const refs = this.suiteRefs(source, doc);
      const inputs = this.suiteInputs(refs);
      const clean = inputs && this.checkKey('suite', source, ...inputs);
      if (clean && this.cache!.isClean(clean)) {
        const suite: LoadedSuite = { id: doc.suite, file: source.file, source, doc, boards: new Map([...refs].map(([ref, r]) => [ref, r.board!])) };
        setSuiteKey(suite, clean);
        this.suites.push(suite);
        return;
      }
    }
    const schemaErrs = this.validate(source, 'suite');
    if (!schemaErrs) return;
    const doc = source.data as SuiteDoc;
    if (Array.isArray(doc.scenarios) && doc.scenarios.length > MAX_SCENARIOS) {
      // the checks and the compiler scale with the scenarios: stop before them
      this.diagnostics.push(source.error(['scenarios', MAX_SCENARIOS], `too many scenarios: ${doc.scenarios.length} in one suite (the limit is ${MAX_SCENARIOS}); split the suite into several files`));
      return;
    }
    const refs = this.suiteRefs(source, doc);
    const errs = this.semantic(source, schemaErrs, (lenient) => checkSuite(source, doc, refs, lenient));
    const bad = [...refs.values()].some((r) => !r.board);
    if (errs.length || schemaErrs.length || source.diagnostics.length || bad) return;
    const boards = new Map([...refs].map(([ref, r]) => [ref, r.board!]));
    const suite: LoadedSuite = { id: doc.suite, file: source.file, source, doc, boards };
    this.suites.push(suite);
    const inputs = this.cache && this.suiteInputs(refs);
    const clean = inputs && this.checkKey('suite', source, ...inputs);
    if (clean) {
      this.cache!.markClean(clean);
      this.cache!.markClean(seen!);
      setSuiteKey(suite, clean);
    }
  }

  /** Load one file of either kind. */
  file(file: string, expect?: DocKind): void {
    const source = this.read(file);
    if (!source?.parsed) return;
    const kind = classify(source) ?? expect;
    if (!kind) {
      this.diagnostics.push(fileDiagnostic(file, 'not a board, a suite or a kernel: expected a top-level "board:", "suite:" or "kernel:" key'));
      return;
    }
    if (kind === 'kernel' || expect === 'kernel') {
      // a profile file may sit among suites: it is what they run on
      if (expect === 'board') this.diagnostics.push(fileDiagnostic(file, 'expected a board file, found a kernel'));
      else if (kind !== 'kernel') this.diagnostics.push(fileDiagnostic(file, `expected a kernel file, found a ${kind}`));
      else this.loadKernelSource(source);
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

/** The kernels/ directories user profiles are looked up in: beside (and inside) each path's directory, and in the current one. */
function kernelDirs(paths: readonly string[]): string[] {
  const dirs: string[] = ['kernels'];
  for (const p of paths) {
    let dir: string;
    try {
      dir = statSync(p).isDirectory() ? p : path.dirname(p);
    } catch {
      continue;
    }
    dirs.push(path.join(dir, '..', 'kernels'), path.join(dir, 'kernels'));
  }
  const seen = new Set<string>();
  return dirs.filter((d) => {
    const r = path.resolve(d);
    if (seen.has(r) || !existsSync(d)) return false;
    seen.add(r);
    try {
      return statSync(d).isDirectory();
    } catch {
      return false;
    }
  });
}

/** Load boards and suites from files and directories. */
export function loadPaths(paths: readonly string[], expect?: DocKind, opts: LoadOptions = {}): LoadResult {
  const loader = new Loader(opts);
  // user profiles first, so every suite (and --kernel) can name them
  for (const dir of kernelDirs(paths)) {
    for (const f of readdirSync(dir).filter((n) => YAML_FILE.test(n)).sort()) loader.file(path.join(dir, f), 'kernel');
  }
  const inMemory = new Set([...(opts.files?.keys() ?? [])].map((f) => path.resolve(f)));
  const onDisk = expandPaths(paths.filter((p) => !inMemory.has(path.resolve(p))));
  const files = paths.filter((p) => inMemory.has(path.resolve(p))).concat(onDisk.files);
  const diagnostics = onDisk.diagnostics;
  loader.addDiagnostics(diagnostics);
  for (const f of files) loader.file(f, expect);
  return loader.result();
}
