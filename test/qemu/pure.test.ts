// The pure parts of the qemu target: dmesg parsing, errno mapping from the guest shell's
// messages, PCI naming, board → QEMU command line, step → guest commands (with quoting).

import { expect } from 'chai';
import { cleanConsole, consoleKernelLines, HARNESS_TAINT, parseDmesg, stampToUsec, taintLetters } from '../../runner/exec/targets/qemu/dmesg.js';
import { errnoFromShell, errnoFromStrerror } from '../../runner/exec/targets/qemu/errno.js';
import { checkDeviceName, checkDriverName, shq } from '../../runner/exec/targets/qemu/shell.js';
import {
  bootModules,
  compileStep,
  DEFAULT_CONFIG,
  failProbeParams,
  moduleName,
  parsePciName,
  parseSnapshot,
  pciName,
  pciRid,
  placeBoard,
  qemuAddr,
  qemuCommand,
  snapshotCommand,
} from '../../runner/exec/targets/qemu/compile.js';
import { BLK, E1000E, NET, TESTDEV, virtBoard } from './fixtures.js';

describe('qemu target: dmesg parsing', () => {
  it('turns busybox dmesg lines into LogLines with exact microseconds', () => {
    const out = [
      '[    0.000000] Booting Linux on physical CPU 0x0000000000 [0x410fd083]',
      '[    3.323484] virtio-pci 0000:00:02.0: Adding to iommu group 0\r',
      '[   12.631828] virtio-pci 0000:00:02.0: deferred probe timeout, ignoring dependency',
    ].join('\n');
    expect(parseDmesg(out)).to.deep.equal([
      { usec: 0, text: 'Booting Linux on physical CPU 0x0000000000 [0x410fd083]' },
      { usec: 3_323_484, text: 'virtio-pci 0000:00:02.0: Adding to iommu group 0' },
      { usec: 12_631_828, text: 'virtio-pci 0000:00:02.0: deferred probe timeout, ignoring dependency' },
    ]);
  });

  it('keeps continuation lines with the previous timestamp and drops leading noise', () => {
    const out = 'sh: stray\n[    1.500000] Call trace:\n  show_stack+0x20/0x38\n[    1.600000] next';
    expect(parseDmesg(out)).to.deep.equal([
      { usec: 1_500_000, text: 'Call trace:' },
      { usec: 1_500_000, text: 'show_stack+0x20/0x38' },
      { usec: 1_600_000, text: 'next' },
    ]);
  });

  it('handles short and long fractions without float rounding', () => {
    expect(stampToUsec('7', '1')).to.equal(7_100_000);
    expect(stampToUsec('4294', '967295123')).to.equal(4_294_967_295);
  });

  it('strips CRs, the shell cursor query and control bytes from console text', () => {
    expect(cleanConsole('\x1b[6n/ # ok\r\n\x07x')).to.equal('/ # ok\nx');
  });

  it('finds kernel lines a dying guest printed on the console', () => {
    const con = 'rc=0\r\n[    9.100000] Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b\r\n';
    expect(consoleKernelLines(con)).to.deep.equal([{ usec: 9_100_000, text: 'Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b' }]);
  });

  it('names taint bits in flag order, hiding the harness module', () => {
    expect(taintLetters(0)).to.equal('');
    expect(taintLetters(12288)).to.equal('OE');
    expect(taintLetters(12288, HARNESS_TAINT)).to.equal('');
    expect(taintLetters((1 << 5) | (1 << 7) | (1 << 9))).to.equal('BDW');
  });
});

