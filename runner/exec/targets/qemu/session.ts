// One run on a real kernel: a QEMU guest booted by the `boot` step, driven step by step over
// the serial console, its kernel log collected with `dmesg -c` after every step.

import type { CheckFailure, DeviceState, LogLine, StepOutcome } from '../../../model/api.js';
import type { ModelBoard, ModelStep } from '../../../model/types.js';
import type { PlanRun } from '../../../dsl/plan.js';
import type { StateQuery, StateSnapshot, TargetSession } from '../../target.js';
import type { QemuAssets } from './assets.js';
import type { BootSpec, TargetConfig } from './compile.js';
import { bootModules, devicePath, compileStep, moduleName, parseSnapshot, PROBETEST, qemuCommand, snapshotCommand, failProbeParams, sysfsDriverName } from './compile.js';
import type { GuestPool } from './pool.js';
import { poolable, resetCommands } from './pool.js';
import { consoleKernelLines, HARNESS_TAINT, parseDmesg, taintLetters } from './dmesg.js';
import { errnoFromShell } from './errno.js';
import { shq } from './shell.js';
import { Guest, GuestExited } from './guest.js';

export interface SessionOptions {
  config: TargetConfig;
  bootTimeoutMs: number;
  stepTimeoutMs: number;
  /** hide the O/E taint of the harness's own probetest module; default true */
  maskHarnessTaint: boolean;
  /** console transcript sink */
  onConsole?: (runId: string, chunk: string) => void;
  /** per-step timings (ms) */
  onTiming?: (runId: string, what: string, ms: number) => void;
  /**
   * Reuse guests across runs (pool.ts): runs boot with deferred_probe_timeout=-1 (the timer
   * fires only where a run asks for it with `deferred-timeout`, as on the model), a poolable
   * run starts on an idle guest reset to its boot state, and a clean guest goes back to the
   * pool when its run ends.
   */
  pool?: GuestPool;
}

/**
 * A shell function: returns once two samples 0.2 s apart of (last kernel log line, deferred
 * list) are equal, or after 15 s. The real kernel probes deferred devices from a workqueue, so
 * a step's effects keep arriving after its sysfs write or modprobe has returned.
 */
export const SETTLE_FN =
  'settle() { n=0; p=x; while [ $n -lt 75 ]; do c="$(dmesg | tail -n 1)|$(cat /sys/kernel/debug/devices_deferred 2>/dev/null)"; ' +
  '[ "$c" = "$p" ] && return 0; p=$c; n=$((n+1)); sleep 0.2; done; return 0; }';

/** how a tab crosses the serial console in devicesDeferred() */
const TAB = '@TAB@';

const OOPS = /Internal error: Oops|Unable to handle kernel|BUG: |Oops\b/;
/** after any of these the kernel is not in a state the next run can start from */
const DIRTY = /Internal error: Oops|Unable to handle kernel|BUG: |Oops\b|WARNING: |Kernel panic|Call trace:|bringup: QEMU exited/;
const PANIC = /Kernel panic - not syncing/;

export class QemuSession implements TargetSession {
  private guest: Guest | undefined;
  private readonly lines: LogLine[] = [];
  private lastErrno: number | undefined;
  private panicked = false;
  private pendingParams = new Map<string, string[]>();
  /** host time of the last driver registration (boot or modprobe): the deferred-probe timer restarts then */
  private lastRegistration = 0;
  /** the guest's shell answered */
  private ready = false;
  /** modules loaded in the guest (boot's list, then load-module / unload-module) */
  private readonly loaded = new Set<string>();
  /** the pool key this run's guest may go back under (reuse mode, no deferred-timeout) */
  private poolKey: string | undefined;
  /** a harness command failed mid-run: the guest's state is unknown */
  private broken = false;
  /** the guest was reset from the pool rather than booted */
  reused = false;
  readonly board: ModelBoard;

  constructor(
    readonly run: PlanRun,
    readonly assets: QemuAssets,
    readonly opts: SessionOptions,
  ) {
    this.board = run.board;
  }

  /** QEMU's PID while the guest runs (diagnostics, tests) */
  get guestPid(): number | undefined {
    return this.guest?.pid;
  }

  log(): readonly LogLine[] {
    return this.lines;
  }

