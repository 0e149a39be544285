// When V8 optimises the code of a command that lasts well under a second.
//
// Most bringup commands end within half a second, and in that time V8's default tier-up
// spends more CPU optimising the model's functions (TurboFan, on its compiler thread)
// than the optimised code ever pays back: `bringup run --no-cache` of every shipped suite
// took 0.90 s of CPU with the default interrupt budget and 0.47 s with a budget 16 times
// larger (wall 0.57 → 0.44 s; 2 cores, Node 20.20). A longer-lived command pays for the
// larger budget instead: a 5-second explore search ran 17 % slower with it. So a command
// says whether it is long-lived (explore) and the others start with the larger budget.
// The budget is read each time a function's counter is reset, so setting it before the
// command's modules load is enough; a user's own `--interrupt-budget` is left alone.

import { setFlagsFromString } from 'node:v8';

/** bytes of bytecode a function runs before V8 considers optimising it (V8's default: 66 KiB) */
export const SHORT_COMMAND_INTERRUPT_BUDGET = 1 << 20;

/** whether node was started with its own --interrupt-budget (on the command line or in NODE_OPTIONS) */
export function userChoseBudget(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): boolean {
  return [...execArgv, ...nodeOptions.split(/\s+/)].some((f) => /^--interrupt[-_]budget(=|$)/.test(f));
}

/** Start a short-lived command: optimise late, as the measurement above says pays. */
export function tierUpForShortCommand(): void {
  if (userChoseBudget()) return;
  setFlagsFromString(`--interrupt-budget=${SHORT_COMMAND_INTERRUPT_BUDGET}`);
}