describe('qemu target: errno from the guest shell', () => {
  it('maps glibc and musl strerror text back to -errno', () => {
    expect(errnoFromStrerror('Input/output error')).to.equal(-5);
    expect(errnoFromStrerror('Cannot allocate memory')).to.equal(-12);
    expect(errnoFromStrerror('Resource temporarily unavailable')).to.equal(-11);
    expect(errnoFromStrerror('No such device')).to.equal(-19);
    expect(errnoFromStrerror('Device or resource busy')).to.equal(-16);
    expect(errnoFromStrerror('Out of memory')).to.equal(-12);
    expect(errnoFromStrerror('I/O error')).to.equal(-5);
    expect(errnoFromStrerror('Unknown error 517')).to.equal(-517);
    expect(errnoFromStrerror('Something new')).to.equal(undefined);
  });

  it('reads the write error of a sysfs write', () => {
    expect(errnoFromShell('sh: write error: Input/output error\n', 1)).to.equal(-5);
    expect(errnoFromShell('sh: write error: Resource temporarily unavailable', 1)).to.equal(-11);
    expect(errnoFromShell("sh: can't create /sys/bus/pci/drivers/nope/bind: nonexistent directory", 1)).to.equal(-2);
    expect(errnoFromShell('', 0)).to.equal(0);
    expect(errnoFromShell('garbage', 1)).to.equal(-5);
  });
});

describe('qemu target: quoting', () => {
  it('single-quotes everything, including embedded quotes', () => {
    expect(shq('0000:00:02.0')).to.equal("'0000:00:02.0'");
    expect(shq("a'b; rm -rf /")).to.equal(`'a'\\''b; rm -rf /'`);
    expect(() => shq('a\nb')).to.throw(/newline/);
  });

  it('refuses names that are not kernel names', () => {
    expect(checkDeviceName('0000:00:02.0')).to.equal('0000:00:02.0');
    expect(() => checkDeviceName('../../../etc')).to.throw();
    expect(() => checkDeviceName('a b')).to.throw();
    expect(() => checkDriverName('e1000e;reboot')).to.throw();
  });
});

describe('qemu target: PCI names', () => {
  it('parses and prints PCI names, RIDs and QEMU addresses', () => {
    const a = parsePciName('0000:00:1f.3')!;
    expect(a).to.deep.equal({ domain: 0, bus: 0, slot: 0x1f, fn: 3 });
    expect(pciName(a)).to.equal('0000:00:1f.3');
    expect(qemuAddr(a)).to.equal('1f.3');
    expect(pciRid(parsePciName(TESTDEV)!)).to.equal(0x28);
    expect(parsePciName('ee300000.sata')).to.equal(undefined);
    expect(parsePciName('0000:00:20.0')).to.equal(undefined);
  });

  it('places the board: IOMMU first, each function at its own address', () => {
    const placed = placeBoard(virtBoard());
    expect(placed.map((p) => [p.name, p.model.device, qemuAddr(p.addr)])).to.deep.equal([
      ['0000:00:01.0', 'virtio-iommu-pci', '01.0'],
      [BLK, 'virtio-blk-pci', '02.0'],
      [NET, 'virtio-net-pci', '03.0'],
      [E1000E, 'e1000e', '04.0'],
      [TESTDEV, 'pci-testdev', '05.0'],
    ]);
  });

  it('rejects what QEMU cannot build', () => {
    const b = virtBoard();
    b.devices[0]!.compatible = 'renesas,r8a7795-sata';
    expect(() => placeBoard(b)).to.throw(/not a device the qemu target can create/);
    const c = virtBoard();
    c.devices[1]!.name = BLK;
    expect(() => placeBoard(c)).to.throw(/both sit at PCI address 02.0/);
    const d = virtBoard();
    d.devices[0]!.bus = 'platform';
    expect(() => placeBoard(d)).to.throw(/bus: pci only/);
  });
});

