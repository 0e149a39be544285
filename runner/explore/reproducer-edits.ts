// The edits shrink makes, each one DSL-aware: dropping an element also drops what names it,
// so a candidate stays a board and a suite the loader accepts (C-Reduce's lesson: generic
// deletion mostly yields invalid inputs). What names what, per DSL.md:
//
//   a device      ← a step on it (bind, unbind, fail-probe, add/remove-device), boot's
//                   async-order/deferred-order/retry-after, a state assertion on it, an IOMMU's
//                   allowlist/larbs/concurrent-probe, a probe's wait-for
//   an IOMMU      ← all of the above (IOMMUs are devices too), a device's iommus entry,
//                   another IOMMU's main, register-iommu-late, an iommu state assertion
//   a driver      ← a device's driver, boot's hold/order/late, load/unload-module, a state
//                   assertion's or a bind's driver
//   a probe action← fail-probe's at (which follows it down, so the fault stays where it was)
//
// An emptied list, option map, boot pin map or expect block goes too. Every edit mutates
// the reproducer it is given (a clone the gate owns) and marks it changed.

import { isMap, isScalar, isSeq, type Document, type YAMLSeq } from 'yaml';
import { stepEntry, type AssertionsDoc, type BootDoc } from '../dsl/doc-types.js';
import { SCENARIO, type Reproducer } from './reproducer.js';

type Path = readonly (string | number)[];

const STEPS: Path = [...SCENARIO, 'steps'];
const ASSERTION_KEYS = ['log', 'log-unordered', 'no-log', 'count', 'state'] as const;
const PIN_DEVICE_KEYS = ['async-order', 'deferred-order', 'retry-after'] as const;
const OPTION_DEVICE_KEYS = ['allowlist', 'larbs', 'concurrent-probe', 'probe-during-walk'] as const;

function jsOf(node: unknown): unknown {
  if (isScalar(node)) return node.value;
  return node && typeof node === 'object' && 'toJSON' in node ? (node as { toJSON(): unknown }).toJSON() : node;
}

function seqAt(doc: Document, path: Path): YAMLSeq | undefined {
  const n = doc.getIn(path, true);
  return isSeq(n) ? n : undefined;
}

/** Remove the items of the sequence at `path` that `drop` picks; an emptied sequence goes too. */
function removeItems(doc: Document, path: Path, drop: (value: unknown, index: number) => boolean, keepEmpty = false): number {
  const seq = seqAt(doc, path);
  if (!seq) return 0;
  let n = 0;
  for (let i = seq.items.length - 1; i >= 0; i--) {
    if (drop(jsOf(seq.items[i]), i)) {
      seq.items.splice(i, 1);
      n++;
    }
  }
  if (n && !seq.items.length && !keepEmpty) doc.deleteIn(path);
  return n;
}

/** Delete the map at `path` when it has no keys left. */
function dropIfEmptyMap(doc: Document, path: Path): void {
  const m = doc.getIn(path, true);
  if (isMap(m) && m.items.length === 0) doc.deleteIn(path);
}

// ---------------------------------------------------------------------------------------------
// the scenario

/** Drop state assertions `drop` picks in every expect block; an emptied block goes too. */
function removeStateEntries(rep: Reproducer, drop: (s: Record<string, unknown>) => boolean): void {
  const doc = rep.suite;
  const blocks: Path[] = [[...SCENARIO, 'expect']];
  rep.scenario.steps.forEach((s, i) => {
    if (stepEntry(s)[0] === 'expect') blocks.push([...STEPS, i, 'expect']);
  });
  for (const b of blocks) {
    removeItems(doc, [...b, 'state'], (v) => drop(v as Record<string, unknown>));
  }
  dropEmptyExpects(rep);
}

/** An expect block with no assertion left says nothing: the block (or its step) goes. */
function dropEmptyExpects(rep: Reproducer): void {
  const doc = rep.suite;
  const empty = (p: Path) => {
    const m = doc.getIn(p, true);
    return m === null || (isMap(m) && m.items.length === 0);
  };
  const steps = seqAt(doc, STEPS);
  if (steps) {
    for (let i = steps.items.length - 1; i >= 0; i--) {
      const item = steps.items[i];
      if (isMap(item) && item.has('expect') && empty([...STEPS, i, 'expect'])) steps.items.splice(i, 1);
    }
  }
  if (doc.hasIn([...SCENARIO, 'expect']) && empty([...SCENARIO, 'expect'])) doc.deleteIn([...SCENARIO, 'expect']);
}

/** A boot whose pins are all gone is a plain `boot`. */
function tidyBoot(doc: Document, i: number): void {
  const p = [...STEPS, i, 'boot'];
  const m = doc.getIn(p, true);
  if (isMap(m) && m.items.length === 0) doc.setIn([...STEPS, i], 'boot');
}

function deviceNamesInStep(op: string, v: unknown): string[] {
  switch (op) {
    case 'bind':
      return [typeof v === 'string' ? v : (v as { device: string }).device];
    case 'unbind':
    case 'remove-device':
    case 'add-device':
    case 'register-iommu-late':
      return [v as string];
    case 'fail-probe':
      return [(v as { device: string }).device];
    default:
      return [];
  }
}

