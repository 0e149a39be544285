// Model properties: random step sequences over random small boards, on the named profiles
// and on random {base, apply, revert} kernels. The model must end (a bound on printk
// lines catches a runaway), never throw a JavaScript error (an oops or a panic is a
// modelled outcome, a TypeError is a bug), keep the invariants of MODEL.md after every
// step, and print the same bytes when run twice.

import fc from 'fast-check';
import { createKernel, formatLogLine, IOMMU_DRIVER_NAMES, type Kernel, type LogLine, type StepOutcome } from '../../../runner/model/index.js';
import type { KernelCtx } from '../../../runner/model/kernel/ctx.js';
import type { Device } from '../../../runner/model/core/device.js';
import { PROFILES } from '../../../runner/model/profiles/profiles.js';
import { BEHAVIOURS } from '../../../runner/model/profiles/behaviours.js';
import { resolveKernel, type KernelRef } from '../../../runner/model/profiles/resolve.js';
import type { Arch, BoardDevice, BoardDriver, BoardIommu, BusName, Firmware, Initcall, ModelBoard, ModelStep, ProbeAction, ResolvedProfile } from '../../../runner/model/types.js';
import path from 'node:path';
import { loadBoards } from '../../../runner/dsl/index.js';
import { ROOT, type NamedProperty } from './loader.js';

/** printk records one run may print before it counts as a runaway */
export const MAX_LINES = 50_000;

export class RunawayError extends Error {}

// ---------------------------------------------------------------------------------
// boards

const ERRNOS = [-517, -12, -5, -19, -6, -16, -22, -110, -2, -1, -11, -4095, 0, 5, 517, -100000];
const SIZES = [0, 1, 2048, 4095, 4096, 4096, 8192, 8192, 65536, 1 << 20, 16 << 20, 64 << 20];

type ActionSeed =
  | { kind: 'dmam-alloc' | 'dma-alloc' | 'dma-free' | 'devm-alloc' | 'dma-transfer'; size: number }
  | { kind: 'request-irq'; irq: number }
  | { kind: 'log'; text: string }
  | { kind: 'wait-for'; ref: number }
  | { kind: 'fail'; errno: number };

/** true one time in n */
const rarely = (n: number) => fc.nat(n - 1).map((x) => x === 0);

const actionArb: fc.Arbitrary<ActionSeed> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constantFrom('dmam-alloc' as const, 'dma-alloc' as const, 'dma-free' as const, 'devm-alloc' as const, 'dma-transfer' as const), size: fc.constantFrom(...SIZES) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('request-irq' as const), irq: fc.nat(300) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('log' as const), text: fc.constantFrom('probed', 'scsi host0: sata_rcar', '', '%s %d %p', 'Oops', '\u00e9\ud83d\ude00') }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('wait-for' as const), ref: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('fail' as const), errno: fc.constantFrom(...ERRNOS) }) },
);

const boardSeedArb = fc.record({
  arch: fc.constantFrom<Arch>('arm64', 'arm', 'x86_64'),
  firmware: fc.constantFrom<Firmware>('dt', 'acpi'),
  memory: fc.array(
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom({ base: 0x40000000, size: 0x40000000 }, { base: 0x100000000, size: 0x100000000 }, { base: 0x500000000, size: 0x40000000 }) },
      { weight: 1, arbitrary: fc.constantFrom({ base: 0, size: 0x10000 }, { base: 0x80000000, size: 4096 }, { base: 2 ** 40, size: 2 ** 30 }) },
      { weight: 1, arbitrary: fc.record({ base: fc.nat({ max: 2 ** 36 }), size: fc.integer({ min: 1, max: 2 ** 34 }) }) },
    ),
    { minLength: 1, maxLength: 3 },
  ),
  busDmaBits: fc.option(fc.oneof(fc.constantFrom(32, 40), fc.integer({ min: 1, max: 64 })), { nil: undefined }),
  iommus: fc.array(
    fc.record({
      driver: fc.constantFrom(...IOMMU_DRIVER_NAMES),
      disabled: rarely(8),
      allow: fc.option(fc.array(fc.nat(), { maxLength: 3 }), { nil: undefined }),
      main: fc.option(fc.nat(), { nil: undefined }),
    }),
    { minLength: 1, maxLength: 3 },
  ),
  devices: fc.array(
    fc.record({
      drv: fc.option(fc.nat(), { nil: undefined, freq: 8 }),
      bus: fc.constantFrom<BusName>('platform', 'platform', 'amba', 'pci'),
      refs: fc.array(fc.record({ iommu: fc.nat(), ids: fc.array(fc.nat(7), { maxLength: 2 }) }), { minLength: 1, maxLength: 2 }),
      noIommu: rarely(4),
      dmaBits: fc.constantFrom(1, 24, 32, 32, 36, 40, 40, 44, 48, 52, 53, 64),
      disabled: rarely(10),
      absent: rarely(6),
    }),
    { minLength: 1, maxLength: 6 },
  ),
  drivers: fc.array(
    fc.record({
      initcall: fc.constantFrom<Initcall>('core', 'subsys', 'arch', 'device', 'device', 'device', 'device', 'late', 'module'),
      probe: fc.array(actionArb, { maxLength: 5 }),
      remove: fc.array(actionArb, { maxLength: 3 }),
      async: rarely(4),
      dmaManaged: rarely(6),
    }),
    { minLength: 1, maxLength: 4 },
  ),
});