  async perform(step: ModelStep): Promise<StepOutcome> {
    if (this.panicked) return { oopsed: false, panicked: true };
    const t0 = Date.now();
    try {
      if (step.op === 'boot') return await this.boot(step.hold);
      if (!this.guest || (step.op === 'fail-probe' && !this.loaded.has(moduleName(PROBETEST)))) return this.armAtLoad(step);
      const cmds = compileStep(step, this.board, this.opts.config, this.secondsUntilTimeout());
      if (step.op === 'load-module' || step.op === 'register-iommu-late') {
        // parameters armed while the module was not loaded go on its modprobe line
        const mod = moduleName(step.driver);
        const params = this.pendingParams.get(mod);
        if (params) {
          cmds[0] = { ...cmds[0]!, cmd: cmds[0]!.cmd.replace(/ 2>&1$/, ` ${params.map(shq).join(' ')} 2>&1`) };
          this.pendingParams.delete(mod);
        }
        this.loaded.add(mod);
      } else if (step.op === 'unload-module') {
        this.loaded.delete(moduleName(step.driver));
      }
      let errno: number | undefined;
      for (const c of cmds) {
        const { rc, out } = await this.guest.run(c.cmd, c.timeoutMs ?? this.opts.stepTimeoutMs);
        if (c.errno) errno = errnoFromShell(out, rc);
        else if (rc !== 0 && step.op !== 'unload-module') {
          // a harness command failed (modprobe, a parameter write): that is an error of the run,
          // not a kernel outcome
          throw new Error(`${step.op}: guest command failed (rc=${rc}): ${c.cmd}\n${out.trim()}`);
        }
        if (c.registersDriver) this.lastRegistration = Date.now();
      }
      const fresh = await this.collect();
      if (errno !== undefined) this.lastErrno = errno;
      const oopsed = fresh.some((l) => OOPS.test(l.text));
      return errno === undefined ? { oopsed, panicked: false } : { errno, oopsed, panicked: false };
    } catch (e) {
      if (e instanceof GuestExited) return this.died(e);
      this.broken = true;
      throw e;
    } finally {
      this.opts.onTiming?.(this.run.id, step.op, Date.now() - t0);
    }
  }

  /**
   * Steps before `boot`, and fail-probe while probetest is not loaded: the failure is armed
   * as module parameters for the modprobe that loads it (at boot or by load-module).
   */
  private armAtLoad(step: ModelStep): StepOutcome {
    if (step.op !== 'fail-probe') throw new Error(`${step.op} before boot: the qemu target has no running kernel yet`);
    const d = this.board.devices.find((x) => x.name === step.device);
    if (!d || d.driver !== PROBETEST) throw new Error(`fail-probe: only devices driven by ${PROBETEST} can fail on the qemu target`);
    this.pendingParams.set(moduleName(PROBETEST), failProbeParams(step.errno, step.times, step.at).map(([k, v]) => `${k}=${v}`));
    return { oopsed: false, panicked: false };
  }

  private secondsUntilTimeout(): number {
    const elapsed = (Date.now() - this.lastRegistration) / 1000;
    return Math.max(0, this.opts.config.deferredProbeTimeout - elapsed);
  }

  /** The command-line configuration of this run's guest, and under which key it may be pooled. */
  private bootConfig(): TargetConfig {
    const cfg = this.opts.config;
    if (!this.opts.pool) return cfg;
    if (this.run.steps.some((s) => 'step' in s && s.step.op === 'deferred-timeout')) {
      // the kernel's own default, shortened where it is a timer: before 6.0 Debian's kernels
      // boot with driver_deferred_probe_timeout = 0 (5.10's dd.c: "int
      // driver_deferred_probe_timeout;", and the timeout work is scheduled only when it is > 0),
      // so passing 0 changes nothing; from 6.0 the default is 10 s, here 5 s
      return /^[1-5]\./.test(this.assets.kver) ? { ...cfg, deferredProbeTimeout: 0 } : cfg;
    }
    // reuse mode: no timer unless a run asks for it, and guests that live for a whole cell
    const pooled = { ...cfg, deferredProbeTimeout: -1, lifetimeSeconds: Math.max(cfg.lifetimeSeconds, 4 * 3600) };
    this.poolKey = [this.board.id, this.assets.kernel, pooled.deferredProbeTimeout, pooled.extraAppend.join(' ')].join('|');
    return pooled;
  }