/** Everything in the scenario that names one of these devices or IOMMUs. */
function dropDeviceRefsInScenario(rep: Reproducer, names: ReadonlySet<string>): void {
  const doc = rep.suite;
  const steps = rep.scenario.steps;
  for (let i = steps.length - 1; i >= 0; i--) {
    const [op, v] = stepEntry(steps[i]!);
    if (deviceNamesInStep(op, v).some((n) => names.has(n))) {
      doc.deleteIn([...STEPS, i]);
      continue;
    }
    if (op === 'boot' && v) {
      for (const key of PIN_DEVICE_KEYS) removeItems(doc, [...STEPS, i, 'boot', key], (x) => names.has(x as string));
      tidyBoot(doc, i);
    }
  }
  rep.changed();
  removeStateEntries(rep, (s) => names.has(s['device'] as string) || names.has(s['iommu'] as string));
  rep.changed();
}

/** Everything in the scenario that names one of these drivers. */
function dropDriverRefsInScenario(rep: Reproducer, names: ReadonlySet<string>): void {
  const doc = rep.suite;
  const steps = rep.scenario.steps;
  for (let i = steps.length - 1; i >= 0; i--) {
    const [op, v] = stepEntry(steps[i]!);
    if ((op === 'load-module' || op === 'unload-module') && names.has(v as string)) {
      doc.deleteIn([...STEPS, i]);
      continue;
    }
    if (op === 'bind' && v && typeof v === 'object' && names.has((v as { driver?: string }).driver ?? '')) {
      doc.setIn([...STEPS, i, 'bind'], (v as { device: string }).device);
      continue;
    }
    if (op === 'boot' && v) {
      for (const key of ['hold', 'order', 'late'] as const) removeItems(doc, [...STEPS, i, 'boot', key], (x) => names.has(x as string));
      tidyBoot(doc, i);
    }
  }
  rep.changed();
  // a state assertion on the driver loses that check; with no check left it goes
  const blocks: Path[] = [[...SCENARIO, 'expect']];
  rep.scenario.steps.forEach((s, i) => {
    if (stepEntry(s)[0] === 'expect') blocks.push([...STEPS, i, 'expect']);
  });
  for (const b of blocks) {
    const seq = seqAt(doc, [...b, 'state']);
    seq?.items.forEach((item, j) => {
      if (isMap(item) && names.has(item.get('driver') as string)) doc.deleteIn([...b, 'state', j, 'driver']);
    });
  }
  rep.changed();
  removeStateEntries(rep, (s) => 'device' in s && Object.keys(s).length === 1);
  rep.changed();
}

// ---------------------------------------------------------------------------------------------
// the board

/** Devices (clients) by name, with every reference to them. */
export function dropDevices(rep: Reproducer, names: readonly string[]): void {
  const set = new Set(names);
  removeItems(rep.board, ['devices'], (d) => set.has((d as { name: string }).name), true);
  dropDeviceRefsInBoard(rep, set);
  dropDeviceRefsInScenario(rep, set);
}

function dropDeviceRefsInBoard(rep: Reproducer, set: ReadonlySet<string>): void {
  const doc = rep.board;
  (rep.boardDoc.iommus ?? []).forEach((_, i) => {
    for (const key of OPTION_DEVICE_KEYS) removeItems(doc, ['iommus', i, 'options', key], (x) => set.has(x as string));
    dropIfEmptyMap(doc, ['iommus', i, 'options']);
  });
  for (const name of Object.keys(rep.boardDoc.drivers ?? {})) {
    for (const which of ['probe', 'remove'] as const) {
      removeItems(doc, ['drivers', name, which], (a) => set.has((a as { 'wait-for'?: string })['wait-for'] ?? ''), true);
    }
  }
  rep.changed();
}

/** IOMMUs by name, with every reference to them (and to a driver no IOMMU uses any more). */
export function dropIommus(rep: Reproducer, names: readonly string[]): void {
  const set = new Set(names);
  const before = new Set((rep.boardDoc.iommus ?? []).map((i) => i.driver));
  removeItems(rep.board, ['iommus'], (d) => set.has((d as { name: string }).name), true);
  rep.changed();
  const doc = rep.board;
  (rep.boardDoc.devices ?? []).forEach((_, i) => removeItems(doc, ['devices', i, 'iommus'], (r) => set.has((r as { iommu: string }).iommu)));
  (rep.boardDoc.iommus ?? []).forEach((io, i) => {
    if (io.options?.main !== undefined && set.has(io.options.main)) doc.deleteIn(['iommus', i, 'options', 'main']);
    dropIfEmptyMap(doc, ['iommus', i, 'options']);
  });
  rep.changed();
  dropDeviceRefsInBoard(rep, set);
  dropDeviceRefsInScenario(rep, set);
  const after = new Set((rep.boardDoc.iommus ?? []).map((i) => i.driver));
  const boardDrivers = new Set(Object.keys(rep.boardDoc.drivers ?? {}));
  const gone = new Set([...before].filter((d) => !after.has(d) && !boardDrivers.has(d)));
  if (gone.size) dropDriverRefsInScenario(rep, gone);
}