describe('qemu target: QEMU command line', () => {
  it('builds the virt machine with the board devices and the kernel arguments', () => {
    const cmd = qemuCommand('/usr/bin/qemu-system-aarch64', '/k/vmlinuz', '/k/initrd.gz', virtBoard(), { hold: [] });
    const argv = cmd.argv;
    expect(argv[0]).to.equal('/usr/bin/qemu-system-aarch64');
    expect(argv.join(' ')).to.include('-machine virt,accel=tcg -cpu cortex-a72 -m 512');
    expect(argv).to.include('virtio-iommu-pci,addr=01.0');
    expect(argv).to.include('virtio-blk-pci,drive=blk0,addr=02.0');
    expect(argv).to.include('virtio-net-pci,netdev=net0,addr=03.0,romfile=');
    expect(argv).to.include('e1000e,netdev=net1,addr=04.0,romfile=');
    expect(argv).to.include('pci-testdev,addr=05.0');
    expect(argv.indexOf('virtio-iommu-pci,addr=01.0')).to.be.lessThan(argv.indexOf('pci-testdev,addr=05.0'));
    expect(cmd.append).to.include('dyndbg="file drivers/base/dd.c +p"');
    expect(cmd.append).to.include(`deferred_probe_timeout=${DEFAULT_CONFIG.deferredProbeTimeout}`);
    expect(cmd.append).to.include('bringup.load=virtio_iommu,virtio_blk,virtio_net,e1000e,probetest');
    expect(cmd.append).to.include('bringup.lifetime=900');
    expect(argv[argv.length - 2]).to.equal('-append');
  });

  it('holds drivers at boot and carries module parameters armed before boot', () => {
    const mods = bootModules(virtBoard(), { hold: ['virtio-iommu', 'e1000e'] });
    expect(mods).to.deep.equal(['virtio_blk', 'virtio_net', 'probetest']);
    const cmd = qemuCommand('q', 'k', 'i', virtBoard(), { hold: ['virtio-iommu'], moduleParams: new Map([['probetest', ['probe_ret_times=1', 'probe_ret=-517']]]) });
    expect(cmd.append).to.include('bringup.load=virtio_blk,virtio_net,e1000e,probetest+probe_ret_times=1+probe_ret=-517');
    expect(() => bootModules(virtBoard(), { hold: ['virtio-pci'] })).to.throw(/built into the kernel/);
  });

  it('loads module-initcall drivers last, as the model\'s boot does once userspace runs', () => {
    const b = virtBoard();
    b.drivers[0]!.initcall = 'module';
    b.drivers[0]!.name = 'probewait';
    expect(bootModules(b, { hold: [] })).to.deep.equal(['virtio_iommu', 'virtio_blk', 'virtio_net', 'e1000e', 'probetest', 'probewait']);
    expect(bootModules(b, { hold: ['probewait'] })).to.not.include('probewait');
  });

  it('maps DSL driver names to modules', () => {
    expect(moduleName('virtio-iommu')).to.equal('virtio_iommu');
    expect(moduleName('e1000e')).to.equal('e1000e');
    expect(moduleName('virtio-net')).to.equal('virtio_net');
  });
});

