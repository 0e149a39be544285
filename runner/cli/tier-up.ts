// When V8 optimises bringup's code.
//
// Most bringup commands end within a second, and in that time V8's default tier-up spends
// more CPU optimising the model's functions (TurboFan, on its compiler thread) than the
// optimised code pays back: `bringup run --no-cache` of every shipped suite took 0.90 s of
// CPU with the default interrupt budget and 0.47 s with one 16 times larger; `bringup
// explore` of a shipped board at its default bounds 1.2 → 0.8 s (salvator-xs-m3n) and
// 0.5 → 0.3 s (taishan-2280-d05). A command that goes on for seconds pays for the larger
// budget instead (a 5-second search ran 17 % slower with it throughout), so every command
// starts with the larger budget and the long ones return to V8's default once the process
// has used a second of CPU: `run` checks after each run, `explore` after each unit of its
// search (the 5-second search then costs 11 % more than with V8's default throughout: a
// function's budget already handed out runs down first). A user's own --interrupt-budget
// is left alone.

import { setFlagsFromString } from 'node:v8';

/** bytes of bytecode a function runs before V8 considers optimising it, at the start */
export const SHORT_COMMAND_INTERRUPT_BUDGET = 1 << 20;
/** V8's own default (Node 20, V8 11.3: `node --v8-options`) */
export const V8_DEFAULT_INTERRUPT_BUDGET = 67584;
/** CPU a command may use before it counts as long-lived */
export const SETTLE_AFTER_CPU_MS = 1000;

/** whether node was started with its own --interrupt-budget (on the command line or in NODE_OPTIONS) */
export function userChoseBudget(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): boolean {
  return [...execArgv, ...nodeOptions.split(/\s+/)].some((f) => /^--interrupt[-_]budget(=|$)/.test(f));
}

let lazy = false;

/** Start a command with late optimisation (see above). */
export function tierUpLate(): void {
  if (lazy || userChoseBudget()) return;
  setFlagsFromString(`--interrupt-budget=${SHORT_COMMAND_INTERRUPT_BUDGET}`);
  lazy = true;
}

/** Called between units of a long command's work: after a second of CPU, optimise as V8 would. */
export function settleIfLongLived(cpuMs: () => number = processCpuMs): void {
  if (!lazy || cpuMs() < SETTLE_AFTER_CPU_MS) return;
  setFlagsFromString(`--interrupt-budget=${V8_DEFAULT_INTERRUPT_BUDGET}`);
  lazy = false;
}

/** whether the late-optimisation start is in force (for tests) */
export function tierUpIsLate(): boolean {
  return lazy;
}

/** wall ms between two reads of the process's CPU time: a read costs microseconds, and `run` asks after every run */
const CPU_READ_EVERY_MS = 20;
let nextCpuRead = 0;

/** the process's CPU ms, or 0 when it was read less than CPU_READ_EVERY_MS ago */
function processCpuMs(): number {
  const now = performance.now();
  if (now < nextCpuRead) return 0;
  nextCpuRead = now + CPU_READ_EVERY_MS;
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
