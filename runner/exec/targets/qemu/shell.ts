// POSIX shell quoting for every string that reaches the guest's shell. Nothing from a YAML
// file is ever pasted into a command line unquoted.

const CONTROL_NAMES: Record<number, string> = { 0x00: 'NUL', 0x09: 'tab', 0x0a: 'newline', 0x0d: 'carriage return', 0x1b: 'escape', 0x7f: 'DEL' };

/**
 * 'text' with embedded single quotes closed and escaped: a'b → 'a'\''b'. The string is
 * typed on a serial console, whose line discipline acts on control characters before any
 * quoting is seen (Ctrl-C interrupts, Ctrl-D ends input, Ctrl-U erases the line, DEL
 * erases a character, tab completes): any C0, DEL or C1 character is refused.
 */
export function shq(s: string): string {
  // eslint-disable-next-line no-control-regex
  const bad = /[\x00-\x1f\x7f-\x9f]/.exec(s);
  if (bad) {
    const code = bad[0].charCodeAt(0);
    const name = CONTROL_NAMES[code] ?? (code < 0x20 ? `Ctrl-${String.fromCharCode(code + 0x40)}` : 'a C1 control');
    throw new Error(`refusing to type control character 0x${code.toString(16).padStart(2, '0')} (${name}) on the guest console: ${JSON.stringify(s)}`);
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
