// Every kernel-visible behaviour that changed over time, named by the commit that
// introduced or fixed it (12-hex id) or by a kebab-case slug where no id is known.
// A profile is the set of behaviours switched on; the model asks `has(id)`.

/** A fix of this area taken into a stable line, by the stable tree's own commit. */
export interface Backport {
  /** the LTS line, e.g. "6.1" (profile v6.1.y) */
  line: string;
  /** the stable tree's commit (12 hex) */
  commit: string;
  /** the first stable release that carries it, e.g. "6.1.120" */
  release: string;
}

export interface Behaviour {
  id: string;
  subject: string;
  /** the first release that carries it */
  landed: string;
  changes: string;
  /** older names that still resolve to this behaviour (a slug that gained its commit id) */
  aliases?: readonly string[];
  /** a fix of a real bug (it has a reproducer suite) rather than a change of mechanism */
  fixes?: string;
  /** its stable backports to the LTS lines the profiles model */
  backports?: readonly Backport[];
}

export const BEHAVIOURS: readonly Behaviour[] = [
  {
    id: '7b07cbefb68d',
    subject: 'iommu: of: Handle IOMMU lookup failure with deferred probing or error',
    landed: 'v4.12-rc1',
    changes: 'clients of a not-yet-registered IOMMU get -EPROBE_DEFER at really_probe (before: configured without the IOMMU at device creation)',
  },
  {
    id: 'of-iommu-skip-disabled',
    subject: 'iommu/of: fix check for returning EPROBE_DEFER (of_device_is_available)',
    landed: 'v4.12',
    changes: 'an IOMMU node with status = "disabled" means "no IOMMU", not "wait"',
  },
  {
    id: 'a93a121a9653',
    aliases: ['arm32-teardown-clears-ops'],
    subject: "ARM: dma-mapping: Don't tear down third-party mappings",
    landed: 'v4.12',
    changes: 'on arch: arm, tear-down resets dma_ops so a re-probe after deferral sets them up again',
  },
  {
    id: '25b4e70dcce9',
    subject: 'driver core: allow stopping deferred probe after init',
    landed: 'v4.19',
    changes: 'driver_deferred_probe_check_state(): a subsystem that opts in (the IOMMU lookup) stops waiting for a supplier once initcalls are done (-ENODEV, or -ETIMEDOUT with the deferred_probe_timeout= debug timeout, default -1 = off); before, it deferred for ever',
  },
  {
    id: '28af109a57d1',
    subject: 'driver core: add a debugfs entry to show deferred devices',
    landed: 'v4.19',
    changes: '/sys/kernel/debug/devices_deferred lists the devices on the pending list, one name a line',
  },
  {
    id: 'b4ebe6063204',
    subject: 'dma-direct: implement complete bus_dma_mask handling',
    landed: 'v4.20-rc1',
    changes: 'the bus DMA limit applies to dma-direct mappings, so buffers above it fail dma_capable',
  },
  {
    id: '6778be4e5209',
    subject: 'of/device: Really only set bus DMA mask when appropriate',
    landed: 'v4.20',
    changes: 'a DT device gets a bus DMA limit only from dma-ranges (before: a 32-bit default, which b4ebe6063204 made dma-direct honour)',
  },
  {
    id: 'ipmmu-early-domain-free',
    subject: 'iommu/ipmmu-vmsa: Fix crash on early domain free',
    landed: 'v4.20',
    changes: 'ipmmu_domain_free copes with a domain whose context was never set up',
  },
  {
    id: '356da6d0cde3',
    subject: 'dma-mapping: bypass indirect calls for dma-direct',
    landed: 'v5.0',
    changes: 'on arm64 a device with NULL dma_ops is dma-direct (before: get_arch_dma_ops() gave dummy_dma_ops, whose free does nothing), so a buffer iommu-dma allocated and the torn-down device frees goes through dma_direct_free(): a paging fault or Bad page state instead of a silent leak',
  },
  {
    id: '376991db4b64',
    subject: 'driver core: Postpone DMA tear-down until after devres release',
    landed: 'v5.1',
    changes: 'unbind releases devres before arch_teardown_dma_ops',
  },
  {
    id: '0b777eee88d7',
    subject: 'driver core: Postpone DMA tear-down until after devres release for probe failure',
    landed: 'v5.2-rc1',
    changes: 'same order on the really_probe failure path',
  },
  {
    id: 'a6a4c7e2c5b8',
    subject: 'iommu: Add probe_device() and release_device() call-backs',
    landed: 'v5.8',
    changes: 'the IOMMU core allocates groups and default domains itself around ->probe_device (iommu_probe_device(), bus_iommu_probe() finalising new groups); before, each driver\'s ->add_device did it through iommu_group_get_for_dev()',
  },
  {
    id: '7c35e699c88b',
    subject: 'driver core: Print device when resources present in really_probe()',
    landed: 'v5.6',
    changes: 'really_probe() of a device that still has devres items prints dev_crit "Resources present before probing" and fails with -EBUSY (before: WARN_ON and the probe went on)',
  },
  {
    id: 'c8c43cee29f6',
    subject: 'driver core: Fix driver_deferred_probe_check_state() logic',
    landed: 'v5.7-rc1',
    changes: 'driver_deferred_probe_check_state() defers while the timeout runs and gives up only when it has expired (dev_info "deferred probe timeout, ignoring dependency", -ETIMEDOUT); before, it gave up as soon as initcalls were done (-ENODEV, "ignoring dependency for device, assuming no driver")',
  },
  {
    id: 'e2cec7d68537',
    subject: 'driver core: Set deferred_probe_timeout to a longer default if CONFIG_MODULES is set',
    landed: 'v5.7-rc1',
    changes: 'deferred_probe_timeout defaults to 30 s with modules (before: -1, no timeout)',
  },
  {
    id: 'ce68929f07de',
    subject: 'driver core: Revert default driver_deferred_probe_timeout value to 0',
    landed: 'v5.7-rc2',
    changes: 'deferred_probe_timeout defaults to 0: an opted-in lookup gives up on a missing supplier as soon as initcalls are done',
  },
  {
    id: 'd090b70ede02',
    subject: 'driver core: add deferring probe reason to devices_deferred property',
    landed: 'v5.9',
    changes: 'a device keeps the reason of its last deferral (dev_err_probe), and devices_deferred prints it after a tab',
  },
  {
    id: 'f0acf637d60f',
    subject: 'driver core: clear deferred probe reason on probe retry',
    landed: 'v5.12',
    changes: 'the deferred work drops a device\'s old reason before retrying it (before: a retry that deferred without a message kept the stale reason)',
    fixes: 'devices_deferred listed a misleading probe deferral reason (since d090b70ede02)',
  },
  {
    id: 'e590474768f1',
    subject: 'driver core: Set fw_devlink=on by default',
    landed: 'v5.12-rc1',
    changes: 'fw_devlink=on: the suppliers firmware names become device links a consumer\'s really_probe() waits for (device_links_check_suppliers); an `iommus` IOMMU is one of them while that property is mandatory',
  },
  {
    id: 'a9dd8f3c2cf3',
    subject: 'of: property: Add fw_devlink support for optional properties',
    landed: 'v5.12-rc1',
    changes: '`iommus` (and `iommu-map`) become optional suppliers: fw_devlink makes no link for them unless fw_devlink.strict=1',
  },
  {
    id: '3e4c982f1ce7',
    subject: 'Revert "driver core: Set fw_devlink=on by default"',
    landed: 'v5.12',
    changes: 'fw_devlink back to permissive for v5.12: no probe ordering from firmware links',
  },
  {
    id: 'ea718c699055',
    subject: 'Revert "Revert "driver core: Set fw_devlink=on by default""',
    landed: 'v5.13',
    changes: 'fw_devlink=on again',
  },
  {
    id: 'ef6dcbdd8eb2',
    aliases: ['sysfs-bind-errno'],
    subject: 'driver core: Flow the return code from ->probe() through to sysfs bind',
    landed: 'v5.14',
    changes: 'bind of a bound device -> -EBUSY, a failed probe -> its errno (before: -ENODEV for both, and for a deferral)',
  },
  {
    id: '45ddcb42949f',
    subject: "driver core: Don't return EPROBE_DEFER to userspace during sysfs bind",
    landed: 'v5.14',
    changes: 'a bind whose probe defers returns -EAGAIN (with ef6dcbdd8eb2 alone: -EPROBE_DEFER, -517, reached userspace)',
  },
  {
    id: '68223eeec708',
    subject: 'driver core: Set deferred probe reason when deferred by driver core',
    landed: 'v5.15',
    changes: 'a consumer deferred for a supplier that has not bound gets the reason "supplier <name> not ready" (before: only a dev_dbg)',
  },
  {
    id: '2b28a1a84a0e',
    subject: 'driver core: Extend deferred probe timeout on driver registration',
    landed: 'v5.19-rc1',
    changes: 'each driver registration pushes the deferred-probe timeout out again, and the default becomes 10 s with modules',
  },
  {
    id: '9be4cbd09da8',
    subject: 'driver core: Set default deferred_probe_timeout back to 0.',
    landed: 'v5.19',
    changes: 'deferred_probe_timeout defaults to 0 again (2b28a1a84a0e\'s extension stays)',
  },
  {
    id: '25f3bcfc54bc',
    subject: 'driver core: Add dma_cleanup callback in bus_type',
    landed: 'v5.19',
    changes: 'a failed probe and an unbind call bus->dma_cleanup(), giving back the default-domain ownership dma_configure took',
  },
  {
    id: '512881eacfa7',
    subject: 'bus: platform,amba,fsl-mc,PCI: Add device DMA ownership management',
    landed: 'v5.19',
    changes: 'bus dma_configure() ends with iommu_device_use_default_domain() for a driver without driver_managed_dma',
  },
  {
    id: '9e3a2a643653',
    subject: 'iommu/mediatek: Adapt sharing and non-sharing pgtable case',
    landed: 'v5.19',
    changes: 'mtk_iommu_device_group() takes the first M4U of the hw list the M4Us share; the list is set only after iommu_device_register() (until 38e8844005e6), so a client reaching device_group in between dereferences NULL',
  },
  {
    id: 'b09796d528bb',
    subject: 'iommu/of: Delete usage of driver_deferred_probe_check_state()',
    landed: 'v6.0-rc1',
    changes: 'of_iommu_xlate() answers -ENODEV for an IOMMU that has not registered instead of asking driver_deferred_probe_check_state(): the DT client goes on at once without it (fw_devlink was to order them instead)',
  },
  {
    id: '71066545b48e',
    subject: 'driver core: Set fw_devlink.strict=1 by default',
    landed: 'v6.0-rc1',
    changes: 'fw_devlink.strict=1: optional suppliers (`iommus`) get device links too, so a DT client waits for its IOMMU\'s device to bind',
  },
  {
    id: 'a4f124908617',
    subject: 'Revert "iommu/of: Delete usage of driver_deferred_probe_check_state()"',
    landed: 'v6.0',
    changes: 'of_iommu_xlate() asks driver_deferred_probe_check_state() again: the client waits for a late IOMMU until the timeout',
    fixes: 'with fw_devlink.strict reverted, b09796d528bb let DT clients of a not-yet-registered IOMMU (virtio-iommu as a module) probe without it (Reported-by: Jean-Philippe Brucker)',
  },
  {
    id: 'd8ab4685adc1',
    subject: 'Revert "driver core: Set fw_devlink.strict=1 by default"',
    landed: 'v6.0',
    changes: 'fw_devlink.strict=0 again: no links for `iommus`',
  },
  {
    id: 'f516d01b9df2',
    subject: 'Revert "driver core: Set default deferred_probe_timeout back to 0."',
    landed: 'v6.0',
    changes: 'deferred_probe_timeout defaults to 10 s again: opted-in lookups keep deferring for 10 s after the last driver registration, then give up',
  },
  {
    id: '7c41da586e9f',
    subject: 'driver core: Emit reason for pending deferred probe',
    landed: 'v6.8',
    changes: 'at the timeout, "deferred probe pending" is followed by the device\'s reason, or "(reason unknown)"',
  },
  {
    id: 'b67483b3c44e',
    subject: 'iommu/dma: Centralise iommu_setup_dma_ops()',
    landed: 'v6.10-rc1',
    changes: 'iommu-dma ops installed once at IOMMU probe time, not at each client probe',
  },
  {
    id: '8b80549f1bc6',
    subject: 'arm64: Properly clean up iommu-dma remnants',
    landed: 'v6.10-rc1',
    changes: 'arm64 tear-down no longer strands a client on dma-direct after a deferral',
  },
  {
    id: '229e6ee43d2a',
    subject: 'iommu/arm-smmu: Defer probe of clients after smmu device bound',
    landed: 'v6.13',
    changes: 'arm_smmu_probe_device() defers a client whose SMMU has registered but not yet bound (arm_smmu_get_by_fwnode() found nothing) instead of dereferencing NULL',
    fixes: 'CVE-2024-56568: a client probing between the SMMU\'s iommu_device_register() and driver_bound() oopses in arm_smmu_probe_device (since 021bb8420d44, v4.9)',
    backports: [
      { line: '5.10', commit: 'c2527d07c7e9', release: '5.10.231' },
      { line: '5.15', commit: 'dc02407ea952', release: '5.15.174' },
      { line: '6.1', commit: 'f8f794f387ad', release: '6.1.120' },
      { line: '6.6', commit: '4a9485918a04', release: '6.6.66' },
      { line: '6.12', commit: '5018696b19bc', release: '6.12.4' },
    ],
  },
  {
    id: 'b46064a18810',
    subject: 'iommu: Handle race with default domain setup',
    landed: 'v6.15-rc1',
    changes: 'iommu_device_use_default_domain() defers a client whose group has no default domain yet (bus_iommu_probe() still finalising it) instead of letting it start on dma-direct',
    fixes: 'a client probing during iommu_device_register() ran DMA API calls on dma-direct and was switched to iommu-dma underfoot (since 98ac73f99bc4)',
  },
  {
    id: 'bcb81ac6ae3c',
    subject: 'iommu: Get DT/ACPI parsing into the proper probe path',
    landed: 'v6.15-rc1',
    changes: 'iommu_init_device replays bus dma_configure when the device has no driver, so of_xlate runs during iommu_device_register',
  },
  {
    id: '73d2f10957f5',
    subject: "iommu: Don't warn prematurely about dodgy probes",
    landed: 'v6.15-rc1',
    changes: 'the "late IOMMU probe at driver bind" WARN moves after probe_device',
  },
  {
    id: 'f48dcda8f6a4',
    subject: 'iommu/rockchip: Allocate per-device data sensibly',
    landed: 'v6.15-rc1',
    changes: 'rk_iommu_of_xlate allocates a client\'s data against the IOMMU\'s own device, not the global dma_dev (NULL until the first instance finished probing)',
    fixes: 'the devm_kmalloc NULL dereference at 0x3e8 under bcb81ac6ae3c (Odroid-M1), together with f90aa59eb299',
  },
  {
    id: 'dcde1c4aa7ce',
    subject: 'iommu/rockchip: Retire global dma_dev workaround',
    landed: 'v6.15-rc1',
    changes: 'a domain\'s page directory is mapped through the IOMMU device it belongs to, so allocating a domain no longer needs the global dma_dev',
  },
  {
    id: 'f90aa59eb299',
    subject: 'iommu/rockchip: Register in a sensible order',
    landed: 'v6.15-rc1',
    changes: 'rk_iommu_probe sets dma_dev (and runtime PM, IRQs, the DMA mask) before iommu_device_register()',
  },
  {
    id: '38e8844005e6',
    subject: 'iommu/mediatek: Fix NULL pointer deference in mtk_iommu_device_group',
    landed: 'v6.15-rc2',
    changes: 'mtk sets its hw list before registering',
    fixes: 'mtk_iommu_device_group() dereferences the hw_list a client reaches before mtk_iommu_probe() set it (since 9e3a2a643653)',
    // the 6.12.y commit is in the stable tree's linux-rolling-lts push of 2025-04-20 (6.12.24)
    backports: [{ line: '6.12', commit: 'a0842539e8ef', release: '6.12.24' }],
  },
  {
    id: 'd9d3cede4167',
    subject: 'iommu/ipmmu-vmsa: Register in a sensible order',
    landed: 'v6.15-rc2',
    changes: 'ipmmu sets drvdata before registering',
  },
  {
    id: 'da33e87bd2bf',
    subject: 'iommu: Handle yet another race around registration',
    landed: 'v6.16',
    changes: 'iommu_fwspec_init() from a client\'s own probe (no dev->iommu yet) defers while its IOMMU\'s iommu_device_register() is still walking the buses (iommu->ready not yet set)',
    fixes: 'a client probing in parallel with its IOMMU\'s bus walk (driver_async_probe) replayed a probe the walk had not tried yet: out-of-order group allocation and the "late IOMMU probe at driver bind" WARN (since bcb81ac6ae3c; reported by Johan Hovold)',
  },
];

export const BEHAVIOUR_IDS: ReadonlySet<string> = new Set(BEHAVIOURS.map((b) => b.id));

/** every name a behaviour answers to (ids and aliases) → its id */
export const BEHAVIOUR_NAMES: ReadonlyMap<string, string> = new Map(
  BEHAVIOURS.flatMap((b) => [[b.id, b.id] as const, ...(b.aliases ?? []).map((a) => [a, b.id] as const)]),
);

/** the behaviour's id for an id or an alias, undefined when unknown */
export function canonicalBehaviour(name: string): string | undefined {
  return BEHAVIOUR_NAMES.get(name);
}
