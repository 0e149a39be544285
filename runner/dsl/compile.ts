// The compiler: a checked suite → the runs of its matrix (scenario × board × kernel ×
// for-each device), each a plain JSON plan. Pure: the same suite gives the same runs,
// in scenario, board, kernel, then device order.

import { resolveKernel, type KernelRef } from '../model/profiles/resolve.js';
import type { ModelStep, ResolvedProfile } from '../model/types.js';
import { toErrno, type LoadedBoard } from './board.js';
import { stepEntry, type AssertionsDoc, type BootDoc, type Errno, type PatternDoc, type ScenarioDoc, type StateDoc } from './doc-types.js';
import { compileGlob, substituteDeep, toPattern } from './patterns.js';
import type { Assertions, KnownBad, PatternAt, PlanRun, PlanStep, StateAssertion } from './plan.js';
import type { DataPath, SourceFile } from './source.js';
import { forEachDevices, scenarioMatrix, type LoadedSuite } from './suite.js';

export interface CompileOptions {
  /** only runs on these board ids */
  boards?: readonly string[];
  /** replace every scenario's kernels with these (already resolved) */
  kernels?: readonly ResolvedProfile[];
  /** a glob on "<suite>.<scenario>" */
  filter?: string;
}

function patterns(source: SourceFile, list: PatternDoc[] | undefined, at: DataPath): PatternAt[] {
  return (list ?? []).map((p, i) => ({ pattern: toPattern(p), pos: source.pos([...at, i]) }));
}

function stateAssertion(source: SourceFile, s: StateDoc, at: DataPath): StateAssertion {
  const pos = source.pos(at);
  if ('device' in s) {
    return {
      kind: 'device',
      device: s.device,
      ...(s.bound !== undefined ? { bound: s.bound } : {}),
      ...(s.driver !== undefined ? { driver: s.driver } : {}),
      ...(s.deferred !== undefined ? { deferred: s.deferred } : {}),
      ...(s.group !== undefined ? { group: s.group } : {}),
      ...(s['dma-ops'] !== undefined ? { dmaOps: s['dma-ops'] } : {}),
      pos,
    };
  }
  if ('iommu' in s) return { kind: 'iommu', iommu: s.iommu, registered: s.registered, pos };
  if ('tainted' in s) return { kind: 'tainted', letters: s.tainted, pos };
  return { kind: 'errno', errno: toErrno(s.errno), pos };
}

function assertions(source: SourceFile, a: AssertionsDoc, at: DataPath): Assertions {
  return {
    log: patterns(source, a.log, [...at, 'log']),
    logUnordered: patterns(source, a['log-unordered'], [...at, 'log-unordered']),
    noLog: patterns(source, a['no-log'], [...at, 'no-log']),
    count: (a.count ?? []).map((c, i) => ({
      pattern: toPattern(c.pattern),
      ...(c.times !== undefined ? { times: c.times } : {}),
      ...(c['at-least'] !== undefined ? { atLeast: c['at-least'] } : {}),
      ...(c['at-most'] !== undefined ? { atMost: c['at-most'] } : {}),
      pos: source.pos([...at, 'count', i]),
    })),
    state: (a.state ?? []).map((s, i) => stateAssertion(source, s, [...at, 'state', i])),
    pos: source.pos(at),
  };
}

function modelStep(op: string, v: unknown): ModelStep {
  switch (op) {
    case 'boot': {
      const b = (v ?? {}) as BootDoc;
      const step: ModelStep = { op, hold: [...(b.hold ?? [])] };
      // the pins of an order the kernel leaves open (explore's reproducers)
      if (b.order) step.order = [...b.order];
      if (b.late) step.late = [...b.late];
      if (b['async-order']) step.asyncOrder = [...b['async-order']];
      if (b['deferred-order']) step.deferredOrder = [...b['deferred-order']];
      if (b['retry-after']) step.retryAfter = [...b['retry-after']];
      if (b.dyndbg?.length) step.dyndbg = [...b.dyndbg];
      return step;
    }
    case 'bind':
      return typeof v === 'string' ? { op, device: v } : { op, ...(v as { device: string; driver?: string }) };
    case 'fail-probe': {
      const f = v as { device: string; error: Errno; at?: number; times?: number; log?: string };
      return { op, device: f.device, errno: toErrno(f.error), ...(f.at !== undefined ? { at: f.at } : {}), times: f.times ?? 1, ...(f.log !== undefined ? { log: f.log } : {}) };
    }
    case 'unbind':
    case 'add-device':
    case 'remove-device':
      return { op, device: v as string };
    case 'load-module':
    case 'unload-module':
      return { op, driver: v as string };
    case 'deferred-timeout':
      return { op };
    default:
      throw new Error(`compile: unexpected step "${op}"`);
  }
}

