// The qemu target's boards beyond virt+virtio-iommu: virt with SMMUv3, q35 with VT-d or AMD-Vi,
// machine-provided functions, kernels of the matrix (built-in drivers), the test modules'
// parameters, and guest reuse (poolable runs, the reset back to the boot state).

import { expect } from 'chai';
import type { ModelBoard } from '../../runner/model/types.js';
import { boardModuleParams, bootModules, compileStep, DEFAULT_CONFIG, isBuiltin, placeBoard, qemuCommand, snapshotCommand, unsupportedReason } from '../../runner/exec/targets/qemu/compile.js';
import type { TargetConfig } from '../../runner/exec/targets/qemu/compile.js';
import { poolable, resetCommands } from '../../runner/exec/targets/qemu/pool.js';
import { planRun, virtBoard } from './fixtures.js';
import type { Assertions } from '../../runner/dsl/plan.js';

const drv = (name: string, initcall: 'device' | 'module', probe: ModelBoard['drivers'][number]['probe'] = []) => ({ name, initcall, probe, remove: [], async: false, driverManagedDma: false });
const dev = (name: string, compatible: string, driver?: string) => ({ name, bus: 'pci' as const, compatible, iommus: [], dmaBits: 64, status: 'okay' as const, present: true, ...(driver ? { driver } : {}) });

function q35(iommu: 'intel-iommu' | 'amd-iommu' = 'intel-iommu'): ModelBoard {
  return {
    id: 'q35',
    model: 'QEMU Standard PC (Q35 + ICH9, 2009)',
    arch: 'x86_64',
    firmware: 'acpi',
    memory: [{ base: 0x100000, size: 0x1ff00000 }],
    iommus: [{ name: iommu === 'intel-iommu' ? 'dmar0' : 'ivhd0', driver: iommu, status: 'okay', options: {} }],
    devices: [
      dev('0000:00:00.0', 'pci8086,29c0'),
      dev('0000:00:02.0', 'pci1af4,1001', 'virtio-pci'),
      dev('0000:00:04.0', 'pci1b36,0005', 'probetest'),
      dev('0000:00:05.0', 'pci1234,11e8', 'probewait'),
      dev('0000:00:1f.0', 'pci8086,2918'),
    ],
    drivers: [drv('virtio-pci', 'device'), drv('probetest', 'module'), drv('probewait', 'module', [{ kind: 'wait-for', device: '0000:00:04.0' }])],
  };
}

