// The kernel's crash and warning reports, derived from the fault and the kernel's state,
// in the format of the architecture and era: oops (arm64 die_kernel_fault + __die, x86
// page_fault_oops, arm32 __do_kernel_fault + __die), WARN (__warn), panic, and bad_page().
// The call chain printed is always the model's own shadow stack at that moment; the
// offsets are the build's (builds.ts), or none.

import type { KernelCtx } from './ctx.js';
import { symbolise } from './builds.js';
import { hashedPtr, layout, vmemmapFaultLevel } from './memmap.js';
import { Memo } from './memo.js';

/**
 * Thrown to abandon the current kernel call after an oops; caught at task boundaries. Without
 * a JavaScript stack: explore throws thousands a second, and nothing reads it.
 */
export class OopsUnwind extends Error {
  readonly fn: string;

  constructor(fn: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(`oops in ${fn}`);
    Error.stackTraceLimit = limit;
    this.fn = fn;
  }
}

/** Thrown after a panic: the run is over. */
export class PanicUnwind extends Error {}

const TAINT_NAMES: Record<string, string> = { B: 'BAD_PAGE', D: 'DIE', W: 'WARN', O: 'OOT_MODULE', E: 'UNSIGNED_MODULE' };

const hex = (v: number | bigint, width: number): string => v.toString(16).padStart(width, '0');

/** hex(v, 16) of a 64-bit value, made once per value (a report prints the same struct pages again and again) */
const HEX16 = new Memo((v: bigint) => hex(v, 16), 65536);

/** the last header() made, and what it was made of: a burst of reports prints it again and again */
let lastHeader: { comm: string; pid: number; cpu: number; taint: string; uts: string; version: string; build: KernelCtx['build']; f614: boolean; f615: boolean; text: string } | undefined;

/** dump_stack_print_info(): the CPU/PID/Comm line of the era, with the build's suffixes */
function header(k: KernelCtx): string {
  const t = k.task;
  const taint = k.taint.print();
  const f614 = k.formatSince('v6.14');
  const f615 = k.formatSince('v6.15-rc1');
  const h = lastHeader;
  if (h && h.comm === t.comm && h.pid === t.pid && h.cpu === t.cpu && h.taint === taint && h.uts === k.uts && h.version === k.utsVersion && h.build === k.build && h.f614 === f614 && h.f615 === f615) return h.text;
  const text = makeHeader(k);
  lastHeader = { comm: t.comm, pid: t.pid, cpu: t.cpu, taint, uts: k.uts, version: k.utsVersion, build: k.build, f614, f615, text };
  return text;
}

function makeHeader(k: KernelCtx): string {
  const t = k.task;
  const uid = k.formatSince('v6.14') ? 'UID: 0 ' : '';
  let s = `CPU: ${t.cpu} ${uid}PID: ${t.pid} Comm: ${t.comm} ${k.taint.print()} ${k.uts} ${k.utsVersion}`;
  if (k.formatSince('v6.15-rc1')) {
    const model = k.build?.preemptModel ?? (k.build?.preempt === false ? 'voluntary' : 'PREEMPT');
    s += ` ${model} `;
    if (k.build?.buildId) s += ` ${k.build.buildId}`;
  } else if (k.build?.buildId) {
    s += ` ${k.build.buildId}`;
  }
  return s.trimEnd();
}

/** print_tainted_verbose() (v6.12+): one line naming each taint */
function taintLines(k: KernelCtx): string[] {
  if (!k.formatSince('v6.14')) return [];
  const letters = k.taint.letters();
  if (!letters) return [];
  return [TAINT_LINES.get(letters)];
}

/** taintLines()' line per set of letters, made once */
const TAINT_LINES = new Memo((letters: string) => `Tainted: ${[...letters].map((l) => `[${l}]=${TAINT_NAMES[l] ?? l}`).join(', ')}`);

/** "Hardware name: <model>", one string per model (a report prints it every time) */
const HARDWARE_NAMES = new Memo((model: string) => `Hardware name: ${model}`);

function hardwareName(k: KernelCtx): string {
  return HARDWARE_NAMES.get(k.board.model);
}

function workqueueLine(k: KernelCtx): string[] {
  return k.task.workqueue ? [WORKQUEUE_LINES.get(k.task.workqueue)] : [];
}

