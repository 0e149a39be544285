// The model's input: a resolved board and the steps it can perform.
// These are plain, JSON-serialisable data so a compiled run plan can carry them
// unchanged, and the model never depends on the DSL that produced them.

import type { BootPins } from './choice.js';

export type Arch = 'arm64' | 'arm' | 'x86_64';
export type Firmware = 'dt' | 'acpi';
export type BusName = 'platform' | 'amba' | 'pci';
export type Initcall = 'core' | 'subsys' | 'arch' | 'device' | 'late' | 'module';
export type Status = 'okay' | 'disabled';

/** Initcall levels in the order do_initcalls() runs them; 'module' drivers load only on request. */
export const INITCALL_ORDER: readonly Initcall[] = ['core', 'subsys', 'arch', 'device', 'late'];

export interface MemoryBank {
  base: number;
  size: number;
}

export interface IommuRef {
  /** the IOMMU instance's device name */
  iommu: string;
  /** DT specifier cells / IORT stream IDs */
  ids: number[];
}

export interface BoardIommu {
  name: string;
  /** a driver of the model's IOMMU catalog */
  driver: string;
  compatible?: string;
  status: Status;
  /** driver-specific options (MODEL.md catalog) */
  options: Record<string, unknown>;
}

export interface BoardDevice {
  name: string;
  /** the client driver that matches this device, or undefined for a device no driver claims */
  driver?: string;
  bus: BusName;
  compatible?: string;
  iommus: IommuRef[];
  dmaBits: number;
  /** snoops the CPU caches (dma-coherent / _CCA); undefined = the firmware's default */
  dmaCoherent?: boolean;
  status: Status;
  present: boolean;
}

export type ProbeAction =
  | { kind: 'dmam-alloc'; size: number }
  | { kind: 'dma-alloc'; size: number }
  | { kind: 'dma-free'; size: number }
  | { kind: 'devm-alloc'; size: number }
  | { kind: 'request-irq'; irq: number }
  | { kind: 'dma-transfer'; size: number; coherent?: boolean; at?: number; error?: number; onError?: string[] }
  | { kind: 'async'; fn: string; actions: ProbeAction[] }
  | { kind: 'log'; text: string }
  | { kind: 'printk'; text: string }
  | { kind: 'wait-for'; device: string }
  | { kind: 'fail'; errno: number };

export interface BoardDriver {
  name: string;
  initcall: Initcall;
  probe: ProbeAction[];
  remove: ProbeAction[];
  async: boolean;
  driverManagedDma: boolean;
  /** the module init function (do_one_initcall's callee in traces) */
  initFn?: string;
}

export interface ModelBoard {
  id: string;
  /** printed as "Hardware name:" */
  model: string;
  arch: Arch;
  firmware: Firmware;
  /** the device tree's root compatible list (DT boards); the model does not read it, reports do */
  compatible?: string[];
  memory: MemoryBank[];
  /** the interconnect's DMA limit in bits (dma-ranges); undefined = none */
  busDmaBits?: number;
  /** the serial console's baud rate (0: none); undefined = 115200 */
  consoleBaud?: number;
  iommus: BoardIommu[];
  devices: BoardDevice[];
  drivers: BoardDriver[];
}

/** A step the model (or any target) performs. `expect` steps never reach a target. */
export type ModelStep =
  | ({ op: 'boot'; hold: string[]; dyndbg?: string[] } & BootPins)
  | { op: 'bind'; device: string; driver?: string }
  | { op: 'unbind'; device: string }
  | { op: 'fail-probe'; device: string; errno: number; at?: number; times: number; log?: string }
  | { op: 'register-iommu-late'; iommu: string; driver: string }
  | { op: 'load-module'; driver: string }
  | { op: 'unload-module'; driver: string }
  | { op: 'add-device'; device: string }
  | { op: 'remove-device'; device: string }
  | { op: 'deferred-timeout' };

export type StepOp = ModelStep['op'];

/** A resolved kernel profile: a label and the set of behaviour ids switched on. */
export interface ResolvedProfile {
  /** profile name, or e.g. "v6.14+bcb81ac6ae3c" for {base, apply, revert} */
  name: string;
  /** the release this profile's log format follows (the base profile's) */
  base: string;
  behaviours: readonly string[];
}
