// The kernel's crash and warning reports, in the arm64 (and x86_64/arm) formats of
// the profile's era: oops (die), WARN (__warn), panic, and bad_page(). The call chain
// printed is always the model's own shadow stack at that moment.

import type { KernelCtx } from './ctx.js';
import { symbolise } from './stack.js';

/** Thrown to abandon the current kernel call after an oops; caught at task boundaries. */
export class OopsUnwind extends Error {
  constructor(readonly fn: string) {
    super(`oops in ${fn}`);
  }
}

/** Thrown after a panic: the run is over. */
export class PanicUnwind extends Error {}

function header(k: KernelCtx): string {
  const t = k.task;
  const uid = k.since('v6.14') ? 'UID: 0 ' : '';
  return `CPU: ${t.cpu} ${uid}PID: ${t.pid} Comm: ${t.comm} ${k.taint.print()} ${k.uts} #1`;
}

function hardwareName(k: KernelCtx): string {
  return `Hardware name: ${k.board.firmware === 'dt' ? `${k.board.model}` : k.board.model}`;
}

function callTrace(k: KernelCtx, frames: string[]): string[] {
  if (k.board.arch === 'x86_64') {
    return ['Call Trace:', ' <TASK>', ...frames.map((f) => `  ${symbolise(f)}`), ' </TASK>'];
  }
  const marked = k.since('v6.14') && k.board.arch === 'arm64';
  return ['Call trace:', ...frames.map((f, i) => ` ${symbolise(f)}${marked && i === 0 ? ' (P)' : ''}`)];
}

function endTrace(k: KernelCtx): string {
  return `---[ end trace ${k.nextOopsId()} ]---`;
}

function regsLines(k: KernelCtx, pc: string, lr: string): string[] {
  if (k.board.arch === 'x86_64') {
    return [`RIP: 0010:${symbolise(pc)}`, 'RSP: 0018:ffffafba00047c58 EFLAGS: 00010282'];
  }
  if (k.board.arch === 'arm') {
    return [`PC is at ${symbolise(pc)}`, `LR is at ${symbolise(lr)}`];
  }
  const pstate = k.since('v6.14') ? '60400005 (nZCv daif +PAN -UAO -TCO -DIT -SSBS BTYPE=--)' : '60000005 (nZCv daif -PAN -UAO)';
  return [`pstate: ${pstate}`, `pc : ${symbolise(pc)}`, `lr : ${symbolise(lr)}`, 'sp : ffff800012b4b990'];
}

function workqueueLine(k: KernelCtx): string[] {
  return k.task.workqueue ? [`Workqueue: ${k.task.workqueue}`] : [];
}

function panicIfInit(k: KernelCtx): void {
  if (k.task.pid !== 1) return;
  k.events?.add('report', 'panic', { detail: 'Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b', line: k.printk.lines.length });
  k.printk.block([
    'Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b',
    ...(k.board.arch === 'arm64' ? ['SMP: stopping secondary CPUs', 'Kernel Offset: disabled', 'Memory Limit: none'] : []),
    '---[ end Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b ]---',
  ]);
  k.panicked = true;
  throw new PanicUnwind('Attempted to kill init!');
}

export interface FaultInfo {
  /** the faulting address */
  addr: number | bigint;
  /** where the fault is raised: the innermost frame (pc); lr is its caller */
  pc: string;
  lr?: string;
}

/**
 * A kernel data abort in the current call: prints the die() block, taints D and
 * abandons the call (PID 1: panics).
 */
export function oops(k: KernelCtx, f: FaultInfo): never {
  // oops_enter() turns lock debugging off quietly, so die()'s add_taint prints nothing
  k.debugLocksOff();
  const pushed = k.stack.top() !== f.pc;
  if (pushed) k.stack.push(f.pc);
  const frames = k.stack.trace();
  const lr = f.lr ?? frames[1] ?? f.pc;
  const addr = f.addr.toString(16).padStart(k.board.arch === 'arm' ? 8 : 16, '0');
  const what = BigInt(f.addr) < 4096n ? 'NULL pointer dereference' : 'paging request';
  const n = ++k.oopsCount;
  const modern = k.since('v6.9');
  const lines: string[] = [];
  if (k.board.arch === 'x86_64') {
    lines.push(`BUG: kernel NULL pointer dereference, address: ${addr}`, '#PF: supervisor read access in kernel mode',
      `Oops: 0000 [#${n}] PREEMPT SMP NOPTI`);
  } else if (k.board.arch === 'arm') {
    lines.push(`Unable to handle kernel ${what} at virtual address ${addr}`, `Internal error: Oops: 17 [#${n}] SMP ARM`);
  } else {
    const esr = modern ? '0x0000000096000004' : '0x96000004';
    lines.push(`Unable to handle kernel ${what} at virtual address ${addr}`, 'Mem abort info:', `  ESR = ${esr}`);
    if (modern) lines.push('  EC = 0x25: DABT (current EL), IL = 32 bits');
    else lines.push('  Exception class = DABT (current EL), IL = 32 bits');
    lines.push('  SET = 0, FnV = 0', '  EA = 0, S1PTW = 0');
    if (modern) lines.push('  FSC = 0x04: level 0 translation fault');
    lines.push('Data abort info:', modern ? '  ISV = 0, ISS = 0x00000004, ISS2 = 0x00000000' : '  ISV = 0, ISS = 0x00000004',
      modern ? '  CM = 0, WnR = 0, TnD = 0, TagAccess = 0' : '  CM = 0, WnR = 0');
    lines.push(`[${addr}] user address but active_mm is swapper`);
    lines.push(`Internal error: Oops: ${modern ? '0000000096000004' : '96000004'} [#${n}] PREEMPT SMP`);
  }
  lines.push('Modules linked in:', header(k), hardwareName(k), ...workqueueLine(k), ...regsLines(k, f.pc, lr));
  if (k.board.arch !== 'x86_64' && !modern) lines.push(`Process ${k.task.comm} (pid: ${k.task.pid}, stack limit = 0x(____ptrval____))`);
  lines.push(...callTrace(k, frames));
  if (k.board.arch !== 'x86_64') lines.push('Code: d2801017 a90153f3 ab0102e0 aa0103f4 (b943eab8)');
  lines.push(endTrace(k));
  k.events?.add('report', f.pc, { detail: lines[0]!, frames, line: k.printk.lines.length });
  k.printk.block(lines);
  k.taint.add('D');
  if (pushed) k.stack.pop();
  panicIfInit(k);
  throw new OopsUnwind(f.pc);
}