/** the frames a trace prints: the stack innermost first, without what this build inlined */
function printedFrames(k: KernelCtx, frames: readonly string[]): string[] {
  const inl = k.build?.inlined;
  return inl ? frames.filter((f) => !inl.includes(f)) : frames.slice();
}

function sym(k: KernelCtx, fn: string, callee: string): string {
  return symbolise(k.syms, fn, callee);
}

const END_TRACES = new Memo((id: string) => `---[ end trace ${id} ]---`, 65536);

function endTrace(k: KernelCtx): string {
  return END_TRACES.get(k.nextOopsId());
}

/**
 * `<head><text>` for a fixed head, made once per text (a string the report already had: a
 * symbol, a pstate): the report lines a search prints again and again are then the same
 * strings, which explore's report memo compares by reference
 */
function prefixed(head: string): Memo<string, string> {
  return new Memo((text: string) => head + text, 65536);
}

const WORKQUEUE_LINES = prefixed('Workqueue: ');
const PSTATE_LINES = prefixed('pstate: ');
const PC_LINES = prefixed('pc : ');
const LR_LINES = prefixed('lr : ');
const CODE_LINES = prefixed('Code: ');

/** a deterministic kernel stack for the task (THREAD_SIZE 16K, vmapped stacks) */
function stackPointer(k: KernelCtx): bigint {
  const base = k.formatSince('v5.14') ? 0xffffffc080000000n : 0xffff000009c00000n;
  return base + BigInt(k.task.pid) * 0x4000n + 0x3990n;
}

/**
 * arm64Regs()'s lines by line width, stack pointer and x0 (every other register prints 0),
 * made once: a search prints the same few splats thousands of times
 */
const REGS = [2, 3].map((perLine) => new Memo((sp: bigint) => new Memo((x0: bigint) => regLines(perLine, sp, x0), 256)));

function arm64Regs(k: KernelCtx, x0: bigint): readonly string[] {
  return REGS[k.formatSince('v5.14') ? 1 : 0]!.get(stackPointer(k)).get(x0);
}

function regLines(perLine: number, sp: bigint, x0: bigint): string[] {
  const regs: bigint[] = new Array<bigint>(31).fill(0n);
  regs[29] = sp;
  regs[0] = x0;
  const lines: string[] = [];
  let cur: string[] = [];
  for (let r = 29; r >= 0; r--) {
    cur.push(`x${r}${r < 10 ? ' ' : ''}: ${hex(regs[r]!, 16)}`);
    if (cur.length === perLine || r === 0) {
      lines.push(cur.join(' '));
      cur = [];
    }
  }
  return [`sp : ${hex(sp, 16)}`, ...lines];
}

function arm64Pstate(k: KernelCtx): string {
  if (k.build?.pstate) return k.build.pstate;
  if (k.formatSince('v6.9')) return '60400005 (nZCv daif +PAN -UAO -TCO -DIT -SSBS BTYPE=--)';
  if (k.formatSince('v5.0')) return '60400005 (nZCv daif +PAN -UAO)';
  return '60000005 (nZCv daif -PAN -UAO)';
}

/** pstate, pc, lr, sp and x29..x0 (__show_regs) */
function arm64ShowRegs(k: KernelCtx, frames: readonly string[], pcLine: string, lrLine: string, x0: bigint): string[] {
  void frames;
  return [PSTATE_LINES.get(arm64Pstate(k)), PC_LINES.get(pcLine), LR_LINES.get(lrLine), ...arm64Regs(k, x0)];
}

/** " <frame> (P)", v6.14's mark of the frame the pc is in, one string per frame */
const PC_MARKED = new Memo((f: string) => ` ${f} (P)`, 65536);

/** " <frame>": one string per printed frame, made once (a report prints the same frames again and again) */
const INDENTED = new Memo((f: string) => ` ${f}`, 65536);

/**
 * `Call trace:` and the frames printedFrames() keeps: each frame's offset is its return address
 * into the callee printed above it
 */
/** the last callTrace() made, and what it was made of (60 bad_page() dumps of one free print one trace) */
let lastTrace: { syms: KernelCtx['syms']; inl: readonly string[] | undefined; marked: boolean; frames: readonly string[]; out: readonly string[] } | undefined;