type BoardSeed = typeof boardSeedArb extends fc.Arbitrary<infer T> ? T : never;

/** A board as the DSL would accept it: every reference resolves (indices taken modulo). */
export function buildBoard(s: BoardSeed): ModelBoard {
  const iommuNames = s.iommus.map((_, i) => (s.firmware === 'acpi' && i === 0 ? `arm-smmu-v3.${i}.auto` : `${(0xe6000000 + i * 0x10000).toString(16)}.iommu`));
  const deviceNames = s.devices.map((d, i) => (d.bus === 'pci' ? `0000:00:0${i}.0` : `${(0x10000000 + i * 0x100000).toString(16)}.dev${i}`));
  const allNames = [...iommuNames, ...deviceNames];
  const driverNames = s.drivers.map((_, i) => `drv${i}`);
  const action = (a: ActionSeed): ProbeAction | undefined => {
    if (a.kind === 'wait-for') return allNames.length ? { kind: 'wait-for', device: allNames[a.ref % allNames.length]! } : undefined;
    return a as ProbeAction;
  };
  const iommus: BoardIommu[] = s.iommus.map((m, i) => {
    const options: Record<string, unknown> = {};
    if (m.driver === 'ipmmu-vmsa') {
      if (m.allow && allNames.length) options['allowlist'] = [...new Set(m.allow.map((a) => allNames[a % allNames.length]!))];
      const others = iommuNames.filter((n, j) => j !== i && s.iommus[j]!.driver === 'ipmmu-vmsa');
      if (m.main !== undefined && others.length) options['main'] = others[m.main % others.length];
    }
    return { name: iommuNames[i]!, driver: m.driver, status: m.disabled ? 'disabled' : 'okay', options };
  });
  const devices: BoardDevice[] = s.devices.map((d, i) => ({
    name: deviceNames[i]!,
    ...(d.drv !== undefined && driverNames.length ? { driver: driverNames[d.drv % driverNames.length]! } : {}),
    bus: d.bus,
    compatible: `acme,dev${i}`,
    iommus: iommuNames.length && !d.noIommu ? d.refs.map((r) => ({ iommu: iommuNames[r.iommu % iommuNames.length]!, ids: [...r.ids] })) : [],
    dmaBits: d.dmaBits,
    status: d.disabled ? 'disabled' : 'okay',
    present: !d.absent,
  }));
  const drivers: BoardDriver[] = s.drivers.map((d, i) => ({
    name: driverNames[i]!,
    initcall: d.initcall,
    probe: d.probe.map(action).filter((a): a is ProbeAction => a !== undefined),
    remove: d.remove.map(action).filter((a): a is ProbeAction => a !== undefined),
    async: d.async,
    driverManagedDma: d.dmaManaged,
  }));
  return {
    id: 'fuzz-board',
    model: 'Fuzz Board (DT)',
    arch: s.arch,
    firmware: s.firmware,
    memory: s.memory.map((m) => ({ ...m })),
    ...(s.busDmaBits !== undefined ? { busDmaBits: s.busDmaBits } : {}),
    iommus,
    devices,
    drivers,
  };
}

// ---------------------------------------------------------------------------------
// steps and kernels

const OPS = ['boot', 'bind', 'unbind', 'fail-probe', 'register-iommu-late', 'load-module', 'unload-module', 'add-device', 'remove-device', 'deferred-timeout'] as const;

const stepSeedArb = fc.record({
  op: fc.constantFrom(...OPS),
  a: fc.nat(),
  b: fc.nat(),
  withDriver: fc.boolean(),
  errno: fc.constantFrom(...ERRNOS),
  at: fc.option(fc.nat(6), { nil: undefined }),
  times: fc.integer({ min: 1, max: 3 }),
  hold: fc.array(fc.nat(), { maxLength: 2 }),
});

