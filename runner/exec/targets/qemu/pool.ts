// Reusing one booted guest for many runs. A real kernel takes seconds to boot under TCG; a
// matrix of hundreds of scenarios per board and kernel fits the machine only if most runs
// start from a guest that an earlier run left behind, put back into its boot state: client
// modules unloaded, the board's PCI functions removed (which releases their IOMMU groups and
// takes them off the deferred list), a modular IOMMU driver unloaded, then everything brought
// back in the boot's order (IOMMU module, PCI rescan, client modules with their parameters).
// What a fresh boot prints before its first expect is not reproduced, so a run whose
// assertions look at its boot's log always gets a fresh guest (poolable()).

import type { PlanRun } from '../../../dsl/plan.js';
import type { ModelBoard } from '../../../model/types.js';
import type { Guest } from './guest.js';
import type { BootSpec, TargetConfig } from './compile.js';
import { boardIommu, boardModuleParams, bootModules, devicePath, isBuiltin, loadSpec, moduleName, QEMU_MODELS, SUPPORT_MODULES } from './compile.js';
import { shq } from './shell.js';

/**
 * A run may start on a reused guest when nothing it asserts depends on the boot's own log:
 * one boot, preceded by fail-probe arming only; no log patterns in the first expect (its
 * window holds the boot's lines) nor in the whole-log expect; no deferred-timeout (the timer
 * needs a guest booted with a finite deferred_probe_timeout, and it cannot be re-armed).
 */
export function poolable(run: PlanRun): boolean {
  let booted = false;
  let firstExpect = true;
  const hasLog = (a: { log: unknown[]; logUnordered: unknown[]; noLog: unknown[]; count: unknown[] }) =>
    a.log.length + a.logUnordered.length + a.noLog.length + a.count.length > 0;
  for (const s of run.steps) {
    if ('expect' in s) {
      if (firstExpect && hasLog(s.expect)) return false;
      firstExpect = false;
      continue;
    }
    const st = s.step;
    if (st.op === 'boot') {
      if (booted) return false;
      booted = true;
    } else if (!booted && st.op !== 'fail-probe') return false;
    if (st.op === 'deferred-timeout') return false;
  }
  if (run.expect && hasLog(run.expect)) return false;
  return booted;
}

/** Guests that are booted and idle, by the key of the command line they were booted with. */
export class GuestPool {
  private readonly idle = new Map<string, Guest[]>();

  take(key: string): Guest | undefined {
    const list = this.idle.get(key);
    while (list && list.length) {
      const g = list.pop()!;
      if (g.running) return g;
    }
    return undefined;
  }

  put(key: string, g: Guest): void {
    if (!g.running) return;
    const list = this.idle.get(key) ?? [];
    list.push(g);
    this.idle.set(key, list);
  }

  get size(): number {
    let n = 0;
    for (const l of this.idle.values()) n += l.length;
    return n;
  }

  async closeAll(): Promise<void> {
    const all = [...this.idle.values()].flat();
    this.idle.clear();
    await Promise.all(all.map((g) => g.close(10_000)));
  }
}

/** The guest commands that take a used guest back to what `boot` with `spec` leaves. */
export function resetCommands(board: ModelBoard, spec: BootSpec, cfg: TargetConfig): string[] {
  const io = boardIommu(board);
  const iommuModule = io && io.qemu.kind === 'pci' && !isBuiltin(io.iommu.driver, cfg) ? moduleName(io.iommu.driver) : undefined;
  const held = new Set(spec.hold);
  const clientModules = board.drivers.filter((d) => !isBuiltin(d.name, cfg)).map((d) => moduleName(d.name));
  // the board's functions the target creates (not the machine's own, not the IOMMU's function)
  const functions = board.devices.filter((d) => d.status !== 'disabled' && d.bus === 'pci' && !QEMU_MODELS[(d.compatible ?? '').toLowerCase()]?.machine);
  const cmds: string[] = [];
  // 1. unbind through the drivers' own exit, newest first
  for (const m of [...clientModules].reverse()) cmds.push(`modprobe -r ${shq(m)} 2>/dev/null; true`);
  // 2. remove the functions: releases their groups, drops them from the deferred list
  cmds.push(functions.map((d) => `[ -e ${shq(devicePath(d))} ] && echo 1 > ${shq(`${devicePath(d)}/remove`)}`).concat('true').join('; '));
  // 3. a modular IOMMU driver goes too (its clients are gone, so nothing pins it). From 6.16
  // it may stay: registration now groups every function behind it, the machine's host bridge
  // too, which the reset does not remove. A run that holds the IOMMU then needs a fresh boot
  // (the failed command makes the reset fail); one that loads it anyway can go on.
  if (iommuModule) {
    const gone = held.has(iommuModule) || held.has(io!.iommu.driver) ? `; [ ! -e /sys/module/${shq(iommuModule)} ]` : '; true';
    cmds.push(`modprobe -r ${shq(iommuModule)} 2>/dev/null${gone}`);
  }
  // 4. the boot's order: IOMMU driver, support modules, devices appear, client drivers register
  const boot = bootModules(board, spec, cfg);
  const implied = boardModuleParams(board);
  const params = (m: string) => [...(implied.get(m) ?? []), ...(spec.moduleParams?.get(m) ?? [])];
  if (iommuModule && boot.includes(iommuModule)) cmds.push(`modprobe ${shq(iommuModule)}`);
  for (const m of SUPPORT_MODULES) cmds.push(`modprobe ${shq(m)}`);
  cmds.push('echo 1 > /sys/bus/pci/rescan');
  for (const m of boot) {
    if (m === iommuModule || SUPPORT_MODULES.includes(m)) continue;
    if (held.has(m)) continue;
    cmds.push(`modprobe ${loadSpec(m, params(m)).split('+').map(shq).join(' ')}`);
  }
  // devices the board declares absent start removed, as after a boot
  for (const d of board.devices) {
    if (!d.present && d.status !== 'disabled') cmds.push(`echo 1 > ${shq(`${devicePath(d)}/remove`)}`);
  }
  return cmds;
}
