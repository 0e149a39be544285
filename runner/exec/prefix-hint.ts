// dev_printk starts a device's line with dev_driver_string(): the bound driver's name,
// or the bus name ("platform", "pci", "amba") while no driver is bound. Whether a line
// is printed before or after the bind moved between kernel eras (the IOMMU probe went
// from really_probe() to iommu_device_register() with bcb81ac6ae3c), so a pattern copied
// from one era's log — "sata_rcar ee300000.sata: Adding to iommu group 0" — misses the
// other's "platform ee300000.sata: ...". A literal pattern is a substring, so starting it
// at the device name matches both; this hint says so when that is the near miss.

const BUSES = new Set(['platform', 'pci', 'amba']);

/** The advice for a literal pattern whose nearest line differs only in that prefix, or undefined. */
export function devicePrefixHint(pattern: string, line: string): string | undefined {
  const m = /^(\S+) (\S+): (.*)$/s.exec(pattern);
  if (!m) return undefined;
  const [, wanted, device, rest] = m as unknown as [string, string, string, string];
  const at = line.indexOf(` ${device}: ${rest}`);
  if (at <= 0) return undefined;
  const seen = line.slice(0, at).split(' ').at(-1)!;
  if (!seen || seen === wanted) return undefined;
  if (!BUSES.has(seen) && !BUSES.has(wanted)) return undefined;
  return (
    `the line starts "${seen} ${device}:" where the pattern says "${wanted} ${device}:" — the kernel prints the bus name ` +
    `before a driver is bound and the driver's name after, and which one a line gets depends on the kernel era; ` +
    `start the pattern at the device name ("${device}: ${rest}") to match either`
  );
}
