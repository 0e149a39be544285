// The shrink passes, a named list in the order a sweep runs them: big cuts first (whole
// devices, IOMMUs, drivers, steps), then the parts of what is left (assertions, probe
// actions, iommus entries and their ids, memory banks), then values (at:/times:, optional
// keys). Each pass makes ONE sweep over the current target and never loops to a fixpoint
// itself: the driver (shrink.ts) repeats sweeps until one changes nothing, which is what
// makes the result 1-minimal. A pass only proposes; the gate decides, so a pass survives
// the target changing under it by re-reading its units after every accepted candidate.
//
// Deterministic: a pass's candidates depend only on the target.

import { stepEntry } from '../dsl/doc-types.js';
import type { Reproducer } from './reproducer.js';
import { SCENARIO } from './reproducer.js';
import {
  assertionRefs,
  dropAction,
  dropAssertions,
  dropBanks,
  dropDevices,
  dropDrivers,
  dropId,
  dropIommuRef,
  dropIommus,
  dropSteps,
  setValue,
  type AssertionRef,
} from './reproducer-edits.js';

export type Edit = (r: Reproducer) => void;

export interface ShrinkContext {
  readonly target: Reproducer;
  /** the gate: true when the edited clone became the target */
  attempt(edit: Edit): Promise<boolean>;
}

export interface ShrinkPass {
  name: string;
  /** one sweep over the current target */
  sweep(ctx: ShrinkContext): Promise<void>;
}

/**
 * Delete units in chunks: all of them, then halves, quarters, ... single units (the ddmin
 * schedule of C-Reduce's line pass). After an accepted cut the units are read again and
 * the sweep goes on at the same place; the last round tries every remaining unit alone.
 */
async function chunked<U>(ctx: ShrinkContext, units: (r: Reproducer) => U[], drop: (r: Reproducer, us: U[]) => void): Promise<void> {
  let list = units(ctx.target);
  let size = list.length;
  while (size >= 1) {
    let i = 0;
    while (i < list.length) {
      const chunk = list.slice(i, i + size);
      if (await ctx.attempt((r) => drop(r, chunk))) list = units(ctx.target);
      else i += size;
    }
    if (size === 1) break;
    size = Math.ceil(size / 2);
  }
}

/** Each candidate in turn; an accepted one re-reads the list (so the same index is next). */
async function eachOnce<U>(ctx: ShrinkContext, units: (r: Reproducer) => U[], edit: (u: U) => Edit, same: (a: U, b: U) => boolean = Object.is): Promise<void> {
  const tried: U[] = [];
  for (;;) {
    const next = units(ctx.target).find((u) => !tried.some((t) => same(t, u)));
    if (next === undefined) return;
    tried.push(next);
    await ctx.attempt(edit(next));
  }
}

interface ActionUnit {
  driver: string;
  which: 'probe' | 'remove';
  index: number;
}

function actionUnits(r: Reproducer): ActionUnit[] {
  const out: ActionUnit[] = [];
  for (const [driver, d] of Object.entries(r.boardDoc.drivers ?? {})) {
    for (const which of ['probe', 'remove'] as const) (d[which] ?? []).forEach((_, index) => out.push({ driver, which, index }));
  }
  return out;
}

function dropActions(r: Reproducer, us: ActionUnit[]): void {
  // the later actions of a list first, so the earlier indexes stay put
  for (const u of [...us].sort((a, b) => b.index - a.index)) dropAction(r, u.driver, u.which, u.index);
}

function iommuRefUnits(r: Reproducer): { device: number; ref: number }[] {
  return (r.boardDoc.devices ?? []).flatMap((d, device) => (d.iommus ?? []).map((_, ref) => ({ device, ref })));
}

function idUnits(r: Reproducer): { device: number; ref: number; id: number }[] {
  return (r.boardDoc.devices ?? []).flatMap((d, device) => (d.iommus ?? []).flatMap((x, ref) => (x.ids ?? []).map((_, id) => ({ device, ref, id }))));
}

/** A value change: which file, where, and the new value (undefined deletes the key). */
interface ValueEdit {
  file: 'board' | 'suite';
  path: (string | number)[];
  value: unknown;
}

const sameValueEdit = (a: ValueEdit, b: ValueEdit) => a.file === b.file && a.value === b.value && a.path.join('\0') === b.path.join('\0');

/** `at:` and `times:` of each fail-probe, each lowered to every smaller value, smallest first. */
function lowerings(r: Reproducer): ValueEdit[] {
  const out: ValueEdit[] = [];
  r.scenario.steps.forEach((s, i) => {
    const [op, v] = stepEntry(s);
    if (op !== 'fail-probe') return;
    const f = v as { at?: number; times?: number };
    const p = [...SCENARIO, 'steps', i, 'fail-probe'];
    if (f.times !== undefined) out.push({ file: 'suite', path: [...p, 'times'], value: undefined });
    if (f.at !== undefined) for (let at = 0; at < f.at; at++) out.push({ file: 'suite', path: [...p, 'at'], value: at });
  });
  return out;
}

const DEVICE_OPTIONAL = ['compatible', 'dma-bits', 'bus', 'status', 'present', 'dma-coherent'] as const;
const IOMMU_OPTIONAL = ['compatible', 'status'] as const;
const DRIVER_OPTIONAL = ['initcall', 'async', 'driver-managed-dma'] as const;
const STATE_CHECKS = ['bound', 'driver', 'deferred', 'group', 'dma-ops'] as const;
const BOOT_LISTS = ['hold', 'order', 'late', 'async-order', 'deferred-order', 'retry-after'] as const;

