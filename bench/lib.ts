// The bench harness's pure parts: statistics, ratios, targets, the table, and the
// synthetic boards (generated in memory as ModelBoard objects). Nothing here times
// anything, so test/bench can check it exactly.

import type { BoardDevice, BoardDriver, BoardIommu, ModelBoard, ProbeAction } from '../runner/model/types.js';

/** The median of a non-empty list (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('median of an empty list');
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The smallest and largest of a non-empty list: the spread a median hides. */
export function spread(xs: readonly number[]): { min: number; max: number } {
  if (xs.length === 0) throw new Error('spread of an empty list');
  return { min: Math.min(...xs), max: Math.max(...xs) };
}

/** `median of 7, 12.3-45.6`: how many samples a figure is the median of, and their range. */
export function spreadNote(xs: readonly number[]): string {
  const { min, max } = spread(xs);
  return `median of ${xs.length}, ${formatNumber(min)}-${formatNumber(max)}`;
}

/**
 * Paired samples of a command (a) and its yardstick (b), run in turn: the difference and
 * the ratio of each pair, so a drift of the machine's speed moves both sides of a pair.
 */
export function paired(a: readonly number[], b: readonly number[]): { diff: number[]; ratio: number[] } {
  if (a.length !== b.length || a.length === 0) throw new Error('paired samples: two non-empty lists of one length');
  return { diff: a.map((x, i) => x - b[i]!), ratio: a.map((x, i) => ratio(x, b[i]!)) };
}

/** a / b, or Infinity when b is 0 and a is not. */
export function ratio(a: number, b: number): number {
  if (b === 0) return a === 0 ? 1 : Infinity;
  return a / b;
}

/** Runs per second from a count and a duration in milliseconds. */
export function perSecond(count: number, ms: number): number {
  return ms > 0 ? (count * 1000) / ms : Infinity;
}

/**
 * The growth exponent between two sizes: 1 = linear, 2 = quadratic.
 * (log(t2/t1) / log(n2/n1))
 */
export function growthExponent(n1: number, t1: number, n2: number, t2: number): number {
  return Math.log(t2 / t1) / Math.log(n2 / n1);
}

export type Cmp = '>=' | '<=' | '<';

export interface Target {
  cmp: Cmp;
  limit: number;
}

export function meets(value: number, t: Target): boolean {
  if (!Number.isFinite(value)) return false;
  switch (t.cmp) {
    case '>=':
      return value >= t.limit;
    case '<=':
      return value <= t.limit;
    case '<':
      return value < t.limit;
  }
}

/** One line of the table: a figure, its unit, and optionally the target it is held to. */
export interface Row {
  section: string;
  name: string;
  value: number;
  unit: string;
  /** extra context printed after the verdict (e.g. "bound 10000/10000") */
  note?: string;
  target?: Target;
}

export function verdict(r: Row): 'PASS' | 'MISS' | '' {
  return r.target ? (meets(r.value, r.target) ? 'PASS' : 'MISS') : '';
}

