// Suites: the checks a schema cannot express. References are resolved against every
// board a scenario runs on, after ${device} substitution, so a step naming a device
// one board lacks is reported at that step.

import { NEWEST_PROFILE } from '../model/profiles/profiles.js';
import type { Diagnostic } from './diagnostic.js';
import { fileId, type LoadedBoard } from './board.js';
import { stepEntry, type AssertionsDoc, type BootDoc, type KernelDoc, type ScenarioDoc, type SuiteDoc } from './doc-types.js';
import { behaviourDiagnostic, kernelDiagnostics, kernelLabel } from './kernels.js';
import { compileGlob, MAX_GLOB_LENGTH, regexProblem, substituteDeep, variablesIn } from './patterns.js';
import { guarded, toPointer, type DataPath, type SourceFile } from './source.js';
import { didYouMean } from './suggest.js';
import { MAX_RUNS_PER_SUITE } from './limits.js';
import { DdebugQueryError, parseDdebugQueries } from '../model/kernel/ddebug-query.js';

/** What a `boards:` entry resolved to: the board, or why not. */
export interface BoardRef {
  board?: LoadedBoard;
  /** the board file has errors of its own (reported there) */
  invalid?: boolean;
  /** the reference names no board file */
  missing?: string;
}

export interface LoadedSuite {
  id: string;
  file: string;
  source: SourceFile;
  doc: SuiteDoc;
  /** every `boards:` entry of the suite and its scenarios, as written */
  boards: Map<string, LoadedBoard>;
}

export interface ScenarioMatrix {
  boards: { ref: string; at: DataPath }[];
  kernels: { kernel: KernelDoc; at: DataPath }[];
}

export function scenarioMatrix(suite: SuiteDoc, index: number): ScenarioMatrix {
  const sc = suite.scenarios[index]!;
  const boards = sc.boards
    ? sc.boards.map((ref, j) => ({ ref, at: ['scenarios', index, 'boards', j] as DataPath }))
    : (suite.boards ?? []).map((ref, j) => ({ ref, at: ['boards', j] as DataPath }));
  const kernels = sc.kernels
    ? sc.kernels.map((kernel, j) => ({ kernel, at: ['scenarios', index, 'kernels', j] as DataPath }))
    : suite.kernels
      ? suite.kernels.map((kernel, j) => ({ kernel, at: ['kernels', j] as DataPath }))
      : [{ kernel: NEWEST_PROFILE as KernelDoc, at: ['suite'] as DataPath }];
  return { boards, kernels };
}

/** Devices of a board a for-each glob selects, in board order. */
export function forEachDevices(board: LoadedBoard, glob: string): string[] {
  const re = compileGlob(glob);
  return board.board.devices.map((d) => d.name).filter((n) => re.test(n));
}

/** Visit every string of a value that names a variable (`${...}`), with its data path. */
function eachVariableString(value: unknown, at: (string | number)[], fn: (s: string, at: DataPath) => void): void {
  // one path, grown and shrunk on the way: only a string that names a variable gets its own copy
  if (typeof value === 'string') {
    if (value.includes('${')) fn(value, at.slice());
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      at.push(i);
      eachVariableString(value[i], at, fn);
      at.pop();
    }
  } else if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    for (let i = 0; i < keys.length; i++) {
      at.push(keys[i]!);
      eachVariableString(obj[keys[i]!], at, fn);
      at.pop();
    }
  }
}

/** Visit every pattern of an assertion block with its data path. */
function eachPattern(a: AssertionsDoc | undefined, at: DataPath, fn: (p: unknown, at: DataPath) => void): void {
  if (!a) return;
  for (const key of ['log', 'log-unordered', 'no-log'] as const) (a[key] ?? []).forEach((p, i) => fn(p, [...at, key, i]));
  (a.count ?? []).forEach((c, i) => fn(c.pattern, [...at, 'count', i, 'pattern']));
}

