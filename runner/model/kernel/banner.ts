// The boot banner, init/version.c's linux_banner:
//   "Linux version " UTS_RELEASE " (" LINUX_COMPILE_BY "@" LINUX_COMPILE_HOST ") (" LINUX_COMPILER ") " UTS_VERSION
// scripts/mkcompile_h makes LINUX_COMPILER `$CC -v | grep ' version '` — "gcc version 8.3.0
// (GCC)" — until v5.8, which prints the compiler's `--version` line and the linker's —
// "gcc (GCC) 10.2.0, GNU ld (GNU Binutils) 2.35" (distribution banners of 5.4 and 5.8 show the
// two forms). A thread's build prints its own (thread 000: John Garry's D05 kernel, Linaro GCC
// 4.8); any other run names the GCC and binutils releases that were current when its kernel
// was released: a v4.14 kernel was not built with gcc 12.

import type { KernelCtx } from './ctx.js';

/** newest first: from this release on, this GCC and binutils (releases of gcc.gnu.org / GNU) */
const TOOLCHAINS: readonly (readonly [release: string, gcc: string, ld: string])[] = [
  ['v6.17', '15.2.0', '2.45'],
  ['v6.15', '15.1.0', '2.44'],
  ['v6.14', '14.2.0', '2.44'],
  ['v6.11', '14.2.0', '2.43'],
  ['v6.9', '14.1.0', '2.42'],
  ['v6.8', '13.2.0', '2.42'],
  ['v6.5', '13.2.0', '2.41'],
  ['v6.4', '13.1.0', '2.40'],
  ['v6.2', '12.2.0', '2.40'],
  ['v6.0', '12.2.0', '2.39'],
  ['v5.18', '12.1.0', '2.38'],
  ['v5.17', '11.2.0', '2.38'],
  ['v5.14', '11.2.0', '2.37'],
  ['v5.13', '11.1.0', '2.36'],
  ['v5.12', '10.3.0', '2.36'],
  ['v5.11', '10.2.0', '2.36'],
  ['v5.8', '10.2.0', '2.35'],
  ['v5.7', '10.1.0', '2.34'],
  ['v5.6', '9.3.0', '2.34'],
  ['v5.3', '9.2.0', '2.33.1'],
  ['v5.1', '9.1.0', '2.32'],
  ['v5.0', '8.3.0', '2.32'],
  ['v4.18', '8.2.0', '2.31'],
  ['v4.17', '8.1.0', '2.30'],
  ['v4.15', '7.3.0', '2.30'],
  ['v4.13', '7.2.0', '2.29'],
  ['v4.12-rc1', '7.1.0', '2.28'],
  ['v4.11', '6.3.0', '2.28'],
];

/** LINUX_COMPILER of the run's kernel */
export function linuxCompiler(k: KernelCtx): string {
  if (k.build?.compiler) return k.build.compiler;
  const [, gcc, ld] = TOOLCHAINS.find(([r]) => k.since(r)) ?? TOOLCHAINS[TOOLCHAINS.length - 1]!;
  return k.since('v5.8') ? `gcc (GCC) ${gcc}, GNU ld (GNU Binutils) ${ld}` : `gcc version ${gcc} (GCC)`;
}

/** the banner line: what `cat /proc/version` says */
export function linuxBanner(k: KernelCtx): string {
  const preempt = k.build?.preempt === false ? '' : ' PREEMPT';
  const date = k.build?.buildDate ? ` ${k.build.buildDate}` : '';
  return `Linux version ${k.uts} (${k.build?.builtBy ?? 'bringup@model'}) (${linuxCompiler(k)}) ${k.utsVersion} SMP${preempt}${date}`;
}