export interface WarnInfo {
  file: string;
  line: number;
  /** the function the WARN is in (printed as the site and pc) */
  fn: string;
  /** dev_WARN: "<driver or bus> <dev>: <msg>" */
  message?: string;
}

/** A WARN splat; taints W, the call goes on. */
export function warn(k: KernelCtx, w: WarnInfo): void {
  const pushed = k.stack.top() !== w.fn;
  if (pushed) k.stack.push(w.fn);
  const frames = k.stack.trace();
  const lines: string[] = ['------------[ cut here ]------------'];
  if (w.message) lines.push(w.message);
  lines.push(`WARNING: CPU: ${k.task.cpu} PID: ${k.task.pid} at ${w.file}:${w.line} ${symbolise(w.fn)}`);
  lines.push('Modules linked in:', header(k), hardwareName(k), ...workqueueLine(k), ...regsLines(k, w.fn, w.fn));
  lines.push(...callTrace(k, frames), endTrace(k));
  k.events?.add('report', w.fn, { detail: lines.find((l) => l.startsWith('WARNING:'))!, frames, line: k.printk.lines.length });
  k.printk.block(lines);
  if (pushed) k.stack.pop();
  k.taint.add('W');
}

/** the struct page address of a pfn in the arm64 vmemmap (deterministic, 64-byte pages) */
export function vmemmapPage(pfn: number): string {
  return (0xfffffe0000000000n + BigInt(pfn) * 64n).toString(16);
}

/**
 * bad_page(): one report per page freed in a bad state, then taint B (the report's
 * own header still shows the taint from before it).
 */
/** bad_page()'s ratelimit state (static locals in mm/page_alloc.c), per kernel */
const BAD_PAGE_RATELIMIT = new WeakMap<KernelCtx, { shown: number; unshown: number; resume: number }>();

/**
 * bad_page(): "Allow a burst of 60 reports, then keep quiet for that minute" — so
 * freeing a large buffer through foreign ops prints 60 reports, not one per page.
 */
function badPageShown(k: KernelCtx): boolean {
  let rl = BAD_PAGE_RATELIMIT.get(k);
  if (!rl) BAD_PAGE_RATELIMIT.set(k, (rl = { shown: 0, unshown: 0, resume: 0 }));
  if (rl.shown === 60) {
    if (k.printk.usec < rl.resume) {
      rl.unshown++;
      return false;
    }
    if (rl.unshown) {
      k.log(`BUG: Bad page state: ${rl.unshown} messages suppressed`);
      rl.unshown = 0;
    }
    rl.shown = 0;
  }
  if (rl.shown++ === 0) rl.resume = k.printk.usec + 60_000_000;
  return true;
}

export function badPage(k: KernelCtx, pfn: number): void {
  if (!badPageShown(k)) {
    k.taint.add('B');
    k.lockdepOff();
    return;
  }
  const frames = ['dump_backtrace', 'show_stack', 'dump_stack', 'bad_page', 'free_pages_check_bad', '__free_pages_ok', ...k.stack.trace()];
  const page = vmemmapPage(pfn);
  const lines = [
    `BUG: Bad page state in process ${k.task.comm}  pfn:${pfn.toString(16).padStart(5, '0')}`,
    k.since('v5.14')
      ? `page:${page} refcount:1 mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x${pfn.toString(16)}`
      : `page:${page} count:1 mapcount:0 mapping:0000000000000000 index:0x0`,
    'flags: 0xfffe00000001000(reserved)',
    'page dumped because: PAGE_FLAGS_CHECK_AT_FREE flag(s) set',
    'bad because of flags: 0x1000(reserved)',
    'Modules linked in:',
    header(k),
    hardwareName(k),
    ...(k.board.arch === 'x86_64'
      ? ['Call Trace:', ...frames.slice(2).map((f) => ` ${symbolise(f)}`)]
      : ['Call trace:', ...frames.map((f) => ` ${symbolise(f)}`)]),
  ];
  k.events?.add('report', 'bad_page', { detail: lines[0]!, frames, line: k.printk.lines.length });
  k.printk.block(lines);
  k.taint.add('B');
  k.lockdepOff();
}
