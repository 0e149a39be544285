// The pure half of the QEMU target: a board becomes a QEMU command line, a step becomes
// guest shell commands. No I/O here, so all of it is unit-tested.

import type { BoardDevice, BoardIommu, ModelBoard, ModelStep } from '../../../model/types.js';
import { checkDeviceName, checkDriverName, shq } from './shell.js';

/** A QEMU device model a board's PCI function can be, keyed by its DT-style compatible. */
export interface QemuModel {
  /** `-device` driver of QEMU; undefined for a function the machine itself provides */
  device?: string;
  /** the machine (arch) that provides this function at a fixed address, e.g. the host bridge */
  machine?: { arch: string; addr: string };
  backend?: 'block' | 'net';
  /** NICs get `romfile=` (no iPXE option ROM needed, nothing to boot from the network) */
  nic?: boolean;
}

/**
 * `compatible: pciVVVV,DDDD` (the PCI binding's spelling) → QEMU device. Transitional and
 * modern virtio IDs are both accepted.
 */
export const QEMU_MODELS: Readonly<Record<string, QemuModel>> = {
  'pci1af4,1057': { device: 'virtio-iommu-pci' },
  'pci1af4,1001': { device: 'virtio-blk-pci', backend: 'block' },
  'pci1af4,1042': { device: 'virtio-blk-pci', backend: 'block' },
  'pci1af4,1000': { device: 'virtio-net-pci', backend: 'net', nic: true },
  'pci1af4,1041': { device: 'virtio-net-pci', backend: 'net', nic: true },
  'pci8086,10d3': { device: 'e1000e', backend: 'net', nic: true },
  'pci1b36,0005': { device: 'pci-testdev' },
  'pci1234,11e8': { device: 'edu' },
  // functions the machine creates itself: listed in a board so the model sees them too
  'pci1b36,0008': { machine: { arch: 'arm64', addr: '00.0' } }, // virt's generic host bridge
  'pci8086,29c0': { machine: { arch: 'x86_64', addr: '00.0' } }, // q35 host bridge (MCH)
  'pci8086,2918': { machine: { arch: 'x86_64', addr: '1f.0' } }, // q35 ICH9 LPC bridge
};

/**
 * How each IOMMU driver of the model's catalog exists on QEMU: a PCI function (virtio-iommu),
 * a machine option (virt's SMMUv3), or a system-bus device (q35's VT-d and AMD-Vi). `name` is
 * the IOMMU's name in the guest (its /sys/class/iommu entry), which the board must use.
 */
export const QEMU_IOMMUS: Readonly<Record<string, { arch: string; kind: 'pci' | 'machine' | 'sysbus'; name?: string; args: string[]; append: string[] }>> = {
  'virtio-iommu': { arch: 'arm64', kind: 'pci', args: [], append: [] },
  'arm-smmu-v3': { arch: 'arm64', kind: 'machine', name: '9050000.smmuv3', args: ['iommu=smmuv3'], append: [] },
  // DMA remapping only: with interrupt remapping under TCG, 5.10 panics ("timer doesn't work
  // through Interrupt-remapped IO-APIC"). The Debian kernels leave VT-d off unless asked.
  'intel-iommu': { arch: 'x86_64', kind: 'sysbus', name: 'dmar0', args: ['intel-iommu,intremap=off'], append: ['intel_iommu=on'] },
  'amd-iommu': { arch: 'x86_64', kind: 'sysbus', name: 'ivhd0', args: ['amd-iommu,intremap=off'], append: [] },
};

/** Driver names of the DSL → the kernel's name for them where they differ (module names use `_`). */
export const DRIVER_MODULES: Readonly<Record<string, string>> = {
  'virtio-iommu': 'virtio_iommu',
  'virtio_iommu': 'virtio_iommu',
};

/**
 * Drivers built into Debian's bookworm-backports 6.12 arm64 kernel (the default assets):
 * always registered, cannot be held or loaded. A kernel of the matrix names its own
 * (TargetConfig.builtin, from its modules.builtin).
 */
export const BUILTIN_DRIVERS: ReadonlySet<string> = new Set(['virtio-pci', 'pcieport']);

/** Is DSL driver `driver` built into the kernel this config describes? */
export function isBuiltin(driver: string, cfg: TargetConfig = DEFAULT_CONFIG): boolean {
  if (cfg.builtin) return cfg.builtin.has(moduleName(driver));
  return BUILTIN_DRIVERS.has(driver);
}