type StepSeed = typeof stepSeedArb extends fc.Arbitrary<infer T> ? T : never;

/** Steps as the compiler produces them: names resolve, register-iommu-late holds its driver at boot. */
export function buildSteps(board: ModelBoard, seeds: readonly StepSeed[], bootFirst: boolean): ModelStep[] {
  const devices = [...board.devices.map((d) => d.name), ...board.iommus.map((i) => i.name)];
  const drivers = [...board.drivers.map((d) => d.name), ...new Set(board.iommus.map((i) => i.driver))];
  const pick = <T>(xs: readonly T[], n: number): T | undefined => (xs.length ? xs[n % xs.length] : undefined);
  const steps: ModelStep[] = bootFirst ? [{ op: 'boot', hold: [] }] : [];
  for (const s of seeds) {
    const dev = pick(devices, s.a);
    const drv = pick(drivers, s.a);
    switch (s.op) {
      case 'boot':
        steps.push({ op: 'boot', hold: [...new Set(s.hold.map((h) => pick(drivers, h)).filter((x): x is string => x !== undefined))] });
        break;
      case 'bind':
        if (dev) steps.push({ op: 'bind', device: dev, ...(s.withDriver && drivers.length ? { driver: pick(drivers, s.b)! } : {}) });
        break;
      case 'unbind':
      case 'add-device':
      case 'remove-device':
        if (dev) steps.push({ op: s.op, device: dev });
        break;
      case 'fail-probe':
        if (dev) steps.push({ op: 'fail-probe', device: dev, errno: s.errno, ...(s.at !== undefined && s.at > 0 ? { at: s.at } : {}), times: s.times });
        break;
      case 'register-iommu-late': {
        const iommu = pick(board.iommus, s.a);
        if (iommu) steps.push({ op: 'register-iommu-late', iommu: iommu.name, driver: iommu.driver });
        break;
      }
      case 'load-module':
      case 'unload-module':
        if (drv) steps.push({ op: s.op, driver: drv });
        break;
      case 'deferred-timeout':
        steps.push({ op: 'deferred-timeout' });
        break;
    }
  }
  const late = steps.flatMap((s) => (s.op === 'register-iommu-late' ? [s.driver] : []));
  for (const s of steps) if (s.op === 'boot') for (const d of late) if (!s.hold.includes(d)) s.hold.push(d);
  return steps;
}

const PROFILE_NAMES = PROFILES.map((p) => p.name);
/** every profile resolved once (resolving is a set operation over the behaviour table) */
const PROFILE_KERNELS = PROFILE_NAMES.map((p) => resolveKernel(p));
const BEHAVIOUR_IDS = BEHAVIOURS.map((b) => b.id);

export const kernelArb: fc.Arbitrary<ResolvedProfile> = fc
  .oneof(
    { weight: 3, arbitrary: fc.constantFrom<KernelRef>(...PROFILE_NAMES) },
    { weight: 1, arbitrary: fc.record({ base: fc.constantFrom(...PROFILE_NAMES), apply: fc.subarray(BEHAVIOUR_IDS), revert: fc.subarray(BEHAVIOUR_IDS) }) },
  )
  .map((ref) => resolveKernel(ref));

export const caseArb = fc.record({
  board: boardSeedArb.map(buildBoard),
  seeds: fc.array(stepSeedArb, { maxLength: 14 }),
  bootFirst: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  kernel: kernelArb,
  seed: fc.nat(1000),
});

// ---------------------------------------------------------------------------------
// running and checking

function ctxOf(k: Kernel): KernelCtx {
  return (k as unknown as { k: KernelCtx }).k;
}