function steps(source: SourceFile, sc: ScenarioDoc, at: DataPath, board: LoadedBoard): PlanStep[] {
  const out: PlanStep[] = [];
  const late: string[] = [];
  sc.steps.forEach((step, k) => {
    const [op, v] = stepEntry(step);
    const p: DataPath = [...at, 'steps', k];
    if (op === 'expect') out.push({ expect: assertions(source, v as AssertionsDoc, [...p, 'expect']), pos: source.pos(p) });
    else if (op === 'register-iommu-late') {
      const driver = board.board.iommus.find((i) => i.name === v)!.driver;
      late.push(driver);
      out.push({ step: { op, iommu: v as string, driver }, pos: source.pos(p) });
    } else out.push({ step: modelStep(op, v), pos: source.pos(p) });
  });
  // the IOMMU driver a later step registers must not be registered at boot
  for (const s of out) {
    if ('step' in s && s.step.op === 'boot') {
      for (const d of late) if (!s.step.hold.includes(d)) s.step.hold.push(d);
    }
  }
  return out;
}

function run(suite: LoadedSuite, index: number, board: LoadedBoard, kernel: ResolvedProfile, device: string | undefined): PlanRun {
  const { source, doc } = suite;
  const raw = doc.scenarios[index]!;
  const sc = device === undefined ? raw : substituteDeep(raw, { device });
  const at: DataPath = ['scenarios', index];
  const kb = sc['known-bad']
    ?.map((entry, j) => ({ entry, j }))
    .find(({ entry }) => resolveKernel(entry.kernel as KernelRef).name === kernel.name);
  const knownBad: KnownBad | undefined = kb && {
    kernel: kernel.name,
    fixedBy: kb.entry['fixed-by'],
    log: patterns(source, kb.entry.log, [...at, 'known-bad', kb.j, 'log']),
    pos: source.pos([...at, 'known-bad', kb.j]),
  };
  return {
    id: `${doc.suite}.${sc.name}${device === undefined ? '' : `@${device}`}`,
    suite: doc.suite,
    scenario: sc.name,
    ...(sc.description !== undefined ? { description: sc.description } : {}),
    ...(device !== undefined ? { forEach: { device } } : {}),
    // one frozen board and profile for all the runs of a cell: a 10,000-device board under
    // for-each is 10,000 runs, which must not mean 10,000 copies of the board
    board: frozen(board.board),
    kernel: frozen(kernel),
    steps: steps(source, sc, at, board),
    ...(sc.expect ? { expect: assertions(source, sc.expect, [...at, 'expect']) } : {}),
    checks: !(sc.checks === false || sc.checks === 'off'),
    ...(knownBad ? { knownBad } : {}),
    file: suite.file,
    pos: source.pos(at),
    reference: [...(doc.reference ?? [])],
  };
}

const frozenCopies = new WeakMap<object, object>();

/** A deep-frozen copy of a board or profile, made once per object: runs share it and no run can change it. */
export function frozen<T extends object>(value: T): T {
  let f = frozenCopies.get(value) as T | undefined;
  if (!f) {
    f = deepFreeze(structuredClone(value));
    frozenCopies.set(value, f);
  }
  return f;
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    const keys = Object.keys(v);
    for (let i = 0; i < keys.length; i++) deepFreeze((v as Record<string, unknown>)[keys[i]!]);
  }
  return v;
}

export function compileSuite(suite: LoadedSuite, opts: CompileOptions = {}): PlanRun[] {
  return compileCells(suite, opts).map((c) => c.run);
}

/** The runs with the matrix cell each came from: its scenario (index) and board reference. */
export function compileCells(suite: LoadedSuite, opts: CompileOptions = {}): { run: PlanRun; scenario: number; board: string }[] {
  const runs: { run: PlanRun; scenario: number; board: string }[] = [];
  const filter = opts.filter === undefined ? undefined : compileGlob(opts.filter);
  suite.doc.scenarios.forEach((sc, i) => {
    if (filter && !filter.test(`${suite.doc.suite}.${sc.name}`)) return;
    const matrix = scenarioMatrix(suite.doc, i);
    const kernels = opts.kernels ? [...opts.kernels] : matrix.kernels.map((k) => resolveKernel(k.kernel as KernelRef));
    for (const { ref } of matrix.boards) {
      const board = suite.boards.get(ref)!;
      if (opts.boards && !opts.boards.includes(board.id)) continue;
      for (const kernel of kernels) {
        const devices = sc['for-each'] ? forEachDevices(board, sc['for-each'].device) : [undefined];
        for (const device of devices) runs.push({ run: run(suite, i, board, kernel, device), scenario: i, board: ref });
      }
    }
  });
  return runs;
}