/** Modules the guest always loads at boot: they drive the virtio devices behind virtio-pci. */
export const SUPPORT_MODULES: readonly string[] = ['virtio_blk', 'virtio_net'];

/** The driver name sysfs shows (under /sys/bus/BUS/drivers) for a DSL driver name. */
export function sysfsDriverName(driver: string): string {
  return driver === 'virtio-iommu' ? 'virtio_iommu' : driver;
}

export function moduleName(driver: string): string {
  checkDriverName(driver);
  return DRIVER_MODULES[driver] ?? driver.replace(/-/g, '_');
}

export interface PciAddr {
  domain: number;
  bus: number;
  slot: number;
  fn: number;
}

/** "0000:00:02.0" → {domain 0, bus 0, slot 2, fn 0}; undefined when not a PCI name. */
export function parsePciName(name: string): PciAddr | undefined {
  const m = /^([0-9a-f]{4}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/i.exec(name);
  if (!m) return undefined;
  const slot = parseInt(m[3]!, 16);
  if (slot > 0x1f) return undefined;
  return { domain: parseInt(m[1]!, 16), bus: parseInt(m[2]!, 16), slot, fn: Number(m[4]) };
}

export function pciName(a: PciAddr): string {
  const h = (n: number, w: number) => n.toString(16).padStart(w, '0');
  return `${h(a.domain, 4)}:${h(a.bus, 2)}:${h(a.slot, 2)}.${a.fn}`;
}

/** The requester ID the DT iommu-map translates: bus << 8 | slot << 3 | fn. */
export function pciRid(a: PciAddr): number {
  return (a.bus << 8) | (a.slot << 3) | a.fn;
}

/** QEMU's `addr=` for a function on the root bus. */
export function qemuAddr(a: PciAddr): string {
  return `${a.slot.toString(16).padStart(2, '0')}.${a.fn}`;
}

export interface TargetConfig {
  /** deferred_probe_timeout= in seconds (also how long `deferred-timeout` waits) */
  deferredProbeTimeout: number;
  memoryMiB: number;
  cpu: string;
  /** extra kernel command line words (from BRINGUP_QEMU_APPEND / options) */
  extraAppend: string[];
  /** the guest powers itself off after this many seconds (bringup.lifetime=) */
  lifetimeSeconds: number;
  /** module names built into the kernel (from its modules.builtin); undefined = BUILTIN_DRIVERS */
  builtin?: ReadonlySet<string>;
  /** x86_64: the firmware QEMU runs before the kernel (qboot skips SeaBIOS's probing) */
  bios?: string;
}

export const DEFAULT_CONFIG: TargetConfig = {
  deferredProbeTimeout: 5,
  memoryMiB: 512,
  cpu: 'cortex-a72',
  extraAppend: [],
  lifetimeSeconds: 900,
};

/** QEMU virt's RAM starts at 0x40000000: a board with one bank there sizes the guest (128 MiB–4 GiB). */
export function guestMemoryMiB(board: ModelBoard, cfg: TargetConfig = DEFAULT_CONFIG): number {
  const [bank, ...more] = board.memory;
  if (!bank || more.length || bank.base !== 0x40000000) return cfg.memoryMiB;
  const mib = Math.floor(bank.size / (1024 * 1024));
  return mib >= 128 && mib <= 4096 ? mib : cfg.memoryMiB;
}

interface Placed {
  name: string;
  addr: PciAddr;
  model: QemuModel;
}

function place(name: string, compatible: string | undefined, what: string, arch: string): Placed {
  checkDeviceName(name);
  const addr = parsePciName(name);
  if (!addr) throw new Error(`${what} ${name}: the qemu target places PCI functions only (name them 0000:00:SS.F)`);
  if (addr.domain !== 0 || addr.bus !== 0) throw new Error(`${what} ${name}: only the root bus (0000:00) is supported`);
  const model = compatible ? QEMU_MODELS[compatible.toLowerCase()] : undefined;
  if (!model) {
    throw new Error(
      `${what} ${name}: compatible ${JSON.stringify(compatible ?? '')} is not a device the qemu target can create (one of ${Object.keys(QEMU_MODELS).join(', ')})`,
    );
  }
  if (model.machine) {
    if (model.machine.arch !== arch || model.machine.addr !== qemuAddr(addr)) {
      throw new Error(`${what} ${name}: ${compatible} is the ${model.machine.arch} machine's own function at ${model.machine.addr}`);
    }
  } else if (addr.slot === 0) throw new Error(`${what} ${name}: slot 00 is the machine's host bridge`);
  return { name, addr, model };
}

/** The board's one enabled IOMMU and how QEMU provides it (undefined: no IOMMU). */
export function boardIommu(board: ModelBoard): { iommu: BoardIommu; qemu: (typeof QEMU_IOMMUS)[string] } | undefined {
  const iommus = board.iommus.filter((i: BoardIommu) => i.status !== 'disabled');
  if (iommus.length > 1) throw new Error('the qemu target supports one IOMMU instance');
  const i = iommus[0];
  if (!i) return undefined;
  const q = QEMU_IOMMUS[i.driver];
  if (!q) throw new Error(`IOMMU ${i.name}: the qemu target provides ${Object.keys(QEMU_IOMMUS).join(', ')} (board says ${i.driver})`);
  if (q.arch !== board.arch) throw new Error(`IOMMU ${i.name}: ${i.driver} exists on QEMU's ${q.arch} machine, not ${board.arch}`);
  if (q.name !== undefined && i.name !== q.name) throw new Error(`IOMMU ${i.name}: QEMU's ${i.driver} is named ${q.name} in the guest; name it so`);
  return { iommu: i, qemu: q };
}

/** Which QEMU devices the board asks for, in command-line order (IOMMUs first). */
export function placeBoard(board: ModelBoard): Placed[] {
  const out: Placed[] = [];
  const io = boardIommu(board);
  if (io?.qemu.kind === 'pci') out.push(place(io.iommu.name, io.iommu.compatible ?? 'pci1af4,1057', 'IOMMU', board.arch));
  for (const d of board.devices.filter((x: BoardDevice) => x.status !== 'disabled')) {
    if (d.bus !== 'pci') throw new Error(`device ${d.name}: the qemu target supports bus: pci only`);
    out.push(place(d.name, d.compatible, 'device', board.arch));
  }
  const seen = new Map<string, string>();
  for (const p of out) {
    const a = qemuAddr(p.addr);
    const prev = seen.get(a);
    if (prev) throw new Error(`${p.name} and ${prev} both sit at PCI address ${a}`);
    seen.set(a, p.name);
  }
  return out;
}

export interface BootSpec {
  /** drivers held at boot (DSL names) */
  hold: readonly string[];
  /** module parameters to apply when a module is loaded at boot: module → [k=v] */
  moduleParams?: ReadonlyMap<string, readonly string[]>;
}

/**
 * Module parameters the board itself implies for bringup's test drivers: probewait waits for
 * the device its `wait-for` action names (module parameter `supplier`).
 */
export function boardModuleParams(board: ModelBoard): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const d of board.drivers) {
    if (d.name !== PROBEWAIT) continue;
    const w = d.probe.find((a) => a.kind === 'wait-for');
    if (w && w.kind === 'wait-for') out.set(PROBEWAIT, [`supplier=${checkDeviceName(w.device)}`]);
  }
  return out;
}

