// The real-kernel execution target: Debian's 6.12 arm64 kernel booted in QEMU (TCG), driven
// through sysfs over the serial console. `bringup run --target qemu` imports this lazily.
// Assets come from `npm run setup:qemu` (.cache/qemu/assets.json); without them
// unavailable() says why and the runs are reported as SKIP.

import type { PlanRun } from '../../../dsl/plan.js';
import type { Target, TargetSession } from '../../target.js';
import { loadAssets } from './assets.js';
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
}

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
  return {
    name: 'qemu',
    async unavailable() {
      const r = loadAssets(opts.cacheDir);
      return r.ok ? undefined : r.reason;
    },
    async open(run: PlanRun): Promise<TargetSession> {
      const r = loadAssets(opts.cacheDir);
      if (!r.ok) throw new Error(r.reason);
      const steps = run.steps.flatMap((s) => ('step' in s ? [s.step] : []));
      const why = unsupportedReason(run.board, steps, config);
      if (why !== undefined) throw new UnsupportedRun(`not runnable on the qemu target: ${why}`);
      return new QemuSession(run, r.assets, sessionOpts);
    },
  };
}

export { loadAssets } from './assets.js';
export { QemuSession } from './session.js';
export * from './compile.js';
