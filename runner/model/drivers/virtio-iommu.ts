// virtio-iommu (drivers/iommu/virtio-iommu.c, kernel driver "virtio_iommu"), a module on
// the QEMU virt board. The IOMMU is a virtio device (virtio0, on the viommu's own PCI
// function); clients are PCI functions whose IDs come from the DT iommu-map. Its probe
// sets vdev->priv before iommu_device_register (viommu_probe_device finds the viommu
// through it), then reports the input range and page mask.

import { registerInSensibleOrder, wellBehaved } from './common.js';

/** the virtio device the driver binds (option `virtio`, default virtio0) */
function virtioName(inst: { option<T>(key: string): T | undefined }): string {
  return inst.option<string>('virtio') ?? 'virtio0';
}

export const virtioIommu = wellBehaved('virtio-iommu', 'virtio_iommu', 'viommu', {
  initcall: 'module',
  probe(k, inst) {
    return k.call('virtio_dev_probe', () =>
      k.call('viommu_probe', () => {
        const r = registerInSensibleOrder(k, inst);
        if (r !== 0) return r;
        const name = virtioName(inst);
        // order_base_2(geometry.aperture_end) and pgsize_bitmap from the device config
        k.log(`virtio_iommu ${name}: input address: 64 bits`);
        k.log(`virtio_iommu ${name}: page mask: 0xfffffffffffff000`);
        return 0;
      }),
    );
  },
  contextFault(k, inst, dev, iova) {
    // viommu_fault_handler(): the device reports the fault on the event queue
    k.log(`virtio_iommu ${virtioName(inst)}: unhandled fault: 0x0 ${dev.iommu?.ids[0] ?? 0} 0x${iova.toString(16)}`);
  },
});