class BoardNames {
  readonly devices: string[];
  readonly iommus: string[];
  readonly drivers: string[];
  readonly iommuDrivers: string[];
  readonly allDrivers: string[];
  readonly clientDevices: string[];
  readonly driverOf: Map<string, string | undefined>;
  constructor(readonly b: LoadedBoard) {
    this.iommus = b.board.iommus.map((i) => i.name);
    this.devices = [...b.board.devices.map((d) => d.name), ...this.iommus];
    this.drivers = b.board.drivers.map((d) => d.name);
    this.iommuDrivers = [...new Set(b.board.iommus.map((i) => i.driver))];
    this.allDrivers = [...this.drivers, ...this.iommuDrivers];
    this.clientDevices = b.board.devices.map((d) => d.name);
    this.driverOf = new Map(b.board.devices.map((d) => [d.name, d.driver]));
  }
}

// one per loaded board, not per scenario and board: the name sets below hang off its lists
const boardNames = new WeakMap<LoadedBoard, BoardNames>();
function namesOf(b: LoadedBoard): BoardNames {
  let n = boardNames.get(b);
  if (!n) boardNames.set(b, (n = new BoardNames(b)));
  return n;
}

// for-each over a board of 10,000 devices checks 10,000 references against 10,000 names
const sets = new WeakMap<readonly string[], Set<string>>();
function memberOf(list: readonly string[]): Set<string> {
  let s = sets.get(list);
  if (!s) sets.set(list, (s = new Set(list)));
  return s;
}

function refCheck(
  source: SourceFile,
  out: Diagnostic[],
  board: LoadedBoard,
  what: string,
  name: string,
  known: string[],
  at: DataPath,
): void {
  // an undefined ${variable} is reported once, as such, not as a name on every board
  if (name.includes('${')) return;
  if (!memberOf(known).has(name)) out.push(source.error(at, `unknown ${what} "${name}" on board ${board.id}${didYouMean(name, known)}`));
}

function checkAssertionRefs(source: SourceFile, out: Diagnostic[], n: BoardNames, a: AssertionsDoc | undefined, at: DataPath): void {
  (a?.state ?? []).forEach((s, i) => {
    const p = [...at, 'state', i];
    if ('device' in s) {
      refCheck(source, out, n.b, 'device', s.device, n.devices, [...p, 'device']);
      if (s.driver !== undefined) refCheck(source, out, n.b, 'driver', s.driver, n.allDrivers, [...p, 'driver']);
    } else if ('iommu' in s) {
      refCheck(source, out, n.b, 'IOMMU', s.iommu, n.iommus, [...p, 'iommu']);
    }
  });
}

