// POSIX shell quoting for every string that reaches the guest's shell. Nothing from a YAML
// file is ever pasted into a command line unquoted.

/** 'text' with embedded single quotes closed and escaped: a'b → 'a'\''b'. */
export function shq(s: string): string {
  if (s.includes('\0') || s.includes('\n') || s.includes('\r')) {
    throw new Error(`refusing to pass a string with NUL or newline to the guest shell: ${JSON.stringify(s)}`);
  }
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A kernel device name as sysfs spells it (PCI `0000:00:02.0`, platform `9050000.smmuv3`, `virtio0`). */
const DEVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9:._+-]*$/;
/** A driver or module name as it appears under /sys/bus/<bus>/drivers and /sys/module. */
const DRIVER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.+-]*$/;

/** Names end up inside paths; besides quoting, refuse anything that could walk out of sysfs. */
export function checkDeviceName(name: string): string {
  if (!DEVICE_NAME.test(name) || name.includes('..')) throw new Error(`not a kernel device name: ${JSON.stringify(name)}`);
  return name;
}

export function checkDriverName(name: string): string {
  if (!DRIVER_NAME.test(name) || name.includes('..')) throw new Error(`not a kernel driver name: ${JSON.stringify(name)}`);
  return name;
}