function sameFrames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function callTrace(k: KernelCtx, frames: readonly string[]): readonly string[] {
  const inl = k.build?.inlined;
  const marked = k.formatSince('v6.14');
  const last = lastTrace;
  if (last && last.syms === k.syms && last.inl === inl && last.marked === marked && sameFrames(last.frames, frames)) return last.out;
  const out = makeCallTrace(k, frames, inl, marked);
  lastTrace = { syms: k.syms, inl, marked, frames: frames.slice(), out };
  return out;
}

function makeCallTrace(k: KernelCtx, frames: readonly string[], inl: readonly string[] | undefined, marked: boolean): string[] {
  const out = ['Call trace:'];
  let callee = '';
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i]!;
    if (inl && inl.includes(f)) continue;
    const s = sym(k, f, callee);
    out.push(marked && out.length === 1 ? PC_MARKED.get(s) : INDENTED.get(s));
    callee = f;
  }
  return out;
}

/** x86's ORC unwinder: the reliable frames, and the "? " text addresses it finds between them */
function x86CallTrace(k: KernelCtx, frames: readonly string[], warnSite?: string): string[] {
  const printed = printedFrames(k, frames);
  const out: string[] = ['Call Trace:', ' <TASK>'];
  const q = (fn: string): string => ` ? ${sym(k, fn, '*')}`;
  if (warnSite) {
    // the #UD of WARN's ud2: the exception path ran on this stack, and the trapping IP
    // is pushed again by each frame of it
    const site = sym(k, warnSite, '');
    out.push(` ? ${site}`, q('__warn.cold'), ` ? ${site}`, q('report_bug'));
    // the console was flushed from this context (boot), reading the printk ring
    if (k.task.pid === 1) out.push(q('prb_read_valid'));
    out.push(q('handle_bug'), q('exc_invalid_op'), q('asm_exc_invalid_op'), ` ? ${site}`, ` ? ${site}`);
  }
  const start = warnSite && printed[0] === warnSite ? 1 : 0;
  for (let i = start; i < printed.length; i++) {
    const fn = printed[i]!;
    const caller = printed[i + 1];
    // a function called through a pointer leaves the pointer (its __pfx_ padding symbol) on
    // the stack: bus_for_each_dev's callback; an initcall, in its own frame and its callee's
    if (caller === 'bus_for_each_dev' || caller === 'do_one_initcall') out.push(q(`__pfx_${fn}`));
    else if (printed[i + 2] === 'do_one_initcall') out.push(q(`__pfx_${caller!}`));
    if (fn === 'kernel_init') out.push(q('__pfx_kernel_init'));
    out.push(` ${sym(k, fn, i === 0 ? '' : printed[i - 1]!)}`);
    for (const stale of k.build?.stackResidue?.[fn] ?? []) out.push(q(stale));
    if (fn === 'ret_from_fork' && printed[i + 1] === 'ret_from_fork_asm') out.push(q('__pfx_kernel_init'));
  }
  out.push(' </TASK>');
  return out;
}

function x86Regs(k: KernelCtx, pcLine: string): string[] {
  const sp = 0xffffafba00047c58n + BigInt(k.task.pid) * 0x4000n - 0x4000n;
  const code = k.build?.code?.[pcLine.replace(/\+.*$/, '')];
  return [
    `RIP: 0010:${pcLine}`,
    ...(code ? [`Code: ${code}`] : []),
    `RSP: 0018:${hex(sp, 16)} EFLAGS: 00010282`,
    'RAX: 0000000000000000 RBX: 0000000000000000 RCX: 0000000000000000',
    'RDX: 0000000000000000 RSI: 0000000000000000 RDI: 0000000000000000',
    'RBP: 0000000000000000 R08: 0000000000000000 R09: 0000000000000000',
    'R10: 0000000000000000 R11: 0000000000000000 R12: 0000000000000000',
    'R13: 0000000000000000 R14: 0000000000000000 R15: 0000000000000000',
    'FS:  0000000000000000(0000) GS:0000000000000000(0000) knlGS:0000000000000000',
    'CS:  0010 DS: 0000 ES: 0000 CR0: 0000000080050033',
    'CR2: 0000000000000000 CR3: 0000000000000000 CR4: 00000000003506f0',
  ];
}

/**
 * arm32's unwinder, one line per caller: "[<where>] (fn) from [<from>] (caller+off/size)"
 * until the addresses were dropped (v5.x), " fn from caller+off/size" after.
 */
