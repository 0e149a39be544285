// The real-kernel execution target: Debian's 6.12 arm64 kernel booted in QEMU (TCG), driven
// through sysfs over the serial console. `bringup run --target qemu` imports this lazily.
// Assets come from `npm run setup:qemu` (.cache/qemu/assets.json); without them
// unavailable() says why and the runs are reported as SKIP.

import type { PlanRun } from '../../../dsl/plan.js';
import type { Target, TargetSession } from '../../target.js';
import { existsSync } from 'node:fs';
import { loadAssets, loadKernelAssets } from './assets.js';
import type { AssetsResult } from './assets.js';
import { GuestPool } from './pool.js';
import { DEFAULT_CONFIG, unsupportedReason } from './compile.js';
import type { TargetConfig } from './compile.js';
import { QemuSession } from './session.js';
import type { SessionOptions } from './session.js';

export interface QemuTargetOptions {
  /** .cache/qemu by default, or BRINGUP_QEMU_CACHE */
  cacheDir?: string;
  /** deferred_probe_timeout= seconds; default 5 (BRINGUP_QEMU_DEFERRED_TIMEOUT) */
  deferredProbeTimeout?: number;
  bootTimeoutMs?: number;
  /** a guest powers itself off (and is killed a minute later) after this long; default 900 s */
  lifetimeSeconds?: number;
  stepTimeoutMs?: number;
  maskHarnessTaint?: boolean;
  /** extra kernel command-line words (BRINGUP_QEMU_APPEND, space separated) */
  extraAppend?: string[];
  onConsole?: (runId: string, chunk: string) => void;
  onTiming?: (runId: string, what: string, ms: number) => void;
  /**
   * A kernel line of the conformance matrix (`6.1`, `7.3`; BRINGUP_QEMU_KERNEL): the run boots
   * kernels/<line>-<arch>.json for its board's architecture. Unset: the arm64 kernel of
   * `npm run setup:qemu` (assets.json).
   */
  kernel?: string;
  /** reuse guests across runs (pool.ts; BRINGUP_QEMU_REUSE=1) */
  reuse?: boolean;
}

/** The kernel option of each IOMMU driver a board can name (kernels/<line>-<arch>.json config). */
const IOMMU_CONFIG: Readonly<Record<string, string>> = {
  'virtio-iommu': 'VIRTIO_IOMMU',
  'arm-smmu-v3': 'ARM_SMMU_V3',
  'intel-iommu': 'INTEL_IOMMU',
  'amd-iommu': 'AMD_IOMMU',
};

/**
 * What a run on this target does, as a number: bump it when a change alters what the guest is
 * asked to do or how its answers are read, so cached real-kernel results (`npm run
 * conformance`) are measured again.
 */
export const HARNESS_VERSION = 1;

/** q35 boots faster without SeaBIOS's device probing. */
const QBOOT = '/usr/share/qemu/qboot.rom';

function envNumber(name: string): number | undefined {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * A run this target cannot execute (a board QEMU cannot build, a step the real kernel cannot
 * be made to do). `skip: true` marks it for an executor that reports such runs as SKIP.
 */
export class UnsupportedRun extends Error {
  readonly skip = true;
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedRun';
  }
}

export function createQemuTarget(opts: QemuTargetOptions = {}): Target {
  const config: TargetConfig = {
    ...DEFAULT_CONFIG,
    deferredProbeTimeout: opts.deferredProbeTimeout ?? envNumber('BRINGUP_QEMU_DEFERRED_TIMEOUT') ?? DEFAULT_CONFIG.deferredProbeTimeout,
    lifetimeSeconds: opts.lifetimeSeconds ?? DEFAULT_CONFIG.lifetimeSeconds,
    extraAppend: opts.extraAppend ?? (process.env['BRINGUP_QEMU_APPEND']?.split(/\s+/).filter(Boolean) ?? []),
  };
  const sessionOpts: SessionOptions = {
    config,
    bootTimeoutMs: opts.bootTimeoutMs ?? 120_000,
    stepTimeoutMs: opts.stepTimeoutMs ?? 60_000,
    maskHarnessTaint: opts.maskHarnessTaint ?? true,
    ...(opts.onConsole ? { onConsole: opts.onConsole } : {}),
    ...(opts.onTiming ? { onTiming: opts.onTiming } : {}),
  };
  const line = opts.kernel ?? (process.env['BRINGUP_QEMU_KERNEL'] || undefined);
  const reuse = opts.reuse ?? process.env['BRINGUP_QEMU_REUSE'] === '1';
  const pool = reuse ? new GuestPool() : undefined;
  const assetsFor = (arch: string): AssetsResult => {
    if (line !== undefined) return loadKernelAssets(line, arch, opts.cacheDir);
    if (arch !== 'arm64') return { ok: false, reason: `no ${arch} kernel selected (set BRINGUP_QEMU_KERNEL to a line such as 6.12 and run \`npm run setup:kernels\`)` };
    return loadAssets(opts.cacheDir);
  };
  return {
    name: 'qemu',
    async unavailable() {
      if (line === undefined) {
        const r = loadAssets(opts.cacheDir);
        return r.ok ? undefined : r.reason;
      }
      const rs = ['arm64', 'x86_64'].map(assetsFor);
      return rs.some((r) => r.ok) ? undefined : rs.map((r) => (r.ok ? '' : r.reason)).join('; ');
    },
    async open(run: PlanRun): Promise<TargetSession> {
      const r = assetsFor(run.board.arch);
      if (!r.ok) {
        if (line !== undefined) throw new UnsupportedRun(r.reason);
        throw new Error(r.reason);
      }
      const io = run.board.iommus.find((i) => i.status !== 'disabled');
      const cfgName = io ? IOMMU_CONFIG[io.driver] : undefined;
      if (io && cfgName && r.assets.config && (r.assets.config[cfgName] ?? 'n') === 'n') {
        throw new UnsupportedRun(`${r.assets.kver} does not have ${io.driver} (CONFIG_${cfgName} is not set)`);
      }
      const runConfig: TargetConfig = { ...config };
      if (r.assets.builtin) runConfig.builtin = new Set(r.assets.builtin);
      if (run.board.arch === 'x86_64' && existsSync(QBOOT)) runConfig.bios = QBOOT;
      const steps = run.steps.flatMap((s) => ('step' in s ? [s.step] : []));
      const why = unsupportedReason(run.board, steps, runConfig);
      if (why !== undefined) throw new UnsupportedRun(`not runnable on the qemu target: ${why}`);
      return new QemuSession(run, r.assets, { ...sessionOpts, config: runConfig, ...(pool ? { pool } : {}) });
    },
    async dispose() {
      await pool?.closeAll();
    },
  };
}

export { loadAssets, loadKernelAssets } from './assets.js';
export { GuestPool, poolable } from './pool.js';
export { QemuSession } from './session.js';
export * from './compile.js';