/** Step and assertion references of one scenario on one board, values already substituted. */
function checkScenarioOnBoard(source: SourceFile, out: Diagnostic[], sc: ScenarioDoc, index: number, n: BoardNames, g: (fn: () => void) => void): void {
  const base: DataPath = ['scenarios', index];
  (Array.isArray(sc.steps) ? sc.steps : []).forEach((step, k) => g(() => {
    const at: DataPath = [...base, 'steps', k];
    const [op, v] = stepEntry(step);
    const ref = (what: string, name: string, known: string[], p: DataPath) => refCheck(source, out, n.b, what, name, known, p);
    switch (op) {
      case 'boot': {
        const b = v as BootDoc | undefined;
        const drivers = n.allDrivers;
        (b?.hold ?? []).forEach((d, j) => ref('driver', d, drivers, [...at, 'boot', 'hold', j]));
        (b?.order ?? []).forEach((d, j) => ref('driver', d, drivers, [...at, 'boot', 'order', j]));
        (b?.late ?? []).forEach((d, j) => ref('IOMMU driver', d, n.iommuDrivers, [...at, 'boot', 'late', j]));
        for (const key of ['async-order', 'deferred-order', 'retry-after'] as const) {
          (b?.[key] ?? []).forEach((d, j) => ref('device', d, n.devices, [...at, 'boot', key, j]));
        }
        break;
      }
      case 'bind':
        if (typeof v === 'string') ref('device', v, n.devices, [...at, op]);
        else {
          const b = v as { device: string; driver?: string };
          ref('device', b.device, n.devices, [...at, op, 'device']);
          if (b.driver !== undefined) ref('driver', b.driver, n.allDrivers, [...at, op, 'driver']);
        }
        break;
      case 'unbind':
      case 'remove-device':
        ref('device', v as string, n.devices, [...at, op]);
        break;
      case 'add-device':
        ref('device', v as string, n.clientDevices, [...at, op]);
        break;
      case 'fail-probe': {
        const f = v as { device: string; at?: number };
        ref('device', f.device, n.devices, [...at, op, 'device']);
        const drvName = n.driverOf.get(f.device);
        const drv = n.b.board.drivers.find((d) => d.name === drvName);
        if (drv && f.at !== undefined && f.at > drv.probe.length) {
          out.push(source.error([...at, op, 'at'], `at ${f.at} is past the end of ${drv.name}'s probe (${drv.probe.length} action${drv.probe.length === 1 ? '' : 's'}) on board ${n.b.id}`));
        }
        break;
      }
      case 'register-iommu-late':
        ref('IOMMU', v as string, n.iommus, [...at, op]);
        break;
      case 'load-module':
      case 'unload-module':
        ref('driver', v as string, n.allDrivers, [...at, op]);
        break;
      case 'expect':
        checkAssertionRefs(source, out, n, v as AssertionsDoc, [...at, op]);
        break;
    }
  }));
  g(() => checkAssertionRefs(source, out, n, sc.expect, [...base, 'expect']));
}

/** The same board file or kernel twice in one list would run the same cell twice. */
function checkRepeats(source: SourceFile, out: Diagnostic[], boards: string[] | undefined, kernels: KernelDoc[] | undefined, base: DataPath): void {
  const seen = new Map<string, number>();
  (boards ?? []).forEach((ref, j) => {
    if (seen.has(`b:${ref}`)) out.push(source.error([...base, 'boards', j], `board "${ref}" is listed twice`));
    seen.set(`b:${ref}`, j);
  });
  (kernels ?? []).forEach((k, j) => {
    const label = kernelLabel(k);
    if (label === undefined) return;
    if (seen.has(`k:${label}`)) out.push(source.error([...base, 'kernels', j], `kernel "${label}" is listed twice`));
    seen.set(`k:${label}`, j);
  });
}

export function checkSuite(source: SourceFile, doc: SuiteDoc, refs: Map<string, BoardRef>, lenient = false): Diagnostic[] {
  const out: Diagnostic[] = [];
  const want = fileId(source.file);
  const g = (fn: () => void) => guarded(lenient, fn);
  if (typeof doc.suite === 'string' && doc.suite !== want) out.push(source.error(['suite'], `suite id "${doc.suite}" does not match the file name (expected "${want}")`));

  const reportRef = (ref: string, at: DataPath): LoadedBoard | undefined => {
    const r = refs.get(ref);
    if (r?.missing) out.push(source.error(at, r.missing));
    return r?.board;
  };
  g(() => (doc.boards ?? []).forEach((ref, j) => reportRef(ref, ['boards', j])));
  g(() => (doc.kernels ?? []).forEach((k, j) => g(() => out.push(...kernelDiagnostics(source, k, ['kernels', j])))));
  g(() => checkRepeats(source, out, doc.boards, doc.kernels, []));
  if (!Array.isArray(doc.scenarios)) return out;

  const names = new Map<string, number>();
  const runs = { n: 0 };
  doc.scenarios.forEach((sc, i) => g(() => checkScenario(source, out, doc, i, sc, names, reportRef, refs, g, runs)));
  return out;
}

