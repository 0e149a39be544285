// Boards: the checks a schema cannot express (names unique and resolvable, the id
// matching the file name) and the conversion to the model's ModelBoard with defaults.

import path from 'node:path';
import type { BoardDevice, BoardDriver, ModelBoard, ProbeAction } from '../model/types.js';
import { parseErrno } from '../model/kernel/errno.js';
import type { Diagnostic } from './diagnostic.js';
import type { ActionDoc, BoardDoc, Errno, TransferDoc } from './doc-types.js';
import { guarded, type SourceFile } from './source.js';
import { didYouMean } from './suggest.js';
import { MAX_ACTION_BYTES, MAX_ACTION_TEXT } from './limits.js';

/** which catalog driver reads each IOMMU option (MODEL.md catalog) */
const OPTION_DRIVER: Record<string, string> = {
  allowlist: 'ipmmu-vmsa',
  main: 'ipmmu-vmsa',
  larbs: 'mtk-iommu',
  virtio: 'virtio-iommu',
  version: 'exynos-sysmmu',
};

/** one past the highest physical address a bank may reach */
const MAX_PHYS_END = 2 ** 52;

export interface LoadedBoard {
  id: string;
  file: string;
  source: SourceFile;
  doc: BoardDoc;
  board: ModelBoard;
}

/** The base name without .yaml/.yml: what a board or suite id must equal. */
export function fileId(file: string): string {
  return path.basename(file).replace(/\.ya?ml$/, '');
}

export function toErrno(value: Errno): number {
  // -0 would print as 0 but compare unequal to 0 in deep equality
  return parseErrno(value) || 0;
}

export function checkBoard(source: SourceFile, doc: BoardDoc, lenient = false): Diagnostic[] {
  const out: Diagnostic[] = [];
  const want = fileId(source.file);
  const g = (fn: () => void) => guarded(lenient, fn);
  if (typeof doc.board === 'string' && doc.board !== want) out.push(source.error(['board'], `board id "${doc.board}" does not match the file name (expected "${want}")`));

  // IOMMUs are devices too (the IOMMU's own platform device), so they share one namespace
  const names = new Map<string, number>();
  const list = <T>(v: T[] | undefined): T[] => (Array.isArray(v) ? v.filter((x) => x && typeof x === 'object') : []);
  const iommuNames = list(doc.iommus).map((i) => i.name);
  const deviceNames = [...iommuNames, ...list(doc.devices).map((d) => d.name)];
  const drivers = doc.drivers && typeof doc.drivers === 'object' ? Object.keys(doc.drivers) : [];
  const unique = (p: (string | number)[], name: string) => {
    const first = names.get(name);
    if (first !== undefined) out.push(source.error(p, `duplicate device name "${name}" (first defined at line ${first})`));
    else names.set(name, source.span(p).line);
  };
  list(doc.iommus).forEach((iommu, i) => g(() => {
    unique(['iommus', i, 'name'], iommu.name);
    const opts = iommu.options ?? {};
    let misplaced = false;
    for (const key of Object.keys(opts)) {
      const owner = OPTION_DRIVER[key];
      if (owner && owner !== iommu.driver) {
        out.push(source.error(['iommus', i, 'options', key], `option "${key}" applies to ${owner} only, not ${iommu.driver}`, 'key'));
        misplaced = true;
      }
    }
    if (misplaced) return;
    for (const key of ['allowlist', 'larbs', 'concurrent-probe', 'probe-during-walk'] as const) {
      (opts[key] ?? []).forEach((dev, j) => {
        if (!deviceNames.includes(dev)) out.push(source.error(['iommus', i, 'options', key, j], `unknown device "${dev}"${didYouMean(dev, deviceNames)}`));
      });
    }
    if (opts.main !== undefined) {
      if (opts.main === iommu.name) out.push(source.error(['iommus', i, 'options', 'main'], `IOMMU "${iommu.name}" cannot be its own main IOMMU`));
      else if (!iommuNames.includes(opts.main)) out.push(source.error(['iommus', i, 'options', 'main'], `unknown IOMMU "${opts.main}"${didYouMean(opts.main, iommuNames)}`));
    }
  }));
  list(doc.memory).forEach((bank, i) => g(() => {
    // each bound alone is in the schema; together they keep every address below 2^52
    if (typeof bank.base === 'number' && typeof bank.size === 'number' && bank.base < MAX_PHYS_END && bank.size <= MAX_PHYS_END && bank.base + bank.size > MAX_PHYS_END) {
      out.push(source.error(['memory', i, 'size'], `the bank ends at 0x${(bank.base + bank.size).toString(16)}, past 2^52 (the widest physical address of arm64 and x86-64)`));
    }
  }));
  list(doc.devices).forEach((dev, i) => g(() => {
    unique(['devices', i, 'name'], dev.name);
    if (dev.driver !== undefined && !drivers.includes(dev.driver)) {
      out.push(source.error(['devices', i, 'driver'], `unknown driver "${dev.driver}"${didYouMean(dev.driver, drivers)}; declare it under drivers:`));
    }
    (dev.iommus ?? []).forEach((ref, j) => {
      if (!iommuNames.includes(ref.iommu)) {
        out.push(source.error(['devices', i, 'iommus', j, 'iommu'], `unknown IOMMU "${ref.iommu}"${didYouMean(ref.iommu, iommuNames)}`));
      }
    });
  }));
  for (const name of drivers) {
    const drv = doc.drivers![name]!;
    for (const which of ['probe', 'remove'] as const) {
      g(() =>
        (drv[which] ?? []).forEach((action, j) => {
          if (!action || typeof action !== 'object') return;
          for (const key of ['dmam-alloc', 'dma-alloc', 'dma-free', 'devm-alloc', 'dma-transfer'] as const) {
            const size = (action as Record<string, unknown>)[key];
            if (typeof size === 'number' && size > MAX_ACTION_BYTES) {
              out.push(source.error(['drivers', name, which, j, key], `${key} of ${size} bytes is over the model's limit of ${MAX_ACTION_TEXT} (${MAX_ACTION_BYTES} bytes) for one action`));
            }
          }
          const dev = action['wait-for'];
          if (typeof dev === 'string' && !deviceNames.includes(dev)) {
            out.push(source.error(['drivers', name, which, j, 'wait-for'], `unknown device "${dev}"${didYouMean(dev, deviceNames)}`));
          }
        }),
      );
    }
  }
  return out;
}