function armCallTrace(k: KernelCtx, frames: readonly string[]): string[] {
  const printed = printedFrames(k, frames);
  const out: string[] = [];
  const modern = k.formatSince('v5.14');
  for (let i = 0; i + 1 < printed.length; i++) {
    const fn = printed[i]!;
    const caller = printed[i + 1]!;
    out.push(modern ? ` ${fn} from ${sym(k, caller, fn)}` : `[<${armAddr(fn)}>] (${fn}) from [<${armAddr(caller)}>] (${sym(k, caller, fn)})`);
  }
  return out;
}

/** the frames dump_stack() adds above the caller on arm32 (no pt_regs: the unwinder starts in itself) */
function armDumpStackFrames(k: KernelCtx): string[] {
  return ['unwind_backtrace', 'show_stack', k.formatSince('v5.14') ? 'dump_stack_lvl' : 'dump_stack'];
}

/** a stable kernel-text address for an arm32 function (no thread shows arm32 addresses) */
function armAddr(fn: string): string {
  let h = 2166136261;
  for (let i = 0; i < fn.length; i++) h = Math.imul(h ^ fn.charCodeAt(i), 16777619);
  return hex(0xc0100000 + ((h >>> 0) % 0x800000) * 4, 8);
}

function panicIfInit(k: KernelCtx): void {
  if (k.task.pid !== 1) return;
  k.events?.add('report', 'panic', { detail: 'Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b', line: k.printk.lines.length });
  k.printk.block([
    'Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b',
    ...(k.arch === 'arm64'
      ? ['SMP: stopping secondary CPUs', 'Kernel Offset: disabled', ...(k.build?.cpuFeatures ? [`CPU features: ${k.build.cpuFeatures}`] : []), 'Memory Limit: none']
      : []),
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
  /** a store (WnR); default a load */
  write?: boolean;
  /** the pointer the faulting instruction dereferenced (x0 in the register dump) */
  base?: bigint;
}

/** the arm64 fault: message, ESR and the walk, from the address and the build */
function arm64Fault(k: KernelCtx, addr: bigint, write: boolean): { msg: string; esr: number; level: number; user: boolean } {
  const l = layout(k);
  const user = addr < 1n << BigInt(l.vaBits);
  let level: number;
  let msg: string;
  if (user) {
    // TTBR0 of a kernel thread (init_mm) is empty: the walk stops at its first level
    level = l.vaBits > 39 ? 0 : 1;
    if (k.build?.swPan) msg = write ? 'write to read-only memory' : 'read from unreadable memory';
    else msg = addr < 4096n ? 'NULL pointer dereference' : 'paging request';
  } else {
    level = Math.max(0, vmemmapFaultLevel(k, l, addr));
    msg = 'paging request';
  }
  const esr = (0x96000000 | (write ? 0x40 : 0) | (0x04 + level)) >>> 0;
  return { msg, esr, level, user };
}

function arm64OopsHead(k: KernelCtx, f: FaultInfo, n: number): string[] {
  const addr = BigInt(f.addr);
  const { msg, esr, level, user } = arm64Fault(k, addr, !!f.write);
  const wide = k.formatSince('v6.9');
  const esrHex = wide ? hex(esr, 16) : hex(esr, 8);
  const dfsc = esr & 0x3f;
  const lines = [`Unable to handle kernel ${msg} at virtual address ${hex(addr, 16)}`, 'Mem abort info:', `  ESR = 0x${esrHex}`];
  lines.push(k.formatSince('v5.14') ? '  EC = 0x25: DABT (current EL), IL = 32 bits' : '  Exception class = DABT (current EL), IL = 32 bits');
  lines.push('  SET = 0, FnV = 0', '  EA = 0, S1PTW = 0');
  if (k.formatSince('v5.14')) lines.push(`  FSC = 0x${hex(dfsc, 2)}: level ${level} translation fault`);
  lines.push('Data abort info:', `  ISV = 0, ISS = 0x${hex(esr & 0x1ffffff, 8)}${wide ? ', ISS2 = 0x00000000' : ''}`);
  lines.push(`  CM = 0, WnR = ${f.write ? 1 : 0}${wide ? ', TnD = 0, TagAccess = 0' : ''}`);
  if (k.formatSince('v6.14')) lines.push('  GCS = 0, Overlay = 0, DirtyBit = 0, Xs = 0');
  if (user) {
    lines.push(`[${hex(addr, 16)}] user address but active_mm is swapper`);
  } else {
    const l = layout(k);
    // swapper_pg_dir and the vmemmap tables sit where memblock put them: the top of RAM
    const top = k.board.memory.reduce((m, b) => Math.max(m, b.base + b.size), 0);
    const table = BigInt(top) - 0x403a000n + 3n;
    lines.push(`swapper pgtable: 4k pages, ${l.vaBits}-bit VAs, pgdp = ${hashedPtr(k, 0xffffff8009a2a000n)}`);
    const walk = [`pgd=${hex(table, 16)}`];
    if (level >= 1) walk.push(`pud=${hex(level >= 2 || l.vaBits <= 39 ? table : 0n, 16)}`);
    if (level >= 2) walk.push('pmd=0000000000000000');
    lines.push(`[${hex(addr, 16)}] ${walk.join(', ')}`);
  }
  const preempt = k.formatSince('v6.15-rc1') ? ' ' : k.build?.preempt === false ? '' : ' PREEMPT';
  lines.push(`Internal error: Oops: ${esrHex} [#${n}]${preempt} SMP`);
  return lines;
}

/** the faulting instruction's words, where the thread shows them */
function codeLine(k: KernelCtx, fn: string): string[] {
  const c = k.build?.code?.[fn];
  return c ? [CODE_LINES.get(c)] : [];
}

/** "Process %.*s (pid: %d, stack limit = 0x%p)" — until v5.x; %p reads (____ptrval____) before the hash key exists */
function processLine(k: KernelCtx): string[] {
  if (k.formatSince('v5.14')) return [];
  const ptr = k.systemRunning || !k.formatSince('v4.20-rc1') ? hashedPtr(k, stackPointer(k) & ~0x3fffn) : '(____ptrval____)';
  return [`Process ${k.task.comm} (pid: ${k.task.pid}, stack limit = 0x${ptr})`];
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
  const n = ++k.oopsCount;
  const addr = BigInt(f.addr);
  const lines: string[] = [];
  const printed = printedFrames(k, frames);
  const pcLine = sym(k, f.pc, '');
  const lrFn = f.lr ?? printed[1] ?? f.pc;
  // the lr of a function that had already returned from a call when it faulted, where known
  const lrOwn = sym(k, f.pc, '<lr>');
  const lrLine = lrOwn !== f.pc ? lrOwn : k.build?.lr?.[f.pc] ?? sym(k, lrFn, lrFn === f.pc ? '' : f.pc);
  if (k.arch === 'x86_64') {
    const what = addr < 4096n ? 'kernel NULL pointer dereference' : 'unable to handle page fault for address';
    lines.push(
      `BUG: ${what}, address: ${hex(addr, 16)}`,
      `#PF: supervisor ${f.write ? 'write' : 'read'} access in kernel mode`,
      `#PF: error_code(0x000${f.write ? 2 : 0}) - not-present page`,
      'PGD 0 P4D 0 ',
      `Oops: ${f.write ? '0002' : '0000'} [#${n}] PREEMPT SMP NOPTI`,
      header(k),
      ...taintLines(k),
      hardwareName(k),
      ...workqueueLine(k),
      ...x86Regs(k, pcLine),
      ...x86CallTrace(k, frames),
      'Modules linked in:',
    );
  } else if (k.arch === 'arm') {
    // arm32 __do_kernel_fault: a section translation fault on the empty first level
    const fsr = f.write ? 0x805 : 0x5;
    lines.push(
      `Unable to handle kernel ${addr < 4096n ? 'NULL pointer dereference' : 'paging request'} at virtual address ${hex(addr, 8)}`,
      `pgd = ${k.formatSince('v4.20-rc1') ? hashedPtr(k, 0xc0004000n).slice(8) : 'c0004000'}`,
      `[${hex(addr, 8)}] *pgd=00000000`,
      `Internal error: Oops: ${fsr.toString(16)} [#${n}]${k.build?.preempt ? ' PREEMPT' : ''} SMP ARM`,
      'Modules linked in:',
      header(k),
      hardwareName(k),
      `PC is at ${pcLine}`,
      `LR is at ${lrLine}`,
      `pc : [<${armAddr(f.pc)}>]    lr : [<${armAddr(lrFn)}>]    psr: 60000013`,
      'Flags: nZCv  IRQs on  FIQs on  Mode SVC_32  ISA ARM  Segment none',
      ...processLine(k),
      ...armCallTrace(k, frames),
      ...codeLine(k, f.pc),
    );
  } else {
    lines.push(
      ...arm64OopsHead(k, f, n),
      'Modules linked in:',
      header(k),
      ...taintLines(k),
      hardwareName(k),
      ...workqueueLine(k),
      ...arm64ShowRegs(k, frames, pcLine, lrLine, f.base ?? 0n),
      ...processLine(k),
      ...callTrace(k, frames),
      ...codeLine(k, f.pc),
    );
  }
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

/** the last WARNING line made per site, and what it was made of */
const WARNING_LINES = new Map<string, { cpu: number; pid: number; file: string; line: number; text: string }>();

function warningLine(cpu: number, pid: number, file: string, line: number, site: string): string {
  const w = WARNING_LINES.get(site);
  if (w && w.cpu === cpu && w.pid === pid && w.file === file && w.line === line) return w.text;
  const text = `WARNING: CPU: ${cpu} PID: ${pid} at ${file}:${line} ${site}`;
  if (WARNING_LINES.size >= 4096) WARNING_LINES.clear();
  WARNING_LINES.set(site, { cpu, pid, file, line, text });
  return text;
}

/** lockdep's irq event stamp (print_irqtrace_events), in a build with CONFIG_PROVE_LOCKING */
function irqtraceLines(k: KernelCtx): string[] {
  if (!k.build?.lockdep) return [];
  // every printk record so far took the console lock with interrupts off and back on
  // (softirqs were last switched when the boot's timers and tasklets ran, before that)
  const n = 2 * k.printk.lines.length + 1;
  const at = (fn: string): string => `[<${hex(0xffffffc080000000n + BigInt(fn.length) * 0x100000n, 16)}>] ${sym(k, fn, '*')}`;
  return [
    `irq event stamp: ${n}`,
    `hardirqs last  enabled at (${n - 1}): ${at('__up_console_sem')}`,
    `hardirqs last disabled at (${n}): ${at('el1_dbg')}`,
    `softirqs last  enabled at (${Math.floor(n / 2)}): ${at('handle_softirqs')}`,
    `softirqs last disabled at (${Math.floor(n / 4)}): ${at('__do_softirq')}`,
  ];
}

/** A WARN splat; taints W, the call goes on. */
export function warn(k: KernelCtx, w: WarnInfo): void {
  const pushed = k.stack.top() !== w.fn;
  if (pushed) k.stack.push(w.fn);
  const frames = k.stack.trace();
  const site = sym(k, w.fn, '');
  const lines: string[] = ['------------[ cut here ]------------'];
  if (w.message) lines.push(w.message);
  lines.push(warningLine(k.task.cpu, k.task.pid, w.file, w.line, site));
  lines.push('Modules linked in:', header(k), ...taintLines(k), hardwareName(k), ...workqueueLine(k));
  if (k.arch === 'x86_64') {
    lines.push(...x86Regs(k, site), ...x86CallTrace(k, frames, w.fn));
  } else if (k.arch === 'arm') {
    // arm32's WARN is a call (warn_slowpath_fmt), not a trap: __warn() dumps its own stack
    lines.push(...armCallTrace(k, [...armDumpStackFrames(k), '__warn', 'warn_slowpath_fmt', ...frames]));
  } else {
    lines.push(...arm64ShowRegs(k, frames, site, site, 0n), ...callTrace(k, frames), ...irqtraceLines(k));
  }
  lines.push(endTrace(k));
  k.events?.add('report', w.fn, { detail: lines.find((l) => l.startsWith('WARNING:'))!, frames, line: k.printk.lines.length });
  k.printk.block(lines);
  if (pushed) k.stack.pop();
  k.taint.add('W');
}

/**
 * bad_page(): "Allow a burst of 60 reports, then keep quiet for that minute" — so
 * freeing a large buffer through foreign ops prints 60 reports, not one per page.
 */
function badPageShown(k: KernelCtx): boolean {
  const rl = (k.badPageRatelimit ??= { shown: 0, unshown: 0, resume: 0 });
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

export interface BadPageInfo {
  pfn: number;
  /** the struct page pointer */
  page: bigint;
  /** page_ref_count() when checked: 0 for the head __free_pages just dropped, 1 for a reserved tail */
  count: number;
}

/** __dump_page()'s raw words: the struct page as 8-byte words, four per line */
function rawLines(k: KernelCtx, p: BadPageInfo, flags: number): string[] {
  const words = Number(layout(k).structPage / 8n);
  // a 64-byte struct page: flags, lru twice, mapping; then index, private, _mapcount/_refcount, memcg
  if (words === 8) return [RAW_HEADS.get(flags).get(p.page), RAW_TAILS.get(p.count)];
  const lru = HEX16.get(p.page + 8n);
  const refMap = (BigInt(p.count) << 32n) | 0xffffffffn;
  const all = [hex(flags, 16), lru, lru, hex(0, 16), hex(0, 16), hex(0, 16), hex(refMap, 16), hex(0, 16)].slice(0, words);
  return [`raw: ${all.slice(0, 4).join(' ')}`, `raw: ${all.slice(4).join(' ')}`];
}

// bad_page()'s lines that name the page, made once per comm/pfn, page/count and flags/page:
// a search prints the same pages' reports again and again, and the same string each time is
// what explore's report memo compares fastest (by reference, and flat: a string built by
// concatenation is a rope until something reads it). Keyed by the values, never by a string
// built for the purpose (that would cost what it saves).
const BAD_PAGE_HEADERS = new Memo((comm: string) => new Memo((pfn: number) => `BUG: Bad page state in process ${comm}  pfn:${hex(pfn, 5)}`, 65536));
const PAGE_LINES = new Memo((count: number) => new Memo((page: bigint) => `page:${HEX16.get(page)} count:${count} mapcount:0 mapping:0000000000000000 index:0x0`, 65536));
const RAW_HEADS = new Memo(
  (flags: number) =>
    new Memo((page: bigint) => {
      const lru = HEX16.get(page + 8n);
      return `raw: ${FLAGS_HEX16.get(flags)} ${lru} ${lru} 0000000000000000`;
    }, 65536),
);
const FLAGS_HEX16 = new Memo((flags: number) => hex(flags, 16));
/** the second raw line of a 64-byte struct page, by refcount */
const RAW_TAILS = new Memo((count: number) => `raw: 0000000000000000 0000000000000000 ${hex((BigInt(count) << 32n) | 0xffffffffn, 16)} 0000000000000000`);

/**
 * bad_page() for a reserved page freed to the buddy allocator: the report, then taint B
 * (the report's own header still shows the taint from before it).
 */
export function badPage(k: KernelCtx, p: BadPageInfo): void {
  if (!badPageShown(k)) {
    k.taint.add('B');
    k.lockdepOff();
    return;
  }
  const frames = ['dump_backtrace', 'show_stack', 'dump_stack', 'bad_page', 'free_pages_check_bad', ...k.stack.trace()];
  const flags = k.build?.pageFlags ?? 0xfffe0001000;
  const modern = k.formatSince('v5.14');
  const lines = [
    BAD_PAGE_HEADERS.get(k.task.comm).get(p.pfn),
    modern
      ? `page:${hashedPtr(k, p.page)} refcount:${p.count} mapcount:0 mapping:0000000000000000 index:0x0 pfn:0x${p.pfn.toString(16)}`
      : PAGE_LINES.get(p.count).get(p.page),
    FLAGS_LINES.get(flags),
  ];
  const raw = rawLines(k, p, flags);
  lines.push(raw[0]!, raw[1]!, 'page dumped because: PAGE_FLAGS_CHECK_AT_FREE flag(s) set');
  if (!modern) lines.push('bad because of flags: 0x1000(reserved)');
  lines.push('Modules linked in:', header(k));
  lines.push(...taintLines(k), hardwareName(k));
  const trace = k.arch === 'x86_64' ? x86CallTrace(k, frames.slice(3)) : k.arch === 'arm' ? armCallTrace(k, [...armDumpStackFrames(k), ...frames.slice(3)]) : callTrace(k, frames);
  for (const l of trace) lines.push(l);
  k.events?.add('report', 'bad_page', { detail: lines[0]!, frames, line: k.printk.lines.length });
  k.printk.block(lines);
  k.taint.add('B');
  k.lockdepOff();
}

/** "flags: 0x...(reserved)", made once per value */
const FLAGS_LINES = new Memo((flags: number) => `flags: 0x${flags.toString(16)}(reserved)`);
