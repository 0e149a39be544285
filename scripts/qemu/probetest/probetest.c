// SPDX-License-Identifier: GPL-2.0
/*
 * probetest: bringup's test PCI driver. It binds QEMU's pci-testdev (1b36:0005) and its
 * probe returns the module parameter `probe_ret` (0 = bind), so a suite can make a real
 * kernel's probe fail with any errno, including -EPROBE_DEFER (-517).
 *
 * probe_ret_times: how many probes return probe_ret before probe succeeds again
 * (-1 = every probe; each failing probe decrements a positive value). This is how the
 * DSL's `fail-probe: { times: N }` is honoured without racing the driver core.
 */
#include <linux/module.h>
#include <linux/pci.h>

static int probe_ret;
module_param(probe_ret, int, 0644);
MODULE_PARM_DESC(probe_ret, "value returned by probe (0 = success)");

static int probe_ret_times = -1;
module_param(probe_ret_times, int, 0644);
MODULE_PARM_DESC(probe_ret_times, "probes that return probe_ret before returning 0 (-1 = all)");

static int probetest_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	int ret = probe_ret;

	if (probe_ret_times == 0)
		ret = 0;
	else if (probe_ret_times > 0 && ret != 0)
		probe_ret_times--;
	dev_info(&pdev->dev, "probetest: probe called, returning %d (iommu_group=%s)\n",
		 ret, pdev->dev.iommu_group ? "yes" : "no");
	return ret;
}

static void probetest_remove(struct pci_dev *pdev)
{
	dev_info(&pdev->dev, "probetest: remove\n");
}

static const struct pci_device_id probetest_ids[] = {
	{ PCI_DEVICE(0x1b36, 0x0005) },
	{ }
};
MODULE_DEVICE_TABLE(pci, probetest_ids);

static struct pci_driver probetest_driver = {
	.name = "probetest",
	.id_table = probetest_ids,
	.probe = probetest_probe,
	.remove = probetest_remove,
};
module_pci_driver(probetest_driver);

MODULE_DESCRIPTION("bringup test driver: probe result set by a module parameter");
MODULE_LICENSE("GPL");
