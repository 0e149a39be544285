// SPDX-License-Identifier: GPL-2.0
/*
 * probetest: bringup's test PCI driver. It binds QEMU's pci-testdev (1b36:0005). Its probe
 * does what the boards' `probetest` driver declares, in this order:
 *   1. dmam-alloc: 4096   (dmam_alloc_coherent: managed DMA, released by devres)
 *   2. devm-alloc: 64     (devm_kzalloc)
 *   3. log: "probetest: probed"
 * and a suite can make it fail with any errno, including -EPROBE_DEFER (-517), after any of
 * those actions, as the DSL's `fail-probe: { error, at, times }` does on the model:
 *   probe_ret        the error to return (0 = bind)
 *   probe_ret_times  probes that fail before probe succeeds again (-1 = all; each failing
 *                    probe decrements a positive value, so `times` needs no racing)
 *   fail_at          fail after this many actions (0 = before the first, -1 = after the last)
 * remove prints "probetest: removed" (the boards' `remove: [log: ...]`).
 */
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/dma-mapping.h>
#include <linux/slab.h>

static int probe_ret;
module_param(probe_ret, int, 0644);
MODULE_PARM_DESC(probe_ret, "value returned by a failing probe (0 = success)");

static int probe_ret_times = -1;
module_param(probe_ret_times, int, 0644);
MODULE_PARM_DESC(probe_ret_times, "probes that return probe_ret before returning 0 (-1 = all)");

static int fail_at = -1;
module_param(fail_at, int, 0644);
MODULE_PARM_DESC(fail_at, "actions done before a failing probe returns (-1 = all of them)");

#define PROBETEST_ACTIONS 3

static int probetest_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	int ret = probe_ret;
	int at = fail_at < 0 || fail_at > PROBETEST_ACTIONS ? PROBETEST_ACTIONS : fail_at;
	dma_addr_t dma;
	int done = 0;

	if (probe_ret_times == 0)
		ret = 0;
	else if (probe_ret_times > 0 && ret != 0)
		probe_ret_times--;
	dev_dbg(&pdev->dev, "probetest: probe, returning %d after %d actions (iommu_group=%s)\n",
		ret, ret ? at : PROBETEST_ACTIONS, pdev->dev.iommu_group ? "yes" : "no");

	if (ret && done == at)
		return ret;
	if (!dmam_alloc_coherent(&pdev->dev, 4096, &dma, GFP_KERNEL))
		return -ENOMEM;
	if (ret && ++done == at)
		return ret;
	if (!devm_kzalloc(&pdev->dev, 64, GFP_KERNEL))
		return -ENOMEM;
	if (ret && ++done == at)
		return ret;
	dev_info(&pdev->dev, "probetest: probed\n");
	return ret;
}

static void probetest_remove(struct pci_dev *pdev)
{
	dev_info(&pdev->dev, "probetest: removed\n");
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

MODULE_DESCRIPTION("bringup test driver: probe result set by module parameters");
MODULE_LICENSE("GPL");