/**
 * The modules the guest's /init loads, in order: the IOMMU driver, virtio support, the board's
 * drivers in initcall order (file order inside a level), `initcall: module` drivers last, as
 * the model's boot registers them (udev loads modules once userspace runs). Built-in drivers
 * are not loaded: the kernel registered them itself.
 */
export function bootModules(board: ModelBoard, spec: BootSpec, cfg: TargetConfig = DEFAULT_CONFIG): string[] {
  const held = new Set(spec.hold);
  const mods: string[] = [];
  const add = (m: string) => {
    if (!mods.includes(m)) mods.push(m);
  };
  for (const h of held) {
    if (isBuiltin(h, cfg)) throw new Error(`cannot hold ${h}: it is built into the kernel`);
  }
  for (const i of board.iommus) {
    if (i.status !== 'disabled' && !held.has(i.driver) && !isBuiltin(i.driver, cfg) && QEMU_IOMMUS[i.driver]?.kind === 'pci') add(moduleName(i.driver));
  }
  for (const m of SUPPORT_MODULES) add(m);
  const levels = ['core', 'subsys', 'arch', 'device', 'late', 'module'];
  const drivers = [...board.drivers].sort((a, b) => levels.indexOf(a.initcall) - levels.indexOf(b.initcall));
  for (const d of drivers) {
    if (held.has(d.name) || isBuiltin(d.name, cfg)) continue;
    add(moduleName(d.name));
  }
  return mods;
}

