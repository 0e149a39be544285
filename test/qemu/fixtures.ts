// A hand-built qemu-virt-arm64 board and run, matching boards/qemu-virt-arm64.yaml, so the
// target's tests do not depend on the DSL loader.

import type { PlanRun, PlanStep } from '../../runner/dsl/plan.js';
import type { ModelBoard, ModelStep } from '../../runner/model/types.js';

const VIOMMU = '0000:00:01.0';
export const BLK = '0000:00:02.0';
export const NET = '0000:00:03.0';
export const E1000E = '0000:00:04.0';
export const TESTDEV = '0000:00:05.0';

export function virtBoard(): ModelBoard {
  const client = (name: string, driver: string, compatible: string, rid: number, dmaBits = 64) => ({
    name,
    driver,
    bus: 'pci' as const,
    compatible,
    iommus: [{ iommu: VIOMMU, ids: [rid] }],
    dmaBits,
    status: 'okay' as const,
    present: true,
  });
  const drv = (name: string) => ({ name, initcall: 'device' as const, probe: [], remove: [], async: false, driverManagedDma: false });
  return {
    id: 'qemu-virt-arm64',
    model: 'linux,dummy-virt (DT)',
    arch: 'arm64',
    firmware: 'dt',
    memory: [{ base: 0x40000000, size: 0x20000000 }],
    iommus: [{ name: VIOMMU, driver: 'virtio-iommu', compatible: 'pci1af4,1057', status: 'okay', options: {} }],
    devices: [
      client(BLK, 'virtio-pci', 'pci1af4,1001', 0x10),
      client(NET, 'virtio-pci', 'pci1af4,1000', 0x18),
      client(E1000E, 'e1000e', 'pci8086,10d3', 0x20),
      client(TESTDEV, 'probetest', 'pci1b36,0005', 0x28, 32),
    ],
    drivers: [drv('virtio-pci'), drv('e1000e'), drv('probetest')],
  };
}

const pos = { file: 'test', line: 1, column: 1 };

export function planRun(name: string, steps: ModelStep[], board = virtBoard()): PlanRun {
  const ps: PlanStep[] = steps.map((step) => ({ step, pos }));
  return {
    id: `qemu-test.${name}`,
    suite: 'qemu-test',
    scenario: name,
    board,
    kernel: { name: 'v6.14', base: 'v6.14', behaviours: [] },
    steps: ps,
    checks: true,
    file: 'test',
    pos,
    reference: [],
  };
}
