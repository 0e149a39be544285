// What a report knows besides the verdicts: the target the runs ran on, and the boards
// and suites they came from. KCIDB needs a board's DT compatible and arch, the HTML
// report draws its topology; the JSON report carries it all so that `bringup merge`
// can render any format from shards. Plain JSON data, built from the plan.

import type { PlanRun } from '../dsl/plan.js';

export interface IommuInfo {
  name: string;
  driver: string;
  compatible?: string;
  status: string;
  /** the IOMMU this one hangs off (R-Car's cache IPMMUs and their root) */
  main?: string;
}

export interface DeviceInfo {
  name: string;
  driver?: string;
  bus: string;
  compatible?: string;
  status: string;
  present: boolean;
  iommus: { iommu: string; ids: number[] }[];
  /** devices whose driver must be bound first (the driver's wait-for actions) */
  suppliers: string[];
}

export interface BoardInfo {
  id: string;
  model: string;
  arch: string;
  firmware: string;
  /** the device tree's root compatible list (DT boards) */
  compatible?: string[];
  iommus: IommuInfo[];
  devices: DeviceInfo[];
}

export interface SuiteInfo {
  name: string;
  file: string;
  description?: string;
  reference: string[];
}

export interface ReportContext {
  /** "model" or "qemu" */
  target: string;
  boards: Record<string, BoardInfo>;
  suites: Record<string, SuiteInfo>;
}

function boardInfo(b: PlanRun['board']): BoardInfo {
  const waits = new Map<string, string[]>();
  for (const d of b.drivers) {
    const w: string[] = [];
    for (const a of [...d.probe, ...d.remove]) if (a.kind === 'wait-for' && !w.includes(a.device)) w.push(a.device);
    waits.set(d.name, w);
  }
  const info: BoardInfo = {
    id: b.id,
    model: b.model,
    arch: b.arch,
    firmware: b.firmware,
    iommus: b.iommus.map((i) => {
      const o: IommuInfo = { name: i.name, driver: i.driver, status: i.status };
      if (i.compatible !== undefined) o.compatible = i.compatible;
      const main = i.options['main'];
      if (typeof main === 'string') o.main = main;
      return o;
    }),
    devices: b.devices.map((d) => {
      const o: DeviceInfo = {
        name: d.name,
        bus: d.bus,
        status: d.status,
        present: d.present,
        iommus: d.iommus.map((r) => ({ iommu: r.iommu, ids: [...r.ids] })),
        suppliers: d.driver ? [...(waits.get(d.driver) ?? [])] : [],
      };
      if (d.driver !== undefined) o.driver = d.driver;
      if (d.compatible !== undefined) o.compatible = d.compatible;
      return o;
    }),
  };
  if (b.compatible?.length) info.compatible = [...b.compatible];
  return info;
}

/** The context of a set of planned runs, boards and suites in first-seen order. */
export function contextOf(runs: readonly PlanRun[], target: string): ReportContext {
  const ctx: ReportContext = { target, boards: {}, suites: {} };
  for (const r of runs) {
    if (!ctx.boards[r.board.id]) ctx.boards[r.board.id] = boardInfo(r.board);
    if (!ctx.suites[r.suite]) {
      const s: SuiteInfo = { name: r.suite, file: r.file, reference: [...r.reference] };
      ctx.suites[r.suite] = s;
    }
  }
  return ctx;
}