  private async boot(hold: readonly string[]): Promise<StepOutcome> {
    if (this.guest) throw new Error('boot: the guest is already running (one boot per run)');
    const spec: BootSpec = { hold, moduleParams: this.pendingParams };
    const cfg = this.bootConfig();
    if (this.poolKey && poolable(this.run)) {
      const g = this.opts.pool!.take(this.poolKey);
      if (g && (await this.reset(g, spec, cfg))) return { oopsed: false, panicked: false };
    }
    const cmd = qemuCommand(this.assets.qemu, this.assets.kernel, this.assets.initrd, this.board, spec, cfg);
    const t0 = Date.now();
    const onConsole = this.opts.onConsole;
    const runId = this.run.id;
    // the host kills QEMU a minute after the guest's own watchdog should have powered it off
    const lifetimeMs = (cfg.lifetimeSeconds + 60) * 1000;
    this.guest = new Guest(cmd.argv, onConsole ? { lifetimeMs, onConsole: (s) => onConsole(runId, s) } : { lifetimeMs });
    for (const m of cmd.modules) {
      this.loaded.add(m);
      this.pendingParams.delete(m);
    }
    const { before } = await this.guest.expect(/=== INIT UP [0-9.]+ ===/, this.opts.bootTimeoutMs);
    this.opts.onTiming?.(this.run.id, 'boot-to-shell', Date.now() - t0);
    const failed = /=== LOAD FAILED (\S+) ===/.exec(before);
    if (failed) throw new Error(`boot: modprobe ${failed[1]} failed in the guest`);
    this.lastRegistration = Date.now();
    // quiet console: no echo, no prompt, no printk interleaving; the log is read with dmesg
    this.guest.send("stty -echo; dmesg -n 1; PS1=''; PS2=''\n");
    await this.guest.run(SETTLE_FN, this.opts.stepTimeoutMs);
    this.ready = true;
    // devices declared absent exist in QEMU but start removed; add-device rescans the bus
    for (const d of this.board.devices) {
      if (!d.present && d.status !== 'disabled') {
        await this.guest.run(`echo 1 > ${shq(`${devicePath(d)}/remove`)}`, this.opts.stepTimeoutMs);
      }
    }
    const fresh = await this.collect();
    return { oopsed: fresh.some((l) => OOPS.test(l.text)), panicked: false };
  }

  /**
   * Take a pooled guest back to what `boot` with `spec` leaves (pool.ts). The log of the
   * reset itself is discarded: this run's log starts after it. False (and the guest closed)
   * when the guest does not come back cleanly; the caller then boots a fresh one.
   */
  private async reset(g: Guest, spec: BootSpec, cfg: TargetConfig): Promise<boolean> {
    const t0 = Date.now();
    try {
      for (const c of resetCommands(this.board, spec, cfg)) {
        const { rc, out } = await g.run(c, 120_000);
        if (rc !== 0) throw new Error(`reset: ${c} failed (rc=${rc}): ${out.trim()}`);
      }
      await g.run('settle', this.opts.stepTimeoutMs);
      const { out } = await g.run('dmesg -c', this.opts.stepTimeoutMs);
      if (parseDmesg(out).some((l) => DIRTY.test(l.text))) throw new Error('reset: the kernel complained');
    } catch {
      await g.close(0);
      return false;
    }
    this.guest = g;
    this.ready = true;
    this.reused = true;
    for (const m of bootModules(this.board, spec, cfg)) {
      this.loaded.add(m);
      this.pendingParams.delete(m);
    }
    this.lastRegistration = Date.now();
    this.opts.onTiming?.(this.run.id, 'reset', Date.now() - t0);
    return true;
  }

  /**
   * Wait for the driver core to go quiet (deferred-probe work and async probes run after the
   * sysfs write or modprobe returns), then read and clear the kernel ring; append the records.
   */
  private async collect(): Promise<LogLine[]> {
    const t0 = Date.now();
    await this.guest!.run('settle', this.opts.stepTimeoutMs);
    this.opts.onTiming?.(this.run.id, 'settle', Date.now() - t0);
    const { out } = await this.guest!.run('dmesg -c', this.opts.stepTimeoutMs);
    const fresh = parseDmesg(out);
    this.lines.push(...fresh);
    return fresh;
  }

  private died(e: GuestExited): StepOutcome {
    this.panicked = true;
    // at console loglevel 1 the panic (KERN_EMERG) still reaches the console: keep those lines
    const last = this.lines.length ? this.lines[this.lines.length - 1]!.usec : -1;
    const tail = consoleKernelLines(e.console).filter((l) => l.usec > last);
    this.lines.push(...tail);
    if (!tail.some((l) => PANIC.test(l.text))) {
      const why = e.console.includes('=== LIFETIME EXCEEDED ===') ? `the guest's ${this.opts.config.lifetimeSeconds} s lifetime ran out` : e.message;
      this.lines.push({ usec: last < 0 ? 0 : last, text: `bringup: QEMU exited unexpectedly (${why})` });
    }
    return { oopsed: tail.some((l) => OOPS.test(l.text)), panicked: true };
  }