/** Drivers by name: their devices keep no driver, and every step or assertion on them goes. */
export function dropDrivers(rep: Reproducer, names: readonly string[]): void {
  const set = new Set(names);
  const doc = rep.board;
  for (const n of names) doc.deleteIn(['drivers', n]);
  dropIfEmptyMap(doc, ['drivers']);
  (rep.boardDoc.devices ?? []).forEach((d, i) => {
    if (d.driver !== undefined && set.has(d.driver)) doc.deleteIn(['devices', i, 'driver']);
  });
  rep.changed();
  const iommuDrivers = new Set((rep.boardDoc.iommus ?? []).map((i) => i.driver));
  dropDriverRefsInScenario(rep, new Set(names.filter((n) => !iommuDrivers.has(n))));
}

/** A probe (or remove) action: fail-probe `at:` on that driver's devices follows it down. */
export function dropAction(rep: Reproducer, driver: string, which: 'probe' | 'remove', index: number): void {
  removeItems(rep.board, ['drivers', driver, which], (_, i) => i === index);
  if (which === 'probe') {
    const devices = new Set((rep.boardDoc.devices ?? []).filter((d) => d.driver === driver).map((d) => d.name));
    rep.scenario.steps.forEach((s, i) => {
      const [op, v] = stepEntry(s);
      const f = v as { device: string; at?: number };
      if (op === 'fail-probe' && devices.has(f.device) && f.at !== undefined && f.at > index) rep.suite.setIn([...STEPS, i, 'fail-probe', 'at'], f.at - 1);
    });
  }
  rep.changed();
}

/** One `iommus` entry of a device (the device then has one IOMMU fewer). */
export function dropIommuRef(rep: Reproducer, device: number, index: number): void {
  removeItems(rep.board, ['devices', device, 'iommus'], (_, i) => i === index);
  rep.changed();
}

/** One stream/master id of a device's `iommus` entry. */
export function dropId(rep: Reproducer, device: number, ref: number, index: number): void {
  removeItems(rep.board, ['devices', device, 'iommus', ref, 'ids'], (_, i) => i === index);
  rep.changed();
}

/** Memory banks by index (the schema keeps at least one). */
export function dropBanks(rep: Reproducer, indexes: readonly number[]): void {
  const set = new Set(indexes);
  removeItems(rep.board, ['memory'], (_, i) => set.has(i), true);
  rep.changed();
}

// ---------------------------------------------------------------------------------------------
// steps and assertions

/** Steps by index. */
export function dropSteps(rep: Reproducer, indexes: readonly number[]): void {
  const set = new Set(indexes);
  removeItems(rep.suite, STEPS, (_, i) => set.has(i), true);
  rep.changed();
}

/** Where an assertion sits: the expect of step `step` (or the final expect), list `key`, item `index`. */
export interface AssertionRef {
  step: number | 'final';
  key: (typeof ASSERTION_KEYS)[number];
  index: number;
}

export function assertionRefs(rep: Reproducer): AssertionRef[] {
  const out: AssertionRef[] = [];
  const add = (step: number | 'final', a: AssertionsDoc | undefined) => {
    for (const key of ASSERTION_KEYS) (a?.[key] ?? []).forEach((_, index) => out.push({ step, key, index }));
  };
  rep.scenario.steps.forEach((s, i) => {
    const [op, v] = stepEntry(s);
    if (op === 'expect') add(i, v as AssertionsDoc);
  });
  add('final', rep.scenario.expect);
  return out;
}

function blockPath(step: number | 'final'): Path {
  return step === 'final' ? [...SCENARIO, 'expect'] : [...STEPS, step, 'expect'];
}

/** Assertions; a list, block or expect step left empty goes too. */
export function dropAssertions(rep: Reproducer, refs: readonly AssertionRef[]): void {
  const groups = new Map<string, { r: AssertionRef; indexes: Set<number> }>();
  for (const r of refs) {
    const k = `${r.step}\0${r.key}`;
    const g = groups.get(k) ?? { r, indexes: new Set<number>() };
    g.indexes.add(r.index);
    groups.set(k, g);
  }
  // lists first, steps last: deleting an emptied expect step would move the later steps
  for (const { r, indexes } of groups.values()) removeItems(rep.suite, [...blockPath(r.step), r.key], (_, i) => indexes.has(i));
  rep.changed();
  dropEmptyExpects(rep);
  rep.changed();
}

// ---------------------------------------------------------------------------------------------
// values

/** Set (or with `undefined`, delete) one value of the board or the suite. */
export function setValue(rep: Reproducer, file: 'board' | 'suite', path: Path, value: unknown): void {
  const doc = file === 'board' ? rep.board : rep.suite;
  if (value === undefined) doc.deleteIn(path);
  else doc.setIn(path, value);
  if (file === 'suite' && path.length >= 4 && path[2] === 'steps' && path[4] === 'boot') tidyBoot(doc, path[3] as number);
  if (file === 'suite' && path[2] === 'steps' && path[4] === 'expect') dropEmptyExpects(rep);
  rep.changed();
}

export type { BootDoc };
