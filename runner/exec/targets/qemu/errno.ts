// What the guest's shell prints when a sysfs write fails, mapped back to the kernel's -errno.
// busybox ash reports a failed `echo x > file` as "sh: write error: <strerror>" and a failed
// open as "sh: can't create <file>: <strerror>". Debian's busybox-static links glibc; musl
// spellings are accepted too so another guest userland keeps working.

import { ERRNO } from '../../../model/kernel/errno.js';

const STRERROR: Readonly<Record<string, keyof typeof ERRNO>> = {
  // glibc
  'Operation not permitted': 'EPERM',
  'No such file or directory': 'ENOENT',
  'Interrupted system call': 'EINTR',
  'Input/output error': 'EIO',
  'No such device or address': 'ENXIO',
  'Argument list too long': 'E2BIG',
  'Resource temporarily unavailable': 'EAGAIN',
  'Cannot allocate memory': 'ENOMEM',
  'Permission denied': 'EACCES',
  'Bad address': 'EFAULT',
  'Device or resource busy': 'EBUSY',
  'File exists': 'EEXIST',
  'No such device': 'ENODEV',
  'Invalid argument': 'EINVAL',
  'No space left on device': 'ENOSPC',
  'Numerical result out of range': 'ERANGE',
  'Function not implemented': 'ENOSYS',
  'No data available': 'ENODATA',
  'Connection timed out': 'ETIMEDOUT',
  // musl
  'I/O error': 'EIO',
  'Out of memory': 'ENOMEM',
  'Result not representable': 'ERANGE',
  'No error information': 'EIO',
  // busybox's own wording for a missing directory
  'nonexistent directory': 'ENOENT',
};

/** "Input/output error" → -5; "Unknown error 517" → -517; undefined when unknown. */
export function errnoFromStrerror(message: string): number | undefined {
  const m = message.trim();
  const name = STRERROR[m];
  if (name) return -ERRNO[name]!;
  const unknown = /^Unknown error (-?\d+)$/.exec(m) ?? /^Error (-?\d+)$/.exec(m);
  if (unknown) return -Math.abs(Number(unknown[1]));
  return undefined;
}

/**
 * The errno of a sysfs write from the shell's output and exit status: 0 when the write
 * succeeded, the mapped -errno when the shell named the error, -EIO as a last resort for a
 * failure whose message is unrecognised (the report still carries the raw text).
 */
export function errnoFromShell(output: string, rc: number): number {
  const lines = output.split(/\r?\n/);
  for (const line of lines) {
    const w = /(?:^|\s)(?:\S+: )?write error: (.+)$/.exec(line);
    if (w) return errnoFromStrerror(w[1]!) ?? -ERRNO['EIO']!;
    const c = /can't (?:create|open) [^:]+: (.+)$/.exec(line);
    if (c) return errnoFromStrerror(c[1]!) ?? -ERRNO['EIO']!;
  }
  return rc === 0 ? 0 : -ERRNO['EIO']!;
}