  async snapshot(query: StateQuery): Promise<StateSnapshot> {
    if (!this.guest || this.panicked) {
      return { devices: {}, iommus: {}, taint: '', lastErrno: this.lastErrno };
    }
    const { out } = await this.guest.run(snapshotCommand(this.board, query.devices, query.iommus), this.opts.stepTimeoutMs);
    const raw = parseSnapshot(out);
    const devices: Record<string, DeviceState | undefined> = {};
    for (const name of query.devices) {
      const r = raw.devices.get(name);
      if (!r) continue;
      const bd = this.board.devices.find((x) => x.name === name);
      const dmaIommu = r.group !== null && r.groupType !== null && /^DMA/.test(r.groupType);
      const driver = r.driver === null ? null : unSysfs(r.driver, bd?.driver);
      devices[name] = {
        name,
        added: r.present,
        bound: r.driver !== null,
        driver,
        deferred: raw.deferred.has(name),
        group: r.group,
        dmaOps: dmaIommu ? 'iommu' : r.driver !== null ? 'direct' : 'none',
      };
    }
    const iommus: StateSnapshot['iommus'] = {};
    for (const name of query.iommus) {
      const reg = raw.iommus.get(name);
      if (reg !== undefined) iommus[name] = { name, registered: reg };
    }
    const taint = taintLetters(raw.tainted, this.opts.maskHarnessTaint ? HARNESS_TAINT : 0);
    return { devices, iommus, taint, lastErrno: this.lastErrno };
  }

  /**
   * The real /sys/kernel/debug/devices_deferred, a line per device. A device without a reason
   * keeps its dangling tab ("%s\t%s" with "\n"), so tabs are spelled out across the console.
   */
  async devicesDeferred(): Promise<string[] | undefined> {
    if (!this.guest || this.panicked) return undefined;
    const { rc, out } = await this.guest.run(`sed 's/\\t/${TAB}/g' /sys/kernel/debug/devices_deferred`, this.opts.stepTimeoutMs);
    if (rc !== 0) return undefined;
    return out.split('\n').filter((l) => l.length > 0).map((l) => l.split(TAB).join('\t'));
  }

  /**
   * The built-in checks (MODEL.md) that sysfs can show on a real kernel: `no-iommu-ops`, a
   * device bound without an IOMMU group while its IOMMU is registered. The others look at
   * state a real kernel does not expose (devres, the ops a buffer was allocated with); the
   * kernel-error list still runs on the real log.
   */
  async checks(): Promise<CheckFailure[]> {
    if (!this.guest || this.panicked) return [];
    const devices = this.board.devices.filter((d) => d.status !== 'disabled' && d.iommus.length > 0);
    const iommus = [...new Set(devices.flatMap((d) => d.iommus.map((r) => r.iommu)))];
    const snap = await this.snapshot({ devices: devices.map((d) => d.name), iommus });
    const out: CheckFailure[] = [];
    for (const d of devices) {
      const st = snap.devices[d.name];
      if (!st || !st.bound || st.group !== null) continue;
      const inst = d.iommus.map((r) => r.iommu).find((i) => snap.iommus[i]?.registered);
      if (inst) {
        out.push({
          check: 'no-iommu-ops',
          device: d.name,
          resource: inst,
          message: `${d.name}: bound without IOMMU DMA ops while its IOMMU ${inst} is registered`,
        });
      }
    }
    return out;
  }

  async close(): Promise<void> {
    const g = this.guest;
    this.guest = undefined;
    if (g && this.poolKey && this.ready && !this.panicked && !this.broken && g.running && !this.lines.some((l) => DIRTY.test(l.text))) {
      this.opts.pool!.put(this.poolKey, g);
      return;
    }
    // a guest that never reached its shell cannot take `poweroff -f`: kill it at once
    if (g) await g.close(this.ready ? 10_000 : 0);
  }
}

/** The DSL spelling of a driver sysfs names (`virtio_iommu` ↔ `virtio-iommu`). */
function unSysfs(sysfsName: string, boardDriver: string | undefined): string {
  if (boardDriver && sysfsDriverName(boardDriver) === sysfsName) return boardDriver;
  return sysfsName;
}
