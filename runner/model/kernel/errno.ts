// The errno values the scenarios talk about (include/uapi/asm-generic/errno*.h and
// include/linux/errno.h for the kernel-internal EPROBE_DEFER).

export const ERRNO: Readonly<Record<string, number>> = {
  EPERM: 1,
  ENOENT: 2,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  E2BIG: 7,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  ENODEV: 19,
  EINVAL: 22,
  ENOSPC: 28,
  ERANGE: 34,
  ENOSYS: 38,
  ENODATA: 61,
  ETIMEDOUT: 110,
  EPROBE_DEFER: 517,
};

export const ERRNO_NAMES: readonly string[] = Object.keys(ERRNO);

const BY_VALUE = new Map<number, string>(Object.entries(ERRNO).map(([k, v]) => [v, k]));

/** "-ENOMEM" | "ENOMEM" | -12 | 12 → -12. Undefined when the name is unknown. */
export function parseErrno(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? -Math.abs(value) : undefined;
  const name = value.startsWith('-') ? value.slice(1) : value;
  const n = ERRNO[name];
  return n === undefined ? undefined : -n;
}

/** -12 → "-ENOMEM" (the kernel's %pe), or the number when unnamed. */
export function errnoName(value: number): string {
  const name = BY_VALUE.get(Math.abs(value));
  return name ? `${value < 0 ? '-' : ''}${name}` : String(value);
}
