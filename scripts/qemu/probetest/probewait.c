// SPDX-License-Identifier: GPL-2.0
/*
 * probewait: bringup's consumer test driver. It binds QEMU's `edu` device (1234:11e8) and its
 * probe does what the boards' `probewait` driver declares:
 *   1. wait-for: SUPPLIER  (-EPROBE_DEFER until the PCI device named by `supplier` is bound,
 *                          then a device link to it, as drivers do with device_link_add()
 *                          and as the model's `wait-for` does: unbinding the supplier unbinds
 *                          this consumer first, and the link goes with the consumer's driver)
 *   2. dmam-alloc: 4096
 *   3. log: "probewait: supplier ready"
 * so deferral on a real kernel is driven by a real supplier, not by a canned errno: the
 * device sits on the deferred list (devices_deferred) until the supplier's driver binds and
 * driver_bound() triggers the retry.
 */
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>

static char *supplier = "";
module_param(supplier, charp, 0644);
MODULE_PARM_DESC(supplier, "PCI device (0000:00:05.0) that must be bound before probe succeeds");

/* the supplier device if it is bound (with a reference), else NULL */
static struct device *bound_supplier(void)
{
	struct device *dev;

	if (!supplier || !*supplier)
		return NULL;
	dev = bus_find_device_by_name(&pci_bus_type, NULL, supplier);
	if (dev && !READ_ONCE(dev->driver)) {
		put_device(dev);
		dev = NULL;
	}
	return dev;
}

static int probewait_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *sup = NULL;
	dma_addr_t dma;

	if (supplier && *supplier) {
		sup = bound_supplier();
		if (!sup) {
			dev_dbg(&pdev->dev, "probewait: %s not bound yet\n", supplier);
			return -EPROBE_DEFER;
		}
		if (!device_link_add(&pdev->dev, sup, DL_FLAG_AUTOREMOVE_CONSUMER)) {
			put_device(sup);
			return -EINVAL;
		}
		put_device(sup);
	}
	if (!dmam_alloc_coherent(&pdev->dev, 4096, &dma, GFP_KERNEL))
		return -ENOMEM;
	dev_info(&pdev->dev, "probewait: supplier ready\n");
	return 0;
}

static void probewait_remove(struct pci_dev *pdev)
{
	dev_info(&pdev->dev, "probewait: removed\n");
}

static const struct pci_device_id probewait_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },
	{ }
};
MODULE_DEVICE_TABLE(pci, probewait_ids);

static struct pci_driver probewait_driver = {
	.name = "probewait",
	.id_table = probewait_ids,
	.probe = probewait_probe,
	.remove = probewait_remove,
};
module_pci_driver(probewait_driver);

MODULE_DESCRIPTION("bringup test driver: defers until a supplier device is bound");
MODULE_LICENSE("GPL");
