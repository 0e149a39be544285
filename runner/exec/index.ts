// The execution API: run compiled plans on a target and get the result tree's runs.
//
//   executeAll(runs, { target: 'model' | 'qemu' | Target, jobs?, seed?, keepLog?,
//              tailLines?, trace?, kernelModule?, onResult? }): Promise<RunResult[]>
//       Every run on a fresh session, in input order whatever --jobs is; an
//       unavailable target makes every run SKIP with its reason.
//   executeRun(run, target, { keepLog?, tailLines?, trace? }): Promise<RunResult>
//       One run; never throws (a target exception is an ERROR result). keepLog also
//       records each step (what it printed, when); trace adds each board device's state
//       after every step (the HTML report's timeline).
//   loadTarget(name, { seed?, kernelModule? }), createModelTarget(createKernel, opts)
//   selectRuns(runs, { boards?, kernels?, filters? }), parseShard('K/N'), shardRuns(runs, shard)
//   KERNEL_ERRORS: the kernel-error list every scenario is checked against.

export { executeRun, skippedRun, describeStep } from './execute.js';
export type { ExecOptions } from './execute.js';
export { executeAll, executeSequential } from './run-all.js';
export type { RunAllOptions } from './run-all.js';
export { loadTarget, unavailableTarget, isTargetName, TARGETS } from './targets/index.js';
export type { TargetName, TargetOptions } from './targets/index.js';
export { createModelTarget } from './targets/model.js';
export { selectRuns, parseShard, shardRuns, globToRegExp } from './select.js';
export type { Selection, Shard } from './select.js';
export { KERNEL_ERRORS } from './kernel-errors.js';
export type { Target, TargetSession, StateQuery, StateSnapshot } from './target.js';