function toAction(a: ActionDoc): ProbeAction {
  const [kind, v] = Object.entries(a)[0]!;
  switch (kind) {
    case 'request-irq':
      return { kind, irq: v as number };
    case 'log':
    case 'printk':
      return { kind, text: v as string };
    case 'wait-for':
      return { kind, device: v as string };
    case 'fail':
      return { kind, errno: toErrno(v as Errno) };
    case 'dma-transfer': {
      if (typeof v === 'number') return { kind, size: v };
      const t = v as TransferDoc;
      return {
        kind,
        size: t.size,
        ...(t.coherent !== undefined ? { coherent: t.coherent } : {}),
        ...(t.at !== undefined ? { at: t.at } : {}),
        ...(t.error !== undefined ? { error: toErrno(t.error) } : {}),
        ...(t['on-error'] !== undefined ? { onError: [...t['on-error']] } : {}),
      };
    }
    case 'async': {
      const a = v as { fn: string; do: ActionDoc[] };
      return { kind, fn: a.fn, actions: a.do.map(toAction) };
    }
    default:
      return { kind: kind as 'dmam-alloc', size: v as number };
  }
}

/**
 * The string V8 keeps for `s` as a property name: flat and internalized. The fast parser's
 * scalars are slices of the file's text (two-byte when the file has a non-ASCII character);
 * the model looks names up in Maps thousands of times per run, and comparing a slice with a
 * key costs a flattening and a character compare each time, an internalized string one
 * pointer compare (a tenth of a late-IOMMU run went to it).
 */
function intern(s: string): string {
  return Object.keys({ [s]: 0 })[0]!;
}

/** what the model compares of a board: its names, in that form */
function internNames<T>(v: T): T {
  if (typeof v === 'string') return intern(v) as T;
  if (Array.isArray(v)) return v.map(internNames) as T;
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([key, x]) => [key, internNames(x)])) as T;
  return v;
}

/** The model's board, with every default of DSL.md applied. */
export function toModelBoard(doc: BoardDoc): ModelBoard {
  return internNames(modelBoard(doc));
}

function modelBoard(doc: BoardDoc): ModelBoard {
  const devices: BoardDevice[] = (doc.devices ?? []).map((d) => ({
    name: d.name,
    ...(d.driver !== undefined ? { driver: d.driver } : {}),
    bus: d.bus ?? 'platform',
    ...(d.compatible !== undefined ? { compatible: d.compatible } : {}),
    iommus: (d.iommus ?? []).map((r) => ({ iommu: r.iommu, ids: [...(r.ids ?? [])] })),
    dmaBits: d['dma-bits'] ?? 32,
    ...(d['dma-coherent'] !== undefined ? { dmaCoherent: d['dma-coherent'] } : {}),
    status: d.status ?? 'okay',
    present: d.present ?? true,
  }));
  const drivers: BoardDriver[] = Object.entries(doc.drivers ?? {}).map(([name, d]) => ({
    name,
    initcall: d.initcall ?? 'device',
    probe: (d.probe ?? []).map(toAction),
    remove: (d.remove ?? []).map(toAction),
    async: d.async ?? false,
    driverManagedDma: d['driver-managed-dma'] ?? false,
    ...(d.init !== undefined ? { initFn: d.init } : {}),
  }));
  return {
    id: doc.board,
    model: doc.model,
    arch: doc.arch,
    firmware: doc.firmware,
    ...(doc.compatible !== undefined ? { compatible: [...doc.compatible] } : {}),
    memory: doc.memory.map((m) => ({ base: m.base, size: m.size })),
    ...(doc['bus-dma-bits'] !== undefined ? { busDmaBits: doc['bus-dma-bits'] } : {}),
    ...(doc.console !== undefined ? { consoleBaud: doc.console === 'none' ? 0 : doc.console } : {}),
    iommus: (doc.iommus ?? []).map((i) => ({
      name: i.name,
      driver: i.driver,
      ...(i.compatible !== undefined ? { compatible: i.compatible } : {}),
      status: i.status ?? 'okay',
      options: structuredClone(i.options ?? {}),
    })),
    devices,
    drivers,
  };
}