/**
 * Optional keys (each falls back to its DSL default; an empty probe or remove list is the default), options that are not references, a
 * fail-probe's at: (after the last action), a state assertion's checks beyond its first,
 * and the names pinned in a boot — all as deletions.
 */
function optionalValues(r: Reproducer): ValueEdit[] {
  const out: ValueEdit[] = [];
  const del = (file: 'board' | 'suite', path: (string | number)[]) => out.push({ file, path, value: undefined });
  const b = r.boardDoc;
  if (b.compatible !== undefined) del('board', ['compatible']);
  if (b['bus-dma-bits'] !== undefined) del('board', ['bus-dma-bits']);
  (b.iommus ?? []).forEach((io, i) => {
    for (const k of IOMMU_OPTIONAL) if (io[k] !== undefined) del('board', ['iommus', i, k]);
    for (const k of ['virtio', 'version'] as const) if (io.options?.[k] !== undefined) del('board', ['iommus', i, 'options', k]);
  });
  (b.devices ?? []).forEach((d, i) => {
    for (const k of DEVICE_OPTIONAL) if (d[k] !== undefined) del('board', ['devices', i, k]);
  });
  for (const [name, d] of Object.entries(b.drivers ?? {})) {
    for (const k of DRIVER_OPTIONAL) if (d[k] !== undefined) del('board', ['drivers', name, k]);
    for (const k of ['probe', 'remove'] as const) if (d[k]?.length === 0) del('board', ['drivers', name, k]);
  }
  const checks = (at: (string | number)[], state: Record<string, unknown>[] | undefined) =>
    (state ?? []).forEach((s, j) => {
      const present = STATE_CHECKS.filter((k) => s[k] !== undefined);
      for (const k of present.slice(1)) del('suite', [...at, 'state', j, k]);
      if (present.length > 1) del('suite', [...at, 'state', j, present[0]!]);
    });
  r.scenario.steps.forEach((s, i) => {
    const [op, v] = stepEntry(s);
    const p = [...SCENARIO, 'steps', i];
    if (op === 'fail-probe' && (v as { at?: number }).at !== undefined) del('suite', [...p, 'fail-probe', 'at']);
    if (op === 'expect') checks([...p, 'expect'], (v as { state?: Record<string, unknown>[] }).state);
    if (op === 'boot' && v) {
      for (const k of BOOT_LISTS) ((v as Record<string, string[] | undefined>)[k] ?? []).forEach((_, j) => del('suite', [...p, 'boot', k, j]));
    }
  });
  checks([...SCENARIO, 'expect'], r.scenario.expect?.state as Record<string, unknown>[] | undefined);
  return out;
}

function applyValue(e: ValueEdit): Edit {
  return (r) => setValue(r, e.file, e.path, e.value);
}

export const SHRINK_PASSES: readonly ShrinkPass[] = [
  {
    name: 'drop-devices',
    sweep: (ctx) => chunked(ctx, (r) => (r.boardDoc.devices ?? []).map((d) => d.name), dropDevices),
  },
  {
    name: 'drop-iommus',
    sweep: (ctx) => chunked(ctx, (r) => (r.boardDoc.iommus ?? []).map((i) => i.name), dropIommus),
  },
  {
    name: 'drop-drivers',
    sweep: (ctx) => chunked(ctx, (r) => Object.keys(r.boardDoc.drivers ?? {}), dropDrivers),
  },
  {
    name: 'drop-steps',
    sweep: (ctx) => chunked(ctx, (r) => r.scenario.steps.map((_, i) => i), dropSteps),
  },
  {
    name: 'drop-assertions',
    sweep: (ctx) => chunked<AssertionRef>(ctx, assertionRefs, dropAssertions),
  },
  {
    name: 'drop-probe-actions',
    sweep: (ctx) => chunked(ctx, actionUnits, dropActions),
  },
  {
    name: 'drop-iommus-entries',
    sweep: (ctx) =>
      chunked(ctx, iommuRefUnits, (r, us) => {
        for (const u of [...us].sort((a, b) => b.device - a.device || b.ref - a.ref)) dropIommuRef(r, u.device, u.ref);
      }),
  },
  {
    name: 'drop-ids',
    sweep: (ctx) =>
      chunked(ctx, idUnits, (r, us) => {
        for (const u of [...us].sort((a, b) => b.device - a.device || b.ref - a.ref || b.id - a.id)) dropId(r, u.device, u.ref, u.id);
      }),
  },
  {
    name: 'drop-memory-banks',
    sweep: (ctx) => chunked(ctx, (r) => r.boardDoc.memory.map((_, i) => i), dropBanks),
  },
  {
    name: 'lower-at-times',
    sweep: (ctx) => eachOnce(ctx, lowerings, applyValue, sameValueEdit),
  },
  {
    name: 'simplify-values',
    sweep: (ctx) =>
      chunked(ctx, optionalValues, (r, es) => {
        // deletions deepest and last-indexed first, so the other paths stay valid
        const sorted = [...es].sort((a, b) => comparePathsDesc(a.path, b.path));
        for (const e of sorted) setValue(r, e.file, e.path, e.value);
      }),
  },
];

function comparePathsDesc(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return y - x;
    return String(x) < String(y) ? 1 : -1;
  }
  return b.length - a.length;
}

export function passByName(name: string): ShrinkPass {
  const p = SHRINK_PASSES.find((x) => x.name === name);
  if (!p) throw new Error(`no shrink pass "${name}"`);
  return p;
}