describe('qemu target: steps → guest commands', () => {
  const board = virtBoard();
  it('bind/unbind are quoted sysfs writes in a subshell that record the errno', () => {
    expect(compileStep({ op: 'bind', device: E1000E }, board)).to.deep.equal([
      { cmd: "(echo '0000:00:04.0' > '/sys/bus/pci/drivers/e1000e/bind') 2>&1", errno: true },
    ]);
    expect(compileStep({ op: 'unbind', device: BLK }, board)).to.deep.equal([
      { cmd: "(echo '0000:00:02.0' > '/sys/bus/pci/drivers/virtio-pci/unbind') 2>&1", errno: true },
    ]);
    expect(compileStep({ op: 'bind', device: TESTDEV, driver: 'virtio-pci' }, board)[0]!.cmd).to.include("'/sys/bus/pci/drivers/virtio-pci/bind'");
  });

  it('fail-probe arms probetest through its parameters', () => {
    expect(compileStep({ op: 'fail-probe', device: TESTDEV, errno: -12, times: 2 }, board)).to.deep.equal([
      { cmd: "echo '2' > '/sys/module/probetest/parameters/probe_ret_times' && echo '-1' > '/sys/module/probetest/parameters/fail_at' && echo '-12' > '/sys/module/probetest/parameters/probe_ret'" },
    ]);
    expect(compileStep({ op: 'fail-probe', device: TESTDEV, errno: -5, at: 2, times: 1 }, board)[0]!.cmd).to.include("echo '2' > '/sys/module/probetest/parameters/fail_at'");
    expect(() => compileStep({ op: 'fail-probe', device: E1000E, errno: -5, times: 1 }, board)).to.throw(/only devices driven by probetest/);
    expect(() => failProbeParams(5, 1)).to.throw(/not an errno/);
  });

  it('late IOMMU registration and modules are modprobes', () => {
    expect(compileStep({ op: 'register-iommu-late', iommu: '0000:00:01.0', driver: 'virtio-iommu' }, board)[0]).to.include({
      cmd: "modprobe 'virtio_iommu' 2>&1",
      registersDriver: true,
    });
    expect(compileStep({ op: 'unload-module', driver: 'e1000e' }, board)[0]!.cmd).to.equal("modprobe -r 'e1000e' 2>&1");
    expect(() => compileStep({ op: 'load-module', driver: 'virtio-pci' }, board)).to.throw(/built into/);
  });

  it('deferred-timeout sleeps past what is left of the timeout', () => {
    expect(compileStep({ op: 'deferred-timeout' }, board, DEFAULT_CONFIG, 3.2)[0]!.cmd).to.equal('sleep 5');
    expect(compileStep({ op: 'deferred-timeout' }, board, DEFAULT_CONFIG, 0)[0]!.cmd).to.equal('sleep 1');
  });

  it('hot-plug goes through PCI remove and rescan', () => {
    expect(compileStep({ op: 'remove-device', device: NET }, board)[0]!.cmd).to.equal("(echo '1' > '/sys/bus/pci/devices/0000:00:03.0/remove') 2>&1");
    expect(compileStep({ op: 'add-device', device: NET }, board)[0]!.cmd).to.equal("(echo '1' > '/sys/bus/pci/rescan') 2>&1");
  });

  it('a hostile device name never reaches the shell', () => {
    const b = virtBoard();
    b.devices[0]!.name = "x'; reboot; '";
    expect(() => compileStep({ op: 'unbind', device: b.devices[0]!.name }, b)).to.throw(/not a kernel device name/);
  });
});

describe('qemu target: state snapshot', () => {
  it('queries sysfs for the devices and IOMMUs asked for', () => {
    const cmd = snapshotCommand(virtBoard(), [BLK], ['0000:00:01.0']);
    expect(cmd).to.include("p='/sys/bus/pci/devices/0000:00:02.0'");
    expect(cmd).to.include("'/sys/class/iommu/0000:00:01.0'");
    expect(cmd).to.include('/sys/kernel/debug/devices_deferred');
    expect(cmd).to.include('/proc/sys/kernel/tainted');
  });

  it('parses the snapshot output', () => {
    const raw = parseSnapshot(
      ['@D 0000:00:02.0 1 virtio-pci 0 DMA', '@D 0000:00:05.0 1 - - -', '@I 0000:00:01.0 1', '@T 12288', '@F 0000:00:05.0\tiommu not ready', ''].join('\n'),
    );
    expect(raw.devices.get(BLK)).to.deep.equal({ present: true, driver: 'virtio-pci', group: 0, groupType: 'DMA' });
    expect(raw.devices.get(TESTDEV)).to.deep.equal({ present: true, driver: null, group: null, groupType: null });
    expect(raw.iommus.get('0000:00:01.0')).to.equal(true);
    expect(raw.tainted).to.equal(12288);
    expect([...raw.deferred]).to.deep.equal([TESTDEV]);
  });
});

describe('qemu target: what it cannot run', () => {
  it('names the first reason before any guest starts', async () => {
    const { unsupportedReason } = await import('../../runner/exec/targets/qemu/compile.js');
    const b = virtBoard();
    expect(unsupportedReason(b, [{ op: 'boot', hold: [] }, { op: 'unbind', device: BLK }])).to.equal(undefined);
    expect(unsupportedReason(b, [{ op: 'boot', hold: ['virtio-pci'] }])).to.match(/built into the kernel/);
    expect(unsupportedReason(b, [{ op: 'fail-probe', device: E1000E, errno: -5, times: 1 }])).to.match(/only devices driven by probetest/);
    const arm = virtBoard();
    arm.arch = 'arm';
    expect(unsupportedReason(arm, [])).to.match(/arm64 and x86_64 only/);
  });
});