/** The invariants of MODEL.md that hold after every step; the violations found. */
export function invariantViolations(k: Kernel): string[] {
  const c = ctxOf(k);
  const out: string[] = [];
  const live = new Set(c.groups);
  const ids = new Map<number, number>();
  const listedBy = new Map<Device, number>();
  for (const g of c.groups) {
    ids.set(g.id, (ids.get(g.id) ?? 0) + 1);
    if (g.released) out.push(`iommu group ${g.id} is released but still listed`);
    for (const d of g.devices) {
      listedBy.set(d, (listedBy.get(d) ?? 0) + 1);
      if (d.group !== g) out.push(`${d.name} is listed by iommu group ${g.id} but its group is ${d.group ? d.group.id : 'none'}`);
    }
  }
  for (const [id, n] of ids) if (n > 1) out.push(`iommu group id ${id} is used by ${n} groups`);
  for (const [d, n] of listedBy) if (n > 1) out.push(`${d.name} is listed by ${n} iommu groups`);
  const onLists = new Set<Device>();
  for (const list of [c.deferredPending, c.deferredActive]) {
    let n = 0;
    for (let d = list.head; d; d = d.deferNext) {
      if (++n > c.devices.size + 1) {
        out.push('a deferred-probe list is cyclic');
        break;
      }
      if (onLists.has(d)) out.push(`${d.name} is on the deferred lists twice`);
      onLists.add(d);
    }
  }
  for (const dev of c.devices.values()) {
    if (dev.bound && !dev.driver) out.push(`${dev.name} is bound with no driver`);
    if (dev.bound && dev.deferred) out.push(`${dev.name} is bound and deferred`);
    if (dev.deferred !== onLists.has(dev)) out.push(`${dev.name}: deferred flag ${dev.deferred} but ${onLists.has(dev) ? 'on' : 'not on'} a deferred list`);
    if (dev.group && !live.has(dev.group)) out.push(`${dev.name} points at iommu group ${dev.group.id}, which is gone`);
    if (dev.group && !dev.group.devices.includes(dev)) out.push(`${dev.name} is in iommu group ${dev.group.id} but not listed by it`);
    const st = k.device(dev.name);
    if (!st) out.push(`${dev.name}: no state`);
    else if (st.bound && st.driver === null) out.push(`${dev.name}: state bound with no driver`);
  }
  if (c.groupIds.size !== c.groups.length || c.groups.some((g) => !c.groupIds.has(g.id))) out.push('the group id set does not match the groups');
  return out;
}

export interface Trace {
  /** the printk records (compared line by line) */
  records: readonly LogLine[];
  /** the log as text, made when asked for */
  readonly log: string;
  outcomes: StepOutcome[];
  state: string;
  lines: number;
}

/**
 * Freeze a board in place, all the way down: the model must never write to a board (the
 * runs of a plan share one frozen copy), and a write to a frozen object throws, which
 * fails the property; it also spares a copy per run.
 */
export function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

const ALREADY_BOUND_HEAD = 'driver_bound: device ';
const ALREADY_BOUND_TAIL = ' already bound';

/**
 * Run the steps on a fresh kernel, checking the invariants after each step. Throws on a
 * JavaScript error from the model, a runaway, or a broken invariant. The board is frozen.
 */
export function runChecked(board: ModelBoard, kernel: ResolvedProfile, steps: readonly ModelStep[], seed: number): Trace {
  const k = createKernel(deepFreeze(board), kernel, { seed });
  const pk = ctxOf(k).printk;
  const emit = pk.emit.bind(pk);
  pk.emit = (text: string) => {
    if (pk.lines.length >= MAX_LINES) throw new RunawayError(`more than ${MAX_LINES} printk lines: the run does not end`);
    emit(text);
  };
  const outcomes: StepOutcome[] = [];
  let panicked = false;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    const before = k.log.length;
    let o: StepOutcome;
    try {
      o = k.perform(step);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      err.message = `step ${i + 1} (${JSON.stringify(step)}) threw: ${err.message}`;
      throw err;
    }
    outcomes.push(o);
    const fail = (what: string) => new Error(`after step ${i + 1} ${JSON.stringify(step)}: ${what}`);
    if (panicked && (!o.panicked || !k.panicked || k.log.length !== before)) throw fail('a panicked kernel did not stay panicked');
    if (o.panicked !== k.panicked) throw fail(`the outcome says panicked=${o.panicked}, the kernel ${k.panicked}`);
    panicked = o.panicked;
    // the driver core's own guard against binding a bound device
    const log = k.log;
    for (let j = before; j < log.length; j++) {
      const t = log[j]!.text;
      if (t.startsWith(ALREADY_BOUND_HEAD) && t.endsWith(ALREADY_BOUND_TAIL)) throw fail(t);
    }
    if (!panicked) {
      const bad = invariantViolations(k);
      if (bad.length) throw fail(bad.join('; '));
      // a clean unbind or removal releases every managed resource
      if ((step.op === 'unbind' || step.op === 'remove-device') && !o.oopsed && (step.op === 'remove-device' || o.errno === 0)) {
        const dev = ctxOf(k).devices.get(step.device);
        if (dev && !dev.driver && dev.devres.length) throw fail(`${dev.name} still holds ${dev.devres.length} devres entries after a clean ${step.op}`);
      }
    }
  }
  const checks = k.checks();
  const state = JSON.stringify({
    devices: [...board.devices.map((d) => d.name), ...board.iommus.map((i) => i.name)].map((n) => k.device(n) ?? null),
    iommus: board.iommus.map((i) => k.iommu(i.name) ?? null),
    taint: k.taint(),
    errno: k.lastErrno() ?? null,
    checks,
  });
  const records = k.log;
  return {
    records,
    get log() {
      return records.map(formatLogLine).join('\n');
    },
    outcomes,
    state,
    lines: records.length,
  };
}