export interface QemuCommand {
  argv: string[];
  append: string;
  modules: string[];
}

/** Module and its parameters as /init's bringup.load= takes them: mod+key=value+key=value. */
export function loadSpec(module: string, params: readonly string[]): string {
  const w = [module, ...params].join('+');
  if (!/^[A-Za-z0-9_.:=+-]+$/.test(w)) throw new Error(`unsafe module spec for the kernel command line: ${JSON.stringify(w)}`);
  return w;
}

export function qemuCommand(qemu: string, kernel: string, initrd: string, board: ModelBoard, spec: BootSpec, cfg: TargetConfig = DEFAULT_CONFIG): QemuCommand {
  if (board.arch !== 'arm64' && board.arch !== 'x86_64') throw new Error(`the qemu target boots arm64 and x86_64 only (board ${board.id} is ${board.arch})`);
  const placed = placeBoard(board);
  const io = boardIommu(board);
  const x86 = board.arch === 'x86_64';
  const machine = x86
    ? ['q35', 'accel=tcg', 'sata=off', 'smbus=off', ...(io?.qemu.args.some((a) => a.includes('intremap=on')) ? ['kernel-irqchip=split'] : [])]
    : ['virt', 'accel=tcg', ...(io?.qemu.kind === 'machine' ? io.qemu.args : [])];
  const argv = [
    qemu,
    '-machine', machine.join(','),
    '-cpu', x86 ? 'max' : cfg.cpu,
    '-m', String(x86 ? cfg.memoryMiB : guestMemoryMiB(board, cfg)),
    '-smp', '1',
    '-nographic', '-no-reboot', '-nodefaults',
    '-serial', 'stdio',
    '-monitor', 'none',
  ];
  if (x86 && cfg.bios) argv.push('-bios', cfg.bios);
  // a system-bus IOMMU must exist before the PCI functions it translates for
  if (io?.qemu.kind === 'sysbus') for (const a of io.qemu.args) argv.push('-device', a);
  let nb = 0;
  let nn = 0;
  for (const p of placed) {
    if (!p.model.device) continue;
    const props = [p.model.device];
    if (p.model.backend === 'block') {
      const id = `blk${nb++}`;
      argv.push('-blockdev', `driver=null-co,node-name=${id},size=16777216`);
      props.push(`drive=${id}`);
    } else if (p.model.backend === 'net') {
      const id = `net${nn++}`;
      argv.push('-netdev', `user,id=${id}`);
      props.push(`netdev=${id}`);
    }
    props.push(`addr=${qemuAddr(p.addr)}`);
    if (p.model.nic) props.push('romfile=');
    argv.push('-device', props.join(','));
  }
  const modules = bootModules(board, spec, cfg);
  const implied = boardModuleParams(board);
  const load = modules.map((m) => loadSpec(m, [...(implied.get(m) ?? []), ...(spec.moduleParams?.get(m) ?? [])]));
  const append = [
    x86 ? 'console=ttyS0' : 'console=ttyAMA0',
    'panic=-1',
    ...(io?.qemu.append ?? []),
    'dyndbg="file drivers/base/dd.c +p"',
    `deferred_probe_timeout=${cfg.deferredProbeTimeout}`,
    `bringup.load=${load.join(',')}`,
    `bringup.lifetime=${Math.max(1, Math.floor(cfg.lifetimeSeconds))}`,
    ...cfg.extraAppend,
  ].join(' ');
  argv.push('-kernel', kernel, '-initrd', initrd, '-append', append);
  return { argv, append, modules };
}

/** A guest action a step compiles to. */
export interface GuestCommand {
  /** one shell command line (already quoted) */
  cmd: string;
  /** the step's outcome carries the errno of this command's sysfs write */
  errno?: boolean;
  timeoutMs?: number;
  /** a driver registration: the deferred-probe timeout restarts */
  registersDriver?: boolean;
}

/** The device's sysfs directory. */
export function devicePath(d: BoardDevice): string {
  return `/sys/bus/${d.bus}/devices/${checkDeviceName(d.name)}`;
}

function findDevice(board: ModelBoard, name: string): BoardDevice {
  const d = board.devices.find((x) => x.name === name);
  if (!d) throw new Error(`no device ${name} on board ${board.id}`);
  checkDeviceName(d.name);
  return d;
}

