// The shapes of board and suite YAML documents once they passed their schema
// (dsl-schema/*.schema.json): keys exactly as written, defaults not yet applied.

export type Errno = string | number;

export interface BoardDoc {
  $schema?: string;
  board: string;
  model: string;
  arch: 'arm64' | 'arm' | 'x86_64';
  firmware: 'dt' | 'acpi';
  compatible?: string[];
  memory: { base: number; size: number }[];
  'bus-dma-bits'?: number;
  console?: number | 'none';
  iommus?: {
    name: string;
    driver: string;
    compatible?: string;
    status?: 'okay' | 'disabled';
    options?: { allowlist?: string[]; main?: string; larbs?: string[]; virtio?: string; version?: string; 'concurrent-probe'?: string[]; 'probe-during-walk'?: string[] };
  }[];
  devices?: {
    name: string;
    driver?: string;
    bus?: 'platform' | 'amba' | 'pci';
    compatible?: string;
    iommus?: { iommu: string; ids?: number[] }[];
    'dma-bits'?: number;
    'dma-coherent'?: boolean;
    status?: 'okay' | 'disabled';
    present?: boolean;
  }[];
  drivers?: Record<string, DriverDoc>;
}

export interface TransferDoc {
  size: number;
  coherent?: boolean;
  at?: number;
  error?: Errno;
  'on-error'?: string[];
}

export type ActionDoc = Partial<Record<'dmam-alloc' | 'dma-alloc' | 'dma-free' | 'devm-alloc' | 'request-irq', number>> & {
  'dma-transfer'?: number | TransferDoc;
  async?: { fn: string; do: ActionDoc[] };
  log?: string;
  printk?: string;
  'wait-for'?: string;
  fail?: Errno;
};

export interface DriverDoc {
  initcall?: 'core' | 'subsys' | 'arch' | 'device' | 'late' | 'module';
  probe?: ActionDoc[];
  remove?: ActionDoc[];
  async?: boolean;
  'driver-managed-dma'?: boolean;
  init?: string;
}

export type KernelDoc = string | { base: string; apply?: string[]; revert?: string[] };

export type PatternDoc = string | { regex: string };

export interface AssertionsDoc {
  log?: PatternDoc[];
  'log-unordered'?: PatternDoc[];
  'no-log'?: PatternDoc[];
  count?: { pattern: PatternDoc; times?: number; 'at-least'?: number; 'at-most'?: number }[];
  state?: StateDoc[];
}

export type StateDoc =
  | { device: string; bound?: boolean; driver?: string; deferred?: boolean; group?: number | 'none'; 'dma-ops'?: 'none' | 'direct' | 'iommu' }
  | { iommu: string; registered: boolean }
  | { tainted: string }
  | { errno: Errno };

export interface BootDoc {
  hold?: string[];
  order?: string[];
  late?: string[];
  'async-order'?: string[];
  'deferred-order'?: string[];
  'retry-after'?: string[];
  /** dynamic-debug queries, as the kernel command line's dyndbg= takes them */
  dyndbg?: string[];
}

export type StepDoc =
  | 'boot'
  | 'deferred-timeout'
  | { boot: BootDoc }
  | { bind: string | { device: string; driver?: string } }
  | { unbind: string }
  | { 'fail-probe': { device: string; error: Errno; at?: number; times?: number; log?: string } }
  | { 'register-iommu-late': string }
  | { 'load-module': string }
  | { 'unload-module': string }
  | { 'add-device': string }
  | { 'remove-device': string }
  | { 'deferred-timeout': null }
  | { expect: AssertionsDoc };

export interface ScenarioDoc {
  name: string;
  description?: string;
  boards?: string[];
  kernels?: KernelDoc[];
  'for-each'?: { device: string };
  steps: StepDoc[];
  expect?: AssertionsDoc;
  'known-bad'?: { kernel: KernelDoc; 'fixed-by': string; log?: PatternDoc[] }[];
  checks?: boolean | 'on' | 'off';
}

export interface SuiteDoc {
  $schema?: string;
  suite: string;
  description?: string;
  reference?: string[];
  boards?: string[];
  kernels?: KernelDoc[];
  scenarios: ScenarioDoc[];
}

/** A step as one (op, value) pair, whichever way it was written. */
export function stepEntry(step: StepDoc): [string, unknown] {
  if (typeof step === 'string') return [step, undefined];
  if (!step || typeof step !== 'object') return ['', undefined];
  const key = Object.keys(step)[0];
  return key === undefined ? ['', undefined] : [key, (step as Record<string, unknown>)[key]];
}