/** each `dyndbg` query as the kernel's parser takes it: an error points into the string */
function dyndbgAt(source: SourceFile, out: Diagnostic[], queries: unknown, at: DataPath): void {
  if (!Array.isArray(queries)) return;
  queries.forEach((q, j) => {
    if (typeof q !== 'string') return;
    try {
      parseDdebugQueries(q);
    } catch (e) {
      if (!(e instanceof DdebugQueryError)) throw e;
      out.push(source.diagnostic(source.spanIn([...at, j], e.offset, 1), `dyndbg: ${e.message}`, toPointer([...at, j])));
    }
  });
}

function checkScenario(
  source: SourceFile,
  out: Diagnostic[],
  doc: SuiteDoc,
  i: number,
  sc: ScenarioDoc,
  names: Map<string, number>,
  reportRef: (ref: string, at: DataPath) => LoadedBoard | undefined,
  refs: Map<string, BoardRef>,
  g: (fn: () => void) => void,
  runs: { n: number },
): void {
  const base: DataPath = ['scenarios', i];
  const steps = Array.isArray(sc.steps) ? sc.steps : [];
  g(() => {
    if (typeof sc.name !== 'string') return;
    const first = names.get(sc.name);
    if (first !== undefined) out.push(source.error([...base, 'name'], `duplicate scenario name "${sc.name}" (first defined at line ${first})`));
    else names.set(sc.name, source.span([...base, 'name']).line);
  });

  const matrix = scenarioMatrix(doc, i);
  g(() => sc.boards?.forEach((ref, j) => reportRef(ref, [...base, 'boards', j])));
  g(() => sc.kernels?.forEach((k, j) => g(() => out.push(...kernelDiagnostics(source, k, [...base, 'kernels', j])))));
  g(() => checkRepeats(source, out, sc.boards, sc.kernels, base));
  if (matrix.boards.length === 0) out.push(source.error([...base, 'name'], `scenario "${sc.name}" runs on no board: add boards: to the suite or the scenario`));

  // ${...}: only ${device}, and only under for-each
  eachVariableString(sc, [...base], (s, at) => {
    if (at[2] === 'name') return;
    for (const v of variablesIn(s)) {
      if (v !== 'device') out.push(source.error(at, `unknown variable "\${${v}}" (only \${device} is defined, under for-each)`));
      else if (!sc['for-each']) out.push(source.error(at, `\${device} is only defined under for-each`));
    }
  });

  const regexAt = (p: unknown, at: DataPath) => {
    if (p && typeof p === 'object' && typeof (p as { regex?: unknown }).regex === 'string') {
      const src = (p as { regex: string }).regex;
      const err = regexProblem(src);
      if (!err) return;
      const shown = src.length > 80 ? `${src.slice(0, 77)}...` : src;
      const where = err.offset === undefined ? source.span([...at, 'regex']) : source.spanIn([...at, 'regex'], err.offset, err.length ?? 1);
      out.push(source.diagnostic(where, `invalid regex ${err.js ? err.message : `/${shown}/: ${err.message}`}`, toPointer([...at, 'regex'])));
    }
  };
  const countsAt = (a: AssertionsDoc | undefined, at: DataPath) =>
    (a?.count ?? []).forEach((c, j) => {
      if (c.times === undefined && c['at-least'] === undefined && c['at-most'] === undefined) {
        out.push(source.error([...at, 'count', j], 'count needs times, at-least or at-most'));
      }
      if (c.times !== undefined && (c['at-least'] !== undefined || c['at-most'] !== undefined)) {
        out.push(source.error([...at, 'count', j, 'times'], 'count takes times, or at-least/at-most, not both', 'key'));
      }
    });
  steps.forEach((step, k) =>
    g(() => {
      const [op, v] = stepEntry(step);
      const at: DataPath = [...base, 'steps', k];
      if (op === 'expect') {
        g(() => eachPattern(v as AssertionsDoc, [...at, 'expect'], regexAt));
        g(() => countsAt(v as AssertionsDoc, [...at, 'expect']));
      }
      if (op === 'boot') g(() => dyndbgAt(source, out, (v as BootDoc | undefined)?.dyndbg, [...at, 'boot', 'dyndbg']));
      if (op === 'register-iommu-late' && !steps.slice(0, k).some((s) => stepEntry(s)[0] === 'boot')) {
        out.push(source.error(at, `register-iommu-late needs a boot step before it (the IOMMU's driver is held at that boot)`, 'key'));
      }
    }),
  );
  g(() => eachPattern(sc.expect, [...base, 'expect'], regexAt));
  g(() => countsAt(sc.expect, [...base, 'expect']));

  const labels = matrix.kernels.map((k) => kernelLabel(k.kernel)).filter((l): l is string => l !== undefined);
  const seenBad = new Map<string, number>();
  g(() =>
    (sc['known-bad'] ?? []).forEach((kb, j) =>
      g(() => {
        const at: DataPath = [...base, 'known-bad', j];
        const diags = kernelDiagnostics(source, kb.kernel, [...at, 'kernel']);
        out.push(...diags);
        const label = kernelLabel(kb.kernel);
        if (!diags.length && label !== undefined) {
          if (!labels.includes(label)) out.push(source.error([...at, 'kernel'], `known-bad kernel "${label}" is not one of the scenario's kernels: ${labels.join(', ')}`));
          const prev = seenBad.get(label);
          if (prev !== undefined) out.push(source.error([...at, 'kernel'], `a second known-bad entry for kernel "${label}" (first at line ${prev})`));
          else seenBad.set(label, source.span([...at, 'kernel']).line);
        }
        if (typeof kb['fixed-by'] === 'string') out.push(...behaviourDiagnostic(source, kb['fixed-by'], [...at, 'fixed-by']));
        (kb.log ?? []).forEach((p, m) => regexAt(p, [...at, 'log', m]));
      }),
    ),
  );

  const boards = matrix.boards.map((b) => refs.get(b.ref)?.board).filter((b): b is LoadedBoard => b !== undefined);
  const glob = sc['for-each']?.device;
  if (glob !== undefined && typeof glob !== 'string') return;
  if (glob !== undefined && glob.length > MAX_GLOB_LENGTH) {
    out.push(source.error([...base, 'for-each', 'device'], `for-each pattern is ${glob.length} characters long (the limit is ${MAX_GLOB_LENGTH})`));
    return;
  }
  const perBoard = boards.map((b) => ({ b, bindings: glob === undefined ? [undefined] : forEachDevices(b, glob) }));
  const matched = perBoard.reduce((n, x) => n + x.bindings.length, 0);
  // the checks below and the compiler scale with the runs: stop once the suite is too big
  if (runs.n <= MAX_RUNS_PER_SUITE) {
    runs.n += matched * matrix.kernels.length;
    if (runs.n > MAX_RUNS_PER_SUITE) {
      out.push(source.error([...base, 'name'], `scenario "${String(sc.name)}" brings the suite to ${runs.n} runs (the limit is ${MAX_RUNS_PER_SUITE} per suite); narrow its boards, kernels or for-each, or split the suite`));
    }
  }
  if (runs.n > MAX_RUNS_PER_SUITE) return;
  for (const { b, bindings } of perBoard) {
    const n = namesOf(b);
    for (const device of bindings) {
      const concrete = device === undefined ? sc : substituteDeep(sc, { device });
      checkScenarioOnBoard(source, out, concrete, i, n, g);
    }
  }
  if (glob !== undefined && boards.length > 0 && matched === 0) {
    const all = boards.flatMap((b) => b.board.devices.map((d) => d.name));
    out.push(source.error([...base, 'for-each', 'device'], `for-each pattern "${glob}" matches no device on ${boards.map((b) => b.id).join(', ')}${didYouMean(glob, all)}`));
  }
}