/** Devices whose probe the harness controls: those driven by probetest. */
export const PROBETEST = 'probetest';
/** bringup's consumer test driver: defers until its supplier (module parameter) is bound. */
export const PROBEWAIT = 'probewait';
const PT_PARAMS = '/sys/module/probetest/parameters';

/** The parameters fail-probe sets on probetest: probe_ret_times first, then probe_ret. */
export function failProbeParams(errno: number, times: number, at?: number): [string, string][] {
  if (!Number.isInteger(errno) || errno > 0 || errno < -4095) throw new Error(`fail-probe: not an errno: ${errno}`);
  if (!Number.isInteger(times) || times < 1) throw new Error(`fail-probe: times must be a positive integer (got ${times})`);
  if (at !== undefined && (!Number.isInteger(at) || at < 0)) throw new Error(`fail-probe: at must be a whole number (got ${at})`);
  // probe_ret last: it is what arms the fault
  return [
    ['probe_ret_times', String(times)],
    ['fail_at', String(at ?? -1)],
    ['probe_ret', String(errno)],
  ];
}

/** `modprobe MODULE [params the board implies]`, quoted (extra parameters are appended by the session). */
export function modprobeCommand(board: ModelBoard, driver: string): string {
  const m = moduleName(driver);
  return ['modprobe', m, ...(boardModuleParams(board).get(m) ?? [])].map(shq).join(' ').replace(/^'modprobe'/, 'modprobe');
}

/** A sysfs write done in a subshell, so an oops in the write kills the subshell, not the console shell. */
function sysfsWrite(value: string, file: string): string {
  return `(echo ${shq(value)} > ${shq(file)}) 2>&1`;
}

/**
 * Guest commands for one step (everything but `boot`, which starts QEMU). `deferred-timeout`
 * waits `secondsLeft` (computed by the session from the last driver registration).
 */
export function compileStep(step: ModelStep, board: ModelBoard, cfg: TargetConfig = DEFAULT_CONFIG, secondsLeft?: number): GuestCommand[] {
  switch (step.op) {
    case 'boot':
      throw new Error('boot is not a guest command');
    case 'bind': {
      const d = findDevice(board, step.device);
      const drv = step.driver ?? d.driver;
      if (!drv) throw new Error(`bind: ${d.name} has no driver on board ${board.id}; name one with { device, driver }`);
      const dir = `/sys/bus/${d.bus}/drivers/${checkDriverName(sysfsDriverName(drv))}`;
      return [{ cmd: sysfsWrite(d.name, `${dir}/bind`), errno: true }];
    }
    case 'unbind': {
      const d = findDevice(board, step.device);
      // through the driver the board names, so unbinding a device that driver does not hold
      // returns -ENODEV as unbind_store() does
      const file = d.driver
        ? `/sys/bus/${d.bus}/drivers/${checkDriverName(sysfsDriverName(d.driver))}/unbind`
        : `${devicePath(d)}/driver/unbind`;
      return [{ cmd: sysfsWrite(d.name, file), errno: true }];
    }
    case 'fail-probe': {
      const d = findDevice(board, step.device);
      if (d.driver !== PROBETEST) {
        throw new Error(`fail-probe: ${d.name} is driven by ${d.driver ?? 'no driver'}; on the qemu target only devices driven by ${PROBETEST} can be made to fail`);
      }
      const cmd = failProbeParams(step.errno, step.times, step.at)
        .map(([k, v]) => `echo ${shq(v)} > ${shq(`${PT_PARAMS}/${k}`)}`)
        .join(' && ');
      return [{ cmd }];
    }
    case 'register-iommu-late':
      return [{ cmd: `${modprobeCommand(board, step.driver)} 2>&1`, registersDriver: true, timeoutMs: 120_000 }];
    case 'load-module':
      if (isBuiltin(step.driver, cfg)) throw new Error(`load-module: ${step.driver} is built into the kernel`);
      return [{ cmd: `${modprobeCommand(board, step.driver)} 2>&1`, registersDriver: true, timeoutMs: 120_000 }];
    case 'unload-module':
      if (isBuiltin(step.driver, cfg)) throw new Error(`unload-module: ${step.driver} is built into the kernel`);
      return [{ cmd: `modprobe -r ${shq(moduleName(step.driver))} 2>&1`, timeoutMs: 120_000 }];
    case 'add-device': {
      const d = findDevice(board, step.device);
      if (d.bus !== 'pci') throw new Error('add-device: PCI only');
      return [{ cmd: sysfsWrite('1', '/sys/bus/pci/rescan') }];
    }
    case 'remove-device': {
      const d = findDevice(board, step.device);
      if (d.bus !== 'pci') throw new Error('remove-device: PCI only');
      return [{ cmd: sysfsWrite('1', `${devicePath(d)}/remove`) }];
    }
    case 'deferred-timeout': {
      const secs = Math.max(0, Math.ceil(secondsLeft ?? cfg.deferredProbeTimeout)) + 1;
      return [{ cmd: `sleep ${secs}`, timeoutMs: (secs + 60) * 1000 }];
    }
  }
}