describe('qemu target: q35 and virt+SMMUv3 machines', () => {
  it('q35 with VT-d: the IOMMU device first, then the functions, qboot, console ttyS0, intel_iommu=on', () => {
    const cfg: TargetConfig = { ...DEFAULT_CONFIG, bios: '/usr/share/qemu/qboot.rom' };
    const cmd = qemuCommand('qemu-system-x86_64', 'k', 'i', q35(), { hold: [] }, cfg);
    const a = cmd.argv.join(' ');
    expect(a).to.include('-machine q35,accel=tcg,sata=off,smbus=off -cpu max -m 512');
    expect(a).to.include('-bios /usr/share/qemu/qboot.rom');
    expect(cmd.argv.indexOf('intel-iommu,intremap=off')).to.be.lessThan(cmd.argv.indexOf('virtio-blk-pci,drive=blk0,addr=02.0'));
    expect(cmd.argv).to.include('edu,addr=05.0');
    // the host bridge and the LPC bridge are the machine's: never created with -device
    expect(a).to.not.include('addr=00.0');
    expect(a).to.not.include('addr=1f.0');
    expect(cmd.append).to.match(/^console=ttyS0 panic=-1 intel_iommu=on /);
    // virtio-pci is built into the default kernel; module drivers load last, probewait with its supplier
    expect(cmd.append).to.include('bringup.load=virtio_blk,virtio_net,probetest,probewait+supplier=0000:00:04.0 ');
  });

  it('q35 with AMD-Vi is a system-bus device named ivhd0', () => {
    const cmd = qemuCommand('q', 'k', 'i', q35('amd-iommu'), { hold: [] });
    expect(cmd.argv).to.include('amd-iommu,intremap=off');
    const b = q35('amd-iommu');
    b.iommus[0]!.name = 'amd0';
    expect(() => placeBoard(b)).to.throw(/named ivhd0 in the guest/);
  });

  it('virt with SMMUv3 is a machine option, and the SMMU is named by its platform device', () => {
    const b = virtBoard();
    b.iommus = [{ name: '9050000.smmuv3', driver: 'arm-smmu-v3', status: 'okay', options: {} }];
    const cmd = qemuCommand('q', 'k', 'i', b, { hold: [] });
    expect(cmd.argv.join(' ')).to.include('-machine virt,accel=tcg,iommu=smmuv3 -cpu cortex-a72');
    expect(cmd.argv.join(' ')).to.not.include('virtio-iommu-pci');
    expect(cmd.modules[0]).to.equal('virtio_blk');
  });

  it('rejects an IOMMU on the wrong machine and a machine function at the wrong address', () => {
    const b = virtBoard();
    b.iommus = [{ name: 'dmar0', driver: 'intel-iommu', status: 'okay', options: {} }];
    expect(unsupportedReason(b, [])).to.match(/exists on QEMU's x86_64 machine, not arm64/);
    const c = q35();
    c.devices[0]!.name = '0000:00:03.0';
    expect(() => placeBoard(c)).to.throw(/machine's own function at 00\.0/);
  });

  it('a kernel of the matrix names its built-in drivers', () => {
    const cfg: TargetConfig = { ...DEFAULT_CONFIG, builtin: new Set(['virtio_pci']) };
    expect(isBuiltin('virtio-pci', cfg)).to.equal(true);
    expect(isBuiltin('virtio-pci', { ...DEFAULT_CONFIG, builtin: new Set() })).to.equal(false);
    expect(bootModules(q35(), { hold: [] }, { ...DEFAULT_CONFIG, builtin: new Set() })).to.include('virtio_pci');
    expect(bootModules(q35(), { hold: [] }, cfg)).to.not.include('virtio_pci');
    expect(() => compileStep({ op: 'unload-module', driver: 'virtio-pci' }, q35(), cfg)).to.throw(/built into the kernel/);
  });

  it('probewait learns its supplier from the board, on every modprobe', () => {
    expect([...boardModuleParams(q35())]).to.deep.equal([['probewait', ['supplier=0000:00:04.0']]]);
    expect(compileStep({ op: 'load-module', driver: 'probewait' }, q35())[0]!.cmd).to.equal("modprobe 'probewait' 'supplier=0000:00:04.0' 2>&1");
  });

  it('an IOMMU counts as registered when a /sys/class/iommu entry belongs to its device', () => {
    const cmd = snapshotCommand(virtBoard(), [], ['9050000.smmuv3']);
    expect(cmd).to.include('/sys/class/iommu/*');
    expect(cmd).to.include(`= '9050000.smmuv3' ] && r=1`);
  });
});

describe('qemu target: guest reuse', () => {
  const pos = { file: 't', line: 1, column: 1 };
  const block = (a: Partial<Assertions>): Assertions => ({ log: [], logUnordered: [], noLog: [], count: [], state: [], pos, ...a });
  const lit = (text: string) => ({ pattern: { kind: 'literal' as const, text }, pos });

  it('a run whose assertions read its boot log, or that needs the deferred-probe timer, boots its own guest', () => {
    const base = planRun('x', [{ op: 'boot', hold: [] }, { op: 'unbind', device: '0000:00:04.0' }]);
    const withExpect = (a: Assertions, at: number) => ({ ...base, steps: [...base.steps.slice(0, at), { expect: a, pos }, ...base.steps.slice(at)] });
    expect(poolable(withExpect(block({ state: [] }), 1))).to.equal(true);
    expect(poolable(withExpect(block({ log: [lit('Adding to iommu group')] }), 1))).to.equal(false);
    expect(poolable(withExpect(block({ noLog: [lit('failed')] }), 1))).to.equal(false);
    expect(poolable({ ...base, expect: block({ logUnordered: [lit('x')] }) })).to.equal(false);
    expect(poolable(planRun('t', [{ op: 'boot', hold: [] }, { op: 'deferred-timeout' }]))).to.equal(false);
    expect(poolable(planRun('f', [{ op: 'fail-probe', device: '0000:00:05.0', errno: -517, times: 1 }, { op: 'boot', hold: [] }]))).to.equal(true);
    expect(poolable(planRun('n', [{ op: 'unbind', device: '0000:00:04.0' }]))).to.equal(false);
  });

  it('the reset unloads the client modules, removes the functions, reloads the IOMMU module and rebuilds the boot in its order', () => {
    const b = virtBoard();
    b.drivers.push({ name: 'probewait', initcall: 'module', probe: [{ kind: 'wait-for', device: '0000:00:05.0' }], remove: [], async: false, driverManagedDma: false });
    const cmds = resetCommands(b, { hold: ['e1000e'], moduleParams: new Map([['probetest', ['probe_ret=-5']]]) }, DEFAULT_CONFIG);
    expect(cmds[0]).to.equal("modprobe -r 'probewait' 2>/dev/null; true");
    expect(cmds.slice(1, 3)).to.deep.equal(["modprobe -r 'probetest' 2>/dev/null; true", "modprobe -r 'e1000e' 2>/dev/null; true"]);
    expect(cmds[3]).to.include("echo 1 > '/sys/bus/pci/devices/0000:00:02.0/remove'");
    expect(cmds[3]).to.not.include('0000:00:01.0');
    const rest = cmds.slice(4);
    expect(rest).to.deep.equal([
      "modprobe -r 'virtio_iommu' 2>/dev/null; true",
      "modprobe 'virtio_iommu'",
      "modprobe 'virtio_blk'",
      "modprobe 'virtio_net'",
      'echo 1 > /sys/bus/pci/rescan',
      "modprobe 'probetest' 'probe_ret=-5'",
      "modprobe 'probewait' 'supplier=0000:00:05.0'",
    ]);
    // a held IOMMU driver stays out: its clients come back and wait for it
    const held = resetCommands(b, { hold: ['virtio-iommu'] }, DEFAULT_CONFIG);
    expect(held).to.not.include("modprobe 'virtio_iommu'");
    // ... and must really be gone (6.16+ keeps it when the host bridge joined a group): else the reset fails, the run boots afresh
    expect(held).to.include("modprobe -r 'virtio_iommu' 2>/dev/null; [ ! -e /sys/module/'virtio_iommu' ]");
  });
});
