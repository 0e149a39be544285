// The DSL front end's public API: YAML files → checked boards and suites → run plans.
// Other commands (run, log, boards) call these; nothing here prints or exits.
//
//   loadSuites(paths = ['suites']): LoadResult
//       Read files and directories (recursing for *.yaml/*.yml), parse, validate against
//       dsl-schema/, run the semantic checks. Suites pull in the boards they name: an id
//       is <id>.yaml (or .yml) in each opts.boardsDirs, then <suite dir>/../boards,
//       <suite dir>/boards, <suite dir>; a path is relative to the suite and confined to
//       those directories. opts = { boardsDirs? } (--boards-dir).
//       LoadResult = { suites, boards, diagnostics (sorted), files }. A file with any
//       error yields no suite/board: run nothing when diagnostics has an error.
//   loadBoards(paths = ['boards']): LoadResult          (the same, for board files)
//   validatePaths(paths = ['boards', 'suites']): LoadResult   (either kind, by content)
//   compileSuites(suites, opts?: CompileOptions): PlanRun[]
//       Pure. opts = { boards?: ids, kernels?: ResolvedProfile[] (replace the matrix), filter?: glob
//       on "<suite>.<scenario>" }. Order: suite, scenario, board, kernel, for-each device.
//   loadPlan(paths, { board?, kernels?, filter?, boardsDirs? }): { plan: Plan, diagnostics }
//       loadSuites + compileSuites; kernels are labels ("v5.1", "v6.14+bcb81ac6ae3c").
//       plan.runs is empty when there are errors. Throws PlanOptionError for an unknown kernel,
//       or a board no loaded suite uses.
//   formatDiagnostics(diags, { json? }): string    gcc-style text with source line and caret,
//       or a JSON array of { file, line, column, severity, message, instancePath, schemaPath }.
//   summarizeDiagnostics(diags): string            "3 errors in 2 files"
//   hasErrors(diags): boolean

import { compileSuite, type CompileOptions } from './compile.js';
import type { Diagnostic } from './diagnostic.js';
import { KernelLabelError, resolveKernelLabel } from './kernels.js';
import { loadPaths, type LoadOptions, type LoadResult } from './load.js';
import type { Plan, PlanRun } from './plan.js';
import type { LoadedSuite } from './suite.js';
import type { ResolvedProfile } from '../model/types.js';
import { didYouMean } from './suggest.js';
import { compileSuitesCached } from './plan-cache.js';
import { MAX_GLOB_LENGTH } from './patterns.js';

export type { CompileOptions } from './compile.js';
export type { Diagnostic, Severity } from './diagnostic.js';
export { formatDiagnostics, formatDiagnostic, summarizeDiagnostics, sortDiagnostics } from './diagnostic.js';
export type { LoadOptions, LoadResult } from './load.js';
export { boardSearchDirs } from './load.js';
export type { LoadedBoard } from './board.js';
export type { LoadedSuite } from './suite.js';
export type { Plan, PlanRun, PlanStep, Assertions, Pattern, PatternAt, Pos, KnownBad, StateAssertion, CountAssertion } from './plan.js';
export { runLabel } from './plan.js';
export { resolveKernelLabel } from './kernels.js';
export { schemaDir } from './schema.js';

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === 'error');
}

export function loadSuites(paths: readonly string[] = ['suites'], opts: LoadOptions = {}): LoadResult {
  return loadPaths(paths, 'suite', opts);
}

export function loadBoards(paths: readonly string[] = ['boards']): LoadResult {
  return loadPaths(paths, 'board');
}

export function validatePaths(paths: readonly string[] = ['boards', 'suites'], opts: LoadOptions = {}): LoadResult {
  return loadPaths(paths, undefined, opts);
}

export function compileSuites(suites: readonly LoadedSuite[], opts: CompileOptions = {}): PlanRun[] {
  return suites.flatMap((s) => compileSuite(s, opts));
}

export class PlanOptionError extends Error {}

export interface PlanOptions {
  /** board id(s): only runs on these boards */
  board?: string | readonly string[];
  /** kernel labels replacing the suites' kernels */
  kernels?: readonly string[];
  /** glob on "<suite>.<scenario>" */
  filter?: string;
  /** directories searched first for board ids (--boards-dir) */
  boardsDirs?: readonly string[];
  /** file contents read instead of the disk, and boards kept across loads (LoadOptions) */
  files?: LoadOptions['files'];
  boardCache?: LoadOptions['boardCache'];
  /** the document cache (LoadOptions) */
  cache?: LoadOptions['cache'];
}

export function loadPlan(paths: readonly string[], opts: PlanOptions = {}): { plan: Plan; diagnostics: Diagnostic[] } {
  const loaded = loadSuites(paths, {
    ...(opts.boardsDirs ? { boardsDirs: opts.boardsDirs } : {}),
    ...(opts.files ? { files: opts.files } : {}),
    ...(opts.boardCache ? { boardCache: opts.boardCache } : {}),
    ...(opts.cache ? { cache: opts.cache } : {}),
  });
  // after loading: a label may name a user profile (kernels/<name>.yaml)
  let kernels: ResolvedProfile[] | undefined;
  if (opts.kernels?.length) {
    try {
      kernels = opts.kernels.map(resolveKernelLabel);
    } catch (e) {
      if (e instanceof KernelLabelError) throw new PlanOptionError(e.message);
      throw e;
    }
  }
  if (hasErrors(loaded.diagnostics)) return { plan: { runs: [] }, diagnostics: loaded.diagnostics };
  const boards = opts.board === undefined ? undefined : typeof opts.board === 'string' ? [opts.board] : [...opts.board];
  if (boards) {
    // a misspelt --board would silently select nothing
    const known = [...new Set(loaded.suites.flatMap((s) => [...s.boards.values()].map((b) => b.id)))];
    for (const b of boards) {
      if (!known.includes(b)) throw new PlanOptionError(`board "${b}" is not used by ${loaded.suites.length === 1 ? 'this suite' : 'these suites'}${didYouMean(b, known) || ` (boards: ${known.join(', ')})`}`);
    }
  }
  if (opts.filter !== undefined && opts.filter.length > MAX_GLOB_LENGTH) throw new PlanOptionError(`--filter is ${opts.filter.length} characters long (the limit is ${MAX_GLOB_LENGTH})`);
  const selection = { ...(boards ? { boards } : {}), ...(opts.filter !== undefined ? { filter: opts.filter } : {}) };
  // --kernel replaces each scenario's matrix: such a plan is compiled afresh
  const runs = opts.cache && !kernels ? compileSuitesCached(loaded.suites, opts.cache, selection) : compileSuites(loaded.suites, { ...selection, ...(kernels ? { kernels } : {}) });
  return { plan: { runs }, diagnostics: loaded.diagnostics };
}