/** One command printing the state of the named devices and IOMMUs, taint and the deferred list. */
export function snapshotCommand(board: ModelBoard, devices: readonly string[], iommus: readonly string[]): string {
  const parts: string[] = [];
  for (const name of devices) {
    const d = board.devices.find((x) => x.name === name);
    const p = d ? devicePath(d) : `/sys/bus/pci/devices/${checkDeviceName(name)}`;
    parts.push(
      `p=${shq(p)}; a=0; [ -e "$p" ] && a=1; drv=-; [ -e "$p/driver" ] && drv=$(basename "$(readlink "$p/driver")"); ` +
        `g=-; [ -e "$p/iommu_group" ] && g=$(basename "$(readlink "$p/iommu_group")"); ` +
        `t=-; [ "$g" != - ] && t=$(cat "/sys/kernel/iommu_groups/$g/type" 2>/dev/null); ` +
        `echo "@D "${shq(name)}" $a $drv $g $t"`,
    );
  }
  for (const name of iommus) {
    // registered: /sys/class/iommu/<name>, or a class entry whose device is <name> (arm-smmu-v3
    // names its entry smmu3.<address>, virtio-iommu its PCI function's name)
    parts.push(
      `r=0; [ -e ${shq(`/sys/class/iommu/${checkDeviceName(name)}`)} ] && r=1; ` +
        `for i in /sys/class/iommu/*; do [ -e "$i/device" ] && [ "$(basename "$(readlink "$i/device")")" = ${shq(name)} ] && r=1; done; ` +
        `echo "@I "${shq(name)}" $r"`,
    );
  }
  parts.push('echo "@T $(cat /proc/sys/kernel/tainted)"');
  parts.push("sed 's/^/@F /' /sys/kernel/debug/devices_deferred 2>/dev/null");
  return parts.join('; ');
}

export interface RawSnapshot {
  devices: Map<string, { present: boolean; driver: string | null; group: number | null; groupType: string | null }>;
  iommus: Map<string, boolean>;
  tainted: number;
  deferred: Set<string>;
}

export function parseSnapshot(out: string): RawSnapshot {
  const snap: RawSnapshot = { devices: new Map(), iommus: new Map(), tainted: 0, deferred: new Set() };
  for (const line of out.split(/\r?\n/)) {
    const f = line.trim().split(/\s+/);
    switch (f[0]) {
      case '@D':
        if (f.length >= 6) {
          snap.devices.set(f[1]!, {
            present: f[2] === '1',
            driver: f[3] === '-' ? null : f[3]!,
            group: f[4] === '-' ? null : Number(f[4]),
            groupType: f[5] === '-' || f[5] === undefined ? null : f[5],
          });
        }
        break;
      case '@I':
        snap.iommus.set(f[1]!, f[2] === '1');
        break;
      case '@T':
        snap.tainted = Number(f[1] ?? 0) || 0;
        break;
      case '@F':
        if (f[1]) snap.deferred.add(f[1]);
        break;
    }
  }
  return snap;
}

/**
 * Why the qemu target cannot run this board and these steps at all, or undefined when it
 * can. Checked before QEMU starts, so a suite written for another board fails in
 * milliseconds, not after a boot.
 */
export function unsupportedReason(board: ModelBoard, steps: readonly ModelStep[], cfg: TargetConfig = DEFAULT_CONFIG): string | undefined {
  try {
    if (board.arch !== 'arm64' && board.arch !== 'x86_64') throw new Error(`the qemu target boots arm64 and x86_64 only (board ${board.id} is ${board.arch})`);
    placeBoard(board);
    for (const s of steps) {
      if (s.op === 'boot') bootModules(board, { hold: s.hold }, cfg);
      else compileStep(s, board, cfg, 0);
    }
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