export interface ModelStats {
  cases: number;
  maxLines: number;
  panics: number;
  oopses: number;
}

/** the first line (1-based) where two logs differ, or 0 */
function firstDiff(a: readonly LogLine[], b: readonly LogLine[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (!x || !y || x.usec !== y.usec || x.text !== y.text) return i + 1;
  }
  return 0;
}

/** Two traces of one case are byte-identical: the model is deterministic. */
function assertSame(a: Trace, b: Trace, what: string): void {
  const line = firstDiff(a.records, b.records);
  if (line) throw new Error(`${what} printed different logs (first difference at line ${line})`);
  if (a.state !== b.state || JSON.stringify(a.outcomes) !== JSON.stringify(b.outcomes)) throw new Error(`${what} ended in different states`);
}

function count(stats: ModelStats, a: Trace): void {
  stats.cases++;
  stats.maxLines = Math.max(stats.maxLines, a.lines);
  if (a.outcomes.some((o) => o.panicked)) stats.panics++;
  if (a.outcomes.some((o) => o.oopsed)) stats.oopses++;
}

/** Run twice and compare bytes: the model is deterministic. */
function checkCase(board: ModelBoard, kernel: ResolvedProfile, steps: ModelStep[], seed: number, stats: ModelStats): void {
  const a = runChecked(board, kernel, steps, seed);
  const b = runChecked(board, kernel, steps, seed);
  assertSame(a, b, 'two runs');
  count(stats, a);
}

const MANY_PROFILES = 'model: one board on many profiles';

export function modelProperties(stats: Record<string, ModelStats> = {}): NamedProperty[] {
  const st = (name: string) => (stats[name] ??= { cases: 0, maxLines: 0, panics: 0, oopses: 0 });
  const random = fc.property(caseArb, (c) => {
    checkCase(c.board, c.kernel, buildSteps(c.board, c.seeds, c.bootFirst), c.seed, st('model: random steps, boards and kernels'));
  });
  // one board and one step list on many named profiles, each run once; then one of them
  // (the input picks which) again, after the others: it must print the same bytes, however
  // many kernels ran in between (state leaking from run to run is what this finds). One
  // input in sixteen takes every profile; the others six drawn at random: the profiles grew
  // from 5 to 66, and every profile on every input was 67 runs an input (a third of a
  // 10^5 fuzz run's time). A 10^5 run still puts each profile under ~14,000 boards.
  const PROFILE_INDEXES = PROFILE_KERNELS.map((_, i) => i);
  const manyProfiles = fc.property(
    caseArb,
    fc.nat(15),
    fc.shuffledSubarray(PROFILE_INDEXES, { minLength: Math.min(6, PROFILE_INDEXES.length), maxLength: Math.min(6, PROFILE_INDEXES.length) }),
    fc.nat(),
    (c, all, some, pick) => {
      const steps = buildSteps(c.board, c.seeds, c.bootFirst);
      const s = st(MANY_PROFILES);
      const which = all === 0 ? PROFILE_INDEXES : some;
      const again = which[pick % which.length]!;
      let first: Trace | undefined;
      for (const i of which) {
        const t = runChecked(c.board, PROFILE_KERNELS[i]!, steps, c.seed);
        if (i === again) first = t;
        count(s, t);
      }
      assertSame(first!, runChecked(c.board, PROFILE_KERNELS[again]!, steps, c.seed), `${PROFILE_NAMES[again]}, run again after the other profiles,`);
    },
  );
  // the shipped boards: real topologies (R-Car leaf/root IPMMUs, RK3568, MT8183, IORT...)
  const shipped = loadBoards([path.join(ROOT, 'boards')]).boards.map((b) => b.board);
  const onShipped = fc.property(
    fc.nat(Math.max(0, shipped.length - 1)),
    fc.array(stepSeedArb, { maxLength: 14 }),
    fc.boolean(),
    kernelArb,
    (i, seeds, bootFirst, kernel) => {
      const board = shipped[i % shipped.length]!;
      checkCase(board, kernel, buildSteps(board, seeds, bootFirst || seeds.length === 0), 0, st('model: random steps on the shipped boards'));
    },
  );
  return [
    { name: 'model: random steps, boards and kernels', property: random },
    { name: MANY_PROFILES, property: manyProfiles },
    { name: 'model: random steps on the shipped boards', property: onShipped },
  ];
}
