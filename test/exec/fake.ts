// A scriptable stand-in for the kernel model, and helpers to hand-build plans, so the
// executor and renderers are tested without the real model or the DSL compiler.

import type { Assertions, KnownBad, Pattern, PatternAt, PlanRun, PlanStep, Pos, StateAssertion } from '../../runner/dsl/plan.js';
import type { CheckFailure, CreateKernel, DeviceState, IommuState, Kernel, LogLine, StepOutcome } from '../../runner/model/api.js';
import type { ModelBoard, ModelStep, ResolvedProfile } from '../../runner/model/types.js';
import { describeStep } from '../../runner/exec/execute.js';

/** What one step does in the fake kernel, keyed by describeStep() text, e.g. "unbind: dev0". */
export interface FakeStep {
  lines?: string[];
  errno?: number;
  panic?: boolean;
  throws?: string;
  devices?: Record<string, Partial<DeviceState>>;
  iommus?: Record<string, boolean>;
  taint?: string;
}

export interface FakeScript {
  steps: Record<string, FakeStep>;
  checks?: CheckFailure[];
}

export const FILE = 'suites/demo.yaml';

export function pos(line: number, column = 9): Pos {
  return { file: FILE, line, column };
}

export function lit(text: string, line = 20): PatternAt {
  return { pattern: { kind: 'literal', text }, pos: pos(line) };
}

export function re(source: string, line = 20): PatternAt {
  return { pattern: { kind: 'regex', source }, pos: pos(line) };
}

export function pattern(text: string): Pattern {
  return { kind: 'literal', text };
}

export function block(a: Partial<Assertions> = {}, line = 30): Assertions {
  return { log: [], logUnordered: [], noLog: [], count: [], state: [], pos: pos(line, 7), ...a };
}

export const BOARD: ModelBoard = {
  id: 'demo-board',
  model: 'Demo board',
  arch: 'arm64',
  firmware: 'dt',
  memory: [],
  iommus: [],
  devices: [],
  drivers: [],
};

export function kernel(name: string): ResolvedProfile {
  return { name, base: name, behaviours: [] };
}

export function step(s: ModelStep, line: number): PlanStep {
  return { step: s, pos: pos(line, 9) };
}

export function expectStep(a: Assertions, line: number): PlanStep {
  return { expect: a, pos: pos(line, 9) };
}

export const BOOT: ModelStep = { op: 'boot', hold: [] };
export const UNBIND: ModelStep = { op: 'unbind', device: 'dev0' };
export const BIND: ModelStep = { op: 'bind', device: 'dev0' };

export interface RunSpec {
  scenario: string;
  kernel?: string;
  steps?: PlanStep[];
  expect?: Assertions;
  checks?: boolean;
  knownBad?: Omit<KnownBad, 'pos'>;
  state?: StateAssertion[];
}

export function mkRun(spec: RunSpec): PlanRun {
  const run: PlanRun = {
    id: `demo.${spec.scenario}`,
    suite: 'demo',
    scenario: spec.scenario,
    board: BOARD,
    kernel: kernel(spec.kernel ?? 'v6.15'),
    steps: spec.steps ?? [step(BOOT, 12)],
    checks: spec.checks ?? true,
    file: FILE,
    pos: pos(10, 5),
    reference: [],
  };
  if (spec.expect) run.expect = spec.expect;
  if (spec.knownBad) run.knownBad = { ...spec.knownBad, pos: pos(40, 9) };
  return run;
}

/** 100 µs per printk, like a fixed-step virtual clock. */
export function fakeCreateKernel(script: FakeScript): CreateKernel {
  return (board, profile): Kernel => {
    const log: LogLine[] = [];
    const devices = new Map<string, DeviceState>();
    const iommus = new Map<string, IommuState>();
    let taint = '';
    let lastErrno: number | undefined;
    let panicked = false;
    return {
      board,
      profile,
      get panicked() {
        return panicked;
      },
      log,
      perform(s: ModelStep): StepOutcome {
        const f = script.steps[describeStep(s)] ?? {};
        if (f.throws) throw new Error(f.throws);
        for (const text of f.lines ?? []) log.push({ usec: (log.length + 1) * 100, text });
        for (const [name, st] of Object.entries(f.devices ?? {})) {
          const prev = devices.get(name) ?? { name, added: true, bound: false, driver: null, deferred: false, group: null, dmaOps: 'none' };
          devices.set(name, { ...prev, ...st });
        }
        for (const [name, reg] of Object.entries(f.iommus ?? {})) iommus.set(name, { name, registered: reg });
        if (f.taint) taint = f.taint;
        if (s.op === 'bind' || s.op === 'unbind') lastErrno = f.errno ?? 0;
        if (f.panic) panicked = true;
        const o: StepOutcome = { oopsed: f.panic ?? false, panicked: f.panic ?? false };
        if (s.op === 'bind' || s.op === 'unbind') o.errno = lastErrno!;
        return o;
      },
      device: (n) => devices.get(n),
      iommu: (n) => iommus.get(n),
      taint: () => taint,
      lastErrno: () => lastErrno,
      checks: () => script.checks ?? [],
      devicesDeferred: () => [...devices.values()].filter((d) => d.deferred).map((d) => `${d.name}\t`),
    };
  };
}