/** Three significant figures, thousands separated: 12,345 / 123 / 1.23 / 0.0123. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : v < 0 ? '-inf' : 'n/a';
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  if (a === 0) return '0';
  return v.toPrecision(3);
}

export function formatTarget(t: Target | undefined, unit: string): string {
  if (!t) return '';
  return `${t.cmp} ${formatNumber(t.limit)}${unit ? ' ' + unit : ''}`;
}

/** The one table the bench prints: section headers, aligned columns, a verdict per target. */
export function formatTable(rows: readonly Row[]): string {
  const cells = rows.map((r) => [r.name, `${formatNumber(r.value)} ${r.unit}`.trimEnd(), formatTarget(r.target, r.unit), verdict(r), r.note ?? '']);
  const head = ['figure', 'value', 'target', '', 'note'];
  const width = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((x, i) => (i === 1 ? x.padStart(width[i]!) : x.padEnd(width[i]!)))
      .join('  ')
      .trimEnd();
  const out: string[] = [line(head), width.map((w) => '-'.repeat(w)).join('  ')];
  let section = '';
  rows.forEach((r, i) => {
    if (r.section !== section) {
      section = r.section;
      out.push(`[${section}]`);
    }
    out.push(line(cells[i]!));
  });
  const targets = rows.filter((r) => r.target);
  const passed = targets.filter((r) => verdict(r) === 'PASS').length;
  out.push(`${passed}/${targets.length} targets met`);
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------
// Synthetic boards

export interface SyntheticOptions {
  /** client devices (the IOMMUs' own devices are not counted) */
  devices: number;
  /** arm-smmu-v3 instances the clients are spread over */
  iommus?: number;
  /** devices per client driver (a driver drives several instances, as on real SoCs) */
  devicesPerDriver?: number;
}

const DRIVER_SHAPES: readonly ProbeAction[][] = [
  [{ kind: 'dmam-alloc', size: 4096 }, { kind: 'request-irq', irq: 32 }],
  [{ kind: 'devm-alloc', size: 1024 }, { kind: 'dma-transfer', size: 512 }],
  [{ kind: 'dma-alloc', size: 8192 }, { kind: 'devm-alloc', size: 256 }],
  [{ kind: 'request-irq', irq: 64 }],
];

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/**
 * A board of `devices` platform clients behind `iommus` arm-smmu-v3 instances (round
 * robin, one stream ID each), driven by ceil(devices / devicesPerDriver) drivers at the
 * `device` initcall. Enough RAM for every DMA allocation; a 64-bit interconnect.
 */
export function syntheticBoard(opts: SyntheticOptions): ModelBoard {
  const nIommu = opts.iommus ?? 16;
  const perDriver = Math.max(1, opts.devicesPerDriver ?? 10);
  const nDrivers = Math.ceil(opts.devices / perDriver);
  const iommus: BoardIommu[] = [];
  for (let i = 0; i < nIommu; i++) {
    iommus.push({ name: `${hex(0x9000000 + i * 0x20000, 8)}.iommu`, driver: 'arm-smmu-v3', compatible: 'arm,smmu-v3', status: 'okay', options: {} });
  }
  const drivers: BoardDriver[] = [];
  for (let j = 0; j < nDrivers; j++) {
    drivers.push({ name: `synth${j}`, initcall: 'device', probe: DRIVER_SHAPES[j % DRIVER_SHAPES.length]!.map((a) => ({ ...a })), remove: [], async: false, driverManagedDma: false });
  }
  const devices: BoardDevice[] = [];
  for (let i = 0; i < opts.devices; i++) {
    const iommu = iommus.length ? iommus[i % iommus.length]! : undefined;
    devices.push({
      name: `${hex(0x10000000 + i * 0x1000, 8)}.dev`,
      driver: `synth${Math.floor(i / perDriver)}`,
      bus: 'platform',
      compatible: `bringup,synth${Math.floor(i / perDriver)}`,
      iommus: iommu ? [{ iommu: iommu.name, ids: [Math.floor(i / Math.max(1, iommus.length))] }] : [],
      dmaBits: [32, 40, 48, 64][i % 4]!,
      status: 'okay',
      present: true,
    });
  }
  return {
    id: `synthetic-${opts.devices}`,
    model: `bringup synthetic board (${opts.devices} devices, ${nIommu} SMMUs)`,
    arch: 'arm64',
    firmware: 'dt',
    // 16 GiB over two banks: room for every device's buffers
    memory: [
      { base: 0x40000000, size: 0x80000000 },
      { base: 0x800000000, size: 0x380000000 },
    ],
    iommus,
    devices,
    drivers,
  };
}

/**
 * The deferred-probe worst case: `n` devices, each driven by its own driver, device i
 * waiting for device i+1 (`wait-for`), registered in order, so every bind of the last
 * device in line re-triggers the whole deferred list. No IOMMU.
 */
export function chainBoard(n: number): ModelBoard {
  const name = (i: number) => `${hex(0x20000000 + i * 0x1000, 8)}.link`;
  const devices: BoardDevice[] = [];
  const drivers: BoardDriver[] = [];
  for (let i = 0; i < n; i++) {
    devices.push({ name: name(i), driver: `chain${i}`, bus: 'platform', compatible: `bringup,chain${i}`, iommus: [], dmaBits: 32, status: 'okay', present: true });
    drivers.push({
      name: `chain${i}`,
      initcall: 'device',
      probe: i + 1 < n ? [{ kind: 'wait-for', device: name(i + 1) }] : [],
      remove: [],
      async: false,
      driverManagedDma: false,
    });
  }
  return {
    id: `chain-${n}`,
    model: `bringup deferred chain (${n} devices)`,
    arch: 'arm64',
    firmware: 'dt',
    memory: [{ base: 0x40000000, size: 0x40000000 }],
    iommus: [],
    devices,
    drivers,
  };
}
