// Failure titles (EXPLORE.md "Titles"): one line per bug, in the style of syzkaller's
// pkg/report — the report kind and the function that identifies the bug, with no address,
// pfn, pid, timestamp or board name. Two failures with one title are one bug.
//
// Titles are data: REPORT_KINDS is the table of log reports, most specific first, and
// SKIP_FRAMES the one list of helpers that never name a bug. Log titles come from the text
// alone (the model's, or a real kernel's console through QEMU), in the arm64, arm and
// x86_64 formats of every era; leak, invariant, deferred and hang titles come from checks
// on the final state, with the same Title type.
//
// Pure and deterministic: the same log and state give the same titles in the same order.
// It lives under exec/ because `bringup run` (on worker threads too) and explore, shrink,
// bisect and explain all name failures with it, and exec may not import explore.

import type { CheckFailure } from '../model/api.js';
import type { ModelBoard, ModelStep } from '../model/types.js';
import { iommuSuppliers } from '../model/drivers/catalog.js';
import { objectList } from '../model/object-list.js';

/** The kinds, in the order findings are sorted by. */
export const TITLE_KINDS = ['oops', 'bug', 'warning', 'panic', 'fault', 'leak', 'deferred', 'hang', 'invariant'] as const;
export type TitleKind = (typeof TITLE_KINDS)[number];

export interface Title {
  /** the one-line title, e.g. "WARNING in __iommu_probe_device" */
  title: string;
  kind: TitleKind;
  /** the guilty function, when the failure has one */
  frame?: string;
  /** the call chain from the guilty frame outwards (helpers above it dropped) */
  frames: string[];
  /** the device the report names, when it names one */
  device?: string;
  /** log-derived: index of the report's first line and one past its last */
  start?: number;
  end?: number;
  /** the report's log lines as printed (text without timestamps); [] for state titles */
  report: string[];
}

/** an empty list of titles, of objects from the start (explore: V8 kept its code when a board first found something) */
function titleList(): Title[] {
  return objectList<Title>();
}

/** syzkaller's limit on a title's length */
export const MAX_TITLE = 120;

// ---------------------------------------------------------------------------------------------
// SKIP_FRAMES: frames that are the report's machinery, an allocator, the DMA layer or printk —
// never the function that identifies a bug. An entry is an exact name, or a prefix written
// with a trailing '*'; never a bare substring, so an innocent frame is not hidden.

export const SKIP_FRAMES: readonly string[] = [
  // the report itself: stack dumps, WARN, die/oops/panic, exception entry
  'dump_backtrace', 'show_stack', 'dump_stack', 'dump_stack_lvl', '__dump_stack', 'unwind_backtrace', 'show_trace_log_lvl',
  'bad_page', 'free_pages_check_bad', 'free_page_is_bad', 'free_page_is_bad_report', 'check_free_page', 'check_new_page_bad',
  '__warn', '__warn.cold', 'warn_slowpath_fmt', 'warn_slowpath_null', '__warn_printk', 'report_bug', 'handle_bug',
  'exc_invalid_op', 'asm_exc_invalid_op', 'bug_handler', 'brk_handler', 'call_break_hook', 'do_debug_exception',
  'die', '__die', 'die_kernel_fault', '__do_kernel_fault', 'do_page_fault', 'do_translation_fault', 'do_bad_area',
  'do_mem_abort', 'do_DataAbort', '__dabt_svc', 'el1_abort', 'el1_da', 'el1_dbg', 'el1_sync', 'el1_sync_handler',
  'el1h_64_sync_handler', 'el1h_64_sync', 'page_fault_oops', 'kernelmode_fixup_or_oops', 'exc_page_fault',
  'asm_exc_page_fault', 'do_user_addr_fault', '__bad_area_nosemaphore', 'bad_area_nosemaphore', 'no_context',
  'oops_end', 'panic', 'do_exit', 'make_task_dead', 'do_group_exit',
  // printk and dev_printk
  'printk', '_printk', 'vprintk*', 'dev_printk', '_dev_printk', '__dev_printk', 'dev_printk_emit', 'dev_vprintk_emit',
  '_dev_emerg', '_dev_alert', '_dev_crit', '_dev_err', '_dev_warn', '_dev_notice', '_dev_info', 'dev_err_probe',
  // allocators
  '__free_pages*', 'free_pages*', '__free_one_page', 'free_unref_page*', 'free_the_page', '__free_pages_ok',
  'alloc_pages*', '__alloc_pages*', 'get_free_pages', '__get_free_pages', 'kmalloc*', '__kmalloc*', 'kzalloc*',
  'kcalloc', 'kfree', 'kvfree', 'kmem_cache_*', 'vmalloc*', '__vmalloc*', 'vfree', 'devm_kmalloc', 'devm_kzalloc',
  'devm_kcalloc', 'devm_kfree', 'devm_kmemdup', 'slab_alloc*', '__slab_alloc*',
  // the DMA layer, coherent and streaming, and the devres machinery that releases it
  'dma_alloc_attrs', 'dma_free_attrs', 'dma_alloc_coherent', 'dma_free_coherent', 'dmam_*', 'dma_direct_*',
  '__dma_direct_*', 'dma_map_*', 'dma_unmap_*', '__dma_map_*', 'iommu_dma_*', '__iommu_dma_*', 'arm_iommu_*',
  '__arm_iommu_*', '__iommu_alloc_buffer', '__iommu_free_buffer', '__alloc_iova', 'alloc_iova*', 'free_iova*',
  'swiotlb_*', '__dma_alloc', '__dma_free', 'arm_dma_alloc', 'arm_dma_free', 'arch_dma_alloc', 'arch_dma_free',
  'release_nodes', 'devres_release',
];

const SKIP_EXACT = new Set(SKIP_FRAMES.filter((f) => !f.endsWith('*')));
const SKIP_PREFIX = SKIP_FRAMES.filter((f) => f.endsWith('*')).map((f) => f.slice(0, -1));

/** a compiler-made clone (.part.0, .cold, .isra.0, .constprop.0) is its function */
export function baseFrame(fn: string): string {
  // most frames have no suffix at all
  if (fn.indexOf('.') < 0) return fn;
  return fn.replace(/(?:\.(?:part|cold|isra|constprop|llvm|lto_priv)(?:\.\d+)?)+$/, '');
}

export function isSkippedFrame(fn: string): boolean {
  const f = baseFrame(fn);
  if (SKIP_EXACT.has(f)) return true;
  for (const p of SKIP_PREFIX) if (f.startsWith(p)) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------
// REPORT_KINDS: a log report is {the cheap substring a line must hold, the header regex, how
// its title is written, where its guilty frame comes from}. Tried in order, most specific
// first; the first match starts a report.

/** where the guilty function of a report comes from */
type FrameFrom =
  /** the pc/RIP/PC line, then the call trace */
  | 'pc-then-trace'
  /** the function the WARNING line names, then pc and the trace */
  | 'warning-line'
  /** the call trace only (bad_page dumps no registers) */
  | 'trace'
  /** a fault raised outside the victim's context: the function its driver says failed */
  | 'victim'
  /** no frame (a panic's own message names the problem) */
  | 'none';

export interface ReportKind {
  kind: TitleKind;
  /** a substring every header line of this kind contains (a cheap pre-filter) */
  header: string;
  /** matched against the line with its leading white space removed */
  title: RegExp;
  /** the title from the header's captures and the guilty frame (undefined when none was found) */
  format: (m: RegExpExecArray, frame: string | undefined) => string;
  frameFrom: FrameFrom;
  /** the report is one line: no registers, no trace follow */
  oneLine?: boolean;
  /** inside another report's block this line is part of it (arm64's "Internal error: Oops") */
  continues?: boolean;
}

const inFn = (what: string, fn: string | undefined): string => (fn ? `${what} in ${fn}` : what);

export const REPORT_KINDS: readonly ReportKind[] = [
  // --- bug: page allocator and BUG() -----------------------------------------------------
  { kind: 'bug', header: 'BUG: Bad page state in process', title: /^BUG: Bad page state in process /, format: (_m, f) => inFn('BUG: Bad page state', f), frameFrom: 'trace' },
  { kind: 'bug', header: 'BUG: Bad page map', title: /^BUG: Bad page map in process /, format: (_m, f) => inFn('BUG: Bad page map', f), frameFrom: 'trace' },
  { kind: 'bug', header: 'kernel BUG at', title: /^(?:------------\[ cut here \]------------\s*)?kernel BUG at \S+!/, format: (_m, f) => inFn('kernel BUG', f), frameFrom: 'pc-then-trace' },
  // --- oops: a kernel access that faulted --------------------------------------------------
  // arm64 and arm: "Unable to handle kernel NULL pointer dereference at virtual address ..."
  { kind: 'oops', header: 'Unable to handle kernel', title: /^Unable to handle kernel (.+?) at (?:virtual )?address\b/, format: (m, f) => inFn(`Unable to handle kernel ${m[1]}`, f), frameFrom: 'pc-then-trace' },
  // x86_64 since v5.1: "BUG: kernel NULL pointer dereference, address: ..."
  { kind: 'oops', header: 'BUG: kernel NULL pointer dereference', title: /^BUG: kernel NULL pointer dereference\b/, format: (_m, f) => inFn('BUG: kernel NULL pointer dereference', f), frameFrom: 'pc-then-trace' },
  { kind: 'oops', header: 'BUG: unable to handle', title: /^BUG: unable to handle (page fault|kernel NULL pointer dereference|kernel paging request)\b/, format: (m, f) => inFn(`BUG: unable to handle ${m[1]}`, f), frameFrom: 'pc-then-trace' },
  { kind: 'oops', header: 'general protection fault', title: /^general protection fault\b/, format: (_m, f) => inFn('general protection fault', f), frameFrom: 'pc-then-trace' },
  // an Oops line with no header of its own before it
  { kind: 'oops', header: 'Internal error: Oops', title: /^Internal error: Oops\b/, format: (_m, f) => inFn('Internal error: Oops', f), frameFrom: 'pc-then-trace', continues: true },
  // --- warning -------------------------------------------------------------------------------
  { kind: 'warning', header: 'WARNING:', title: /^WARNING: (?:CPU: \d+ PID: \d+ )?at \S+/, format: (_m, f) => inFn('WARNING', f), frameFrom: 'warning-line' },
  // --- generic BUG: last of the BUG: family ---------------------------------------------------
  { kind: 'bug', header: 'BUG: ', title: /^BUG: ([^:,]+?)(?: in process\b| at \b|[:,]|$)/, format: (m, f) => inFn(`BUG: ${m[1]!.trim()}`, f), frameFrom: 'pc-then-trace' },
  // --- panic -----------------------------------------------------------------------------------
  { kind: 'panic', header: 'Kernel panic - not syncing', title: /^Kernel panic - not syncing: (.*?)\s*(?:\]---)?$/, format: (m) => `kernel panic: ${m[1]!.replace(/\s*exitcode=0x[0-9a-f]+/, '')}`, frameFrom: 'none', oneLine: true },
  // --- fault: the IOMMU blocked a device's access ----------------------------------------------
  // arm-smmu "Unhandled context fault: fsr=..., iova=..." (the model's generic drivers print
  // "<drv> <iommu>: Unhandled context fault: iova=0x... (<device>)")
  { kind: 'fault', header: 'Unhandled context fault', title: /^(\S+) \S+: Unhandled context fault\b/, format: (m, f) => inFn(`${m[1]}: Unhandled context fault`, f), frameFrom: 'victim', oneLine: true },
  { kind: 'fault', header: 'Unhandled fault:', title: /^(ipmmu-vmsa) \S+: Unhandled fault\b/, format: (m, f) => inFn(`${m[1]}: Unhandled fault`, f), frameFrom: 'victim', oneLine: true },
  { kind: 'fault', header: 'Page fault at', title: /^(rk_iommu) \S+: Page fault at\b/, format: (m, f) => inFn(`${m[1]}: Page fault`, f), frameFrom: 'victim', oneLine: true },
  { kind: 'fault', header: 'IO_PAGE_FAULT', title: /^(AMD-Vi): Event logged \[IO_PAGE_FAULT\b/, format: (m, f) => inFn(`${m[1]}: IO_PAGE_FAULT`, f), frameFrom: 'victim', oneLine: true },
  { kind: 'fault', header: 'DMAR: [DMA', title: /^(DMAR): \[DMA (?:Read|Write)\b/, format: (m, f) => inFn(`${m[1]}: DMA fault`, f), frameFrom: 'victim', oneLine: true },
];

/** lines that look like a header but are not a report: bad_page()'s ratelimit note */
const NOT_A_REPORT: readonly RegExp[] = [/^BUG: Bad page state: \d+ messages suppressed/];

// ---------------------------------------------------------------------------------------------
// Reading a report: console prefixes, frames, the pc line, the trace.

/** printk's "[    1.234567] " (and "<6>", "[T1]"/"[C0]" caller ids), as a saved console has them */
const CONSOLE_PREFIX = /^(?:<\d+>)?\[ *\d+\.\d+\](?:\[ *[CT]\d+\])? ?/;

export function stripConsolePrefix(line: string): string {
  const c = line.charCodeAt(0);
  // '[' or '<': the only way a prefix starts
  return c === 0x5b || c === 0x3c ? line.replace(CONSOLE_PREFIX, '') : line;
}

/** one frame of a trace line: "fn+0x1c/0x28", "fn (file.c:12)", "[<ffff..>] fn+0x..", x86 "? fn" */
const FRAME = /^(?:\[<[0-9a-f]+>\] )?(\?\s+)?([A-Za-z_$][\w.$]*)(?:\+0x[0-9a-f]+\/0x[0-9a-f]+| \(|\s*$| \[)/;
/** arm32: "[<c0123456>] (fn+0x10/0x20) from [<c0654321>] (caller+0x30/0x40)" */
const ARM_FRAME = /^\[<[0-9a-f]+>\] \(([A-Za-z_$][\w.$]*)[^)]*\) from \[<[0-9a-f]+>\] \(([A-Za-z_$][\w.$]*)[^)]*\)/;
const TRACE_HEADER = /^(?:Call trace|Call Trace|Backtrace):?\s*$/;
const TRACE_MARKER = /^<\/?(?:TASK|IRQ|NMI|EOI|SOFTIRQ)>$/;
const PC_LINE = /^(?:pc : |PC is at |RIP: [0-9a-f]{4}:(?:\[<[0-9a-f]+>\] (?:\[<[0-9a-f]+>\] )?)?|IP: (?:\[<[0-9a-f]+>\] )?)([A-Za-z_$][\w.$]*)/;
const END_TRACE = /^---\[ end trace\b/;
/** the function named at the end of a WARNING line: "at drivers/base/dd.c:454 really_probe+0x../0x.." */
const WARNING_FN = / at \S+:\d+ ([A-Za-z_$][\w.$]*)(?:\+0x|\s*$| \()/;

interface TraceFrame {
  fn: string;
  /** a "? fn" guess of the x86 unwinder: never the guilty frame */
  questionable: boolean;
}

function parseFrame(text: string): TraceFrame[] | undefined {
  // an arm32 frame starts with its "[<address>]"
  const arm = text.charCodeAt(0) === 0x5b ? ARM_FRAME.exec(text) : null;
  if (arm) return [{ fn: arm[1]!, questionable: false }, { fn: arm[2]!, questionable: false }];
  const m = FRAME.exec(text);
  if (!m) return undefined;
  return [{ fn: m[2]!, questionable: m[1] !== undefined }];
}

/** a line a trace may hold that is not a frame: "(P)"-less markers and x86 <TASK> brackets */
function isTraceFiller(text: string): boolean {
  return TRACE_MARKER.test(text) || text === '';
}

/** the report's extent and its frames, from its header line */
interface ReportBody {
  end: number;
  pc?: string;
  warningFn?: string;
  trace: string[];
}

const MAX_REPORT_LINES = 400;

function readBody(texts: Texts, start: number, headerKinds: (i: number) => boolean): ReportBody {
  const body: ReportBody = { end: start + 1, trace: [] };
  const wf = WARNING_FN.exec(texts.at(start));
  if (wf) body.warningFn = wf[1]!;
  let inTrace = false;
  let armPending: string | undefined;
  const limit = Math.min(texts.length, start + MAX_REPORT_LINES);
  for (let i = start + 1; i < limit; i++) {
    scan.reach = i;
    const t = texts.at(i).trim();
    if (END_TRACE.test(t)) {
      body.end = i + 1;
      return body;
    }
    if (inTrace) {
      const frames = parseFrame(t);
      if (frames) {
        // arm32 prints each frame with its caller; the caller is the next line's frame
        if (frames.length === 2) {
          body.trace.push(frames[0]!.fn);
          armPending = frames[1]!.fn;
        } else if (!frames[0]!.questionable) body.trace.push(frames[0]!.fn);
        body.end = i + 1;
        continue;
      }
      if (isTraceFiller(t)) {
        body.end = i + 1;
        continue;
      }
      // the trace is over; the block still runs to its "end trace" line when one follows
      // (x86 prints Modules linked in/CR2 after </TASK>, arm64 Code: and lockdep's stamps)
      if (armPending) body.trace.push(armPending);
      armPending = undefined;
      inTrace = false;
      const until = Math.min(limit, i + 12);
      for (let j = i; j < until; j++) {
        scan.reach = j;
        const u = texts.at(j).trim();
        if (END_TRACE.test(u)) {
          body.end = j + 1;
          return body;
        }
        if (headerKinds(j) || TRACE_HEADER.test(u)) return body;
      }
      if (until >= texts.length) scan.truncated = true;
      return body;
    }
    if (headerKinds(i)) return body;
    // arm32's unwinder prints its frames with no header before them
    if (TRACE_HEADER.test(t) || ARM_FRAME.test(t)) {
      inTrace = true;
      if (ARM_FRAME.test(t)) i--;
      body.end = i + 1;
      continue;
    }
    const pc = PC_LINE.exec(t);
    if (pc && body.pc === undefined) body.pc = pc[1]!;
    if (body.warningFn === undefined && i === start + 1 && /^[A-Za-z_$][\w.$]*\+0x[0-9a-f]+\/0x[0-9a-f]+$/.test(t)) {
      // a mail client folded the WARNING line: its function is on the next line
      body.warningFn = t.replace(/\+0x.*$/, '');
    }
    body.end = i + 1;
  }
  if (limit >= texts.length) scan.truncated = true;
  if (armPending) body.trace.push(armPending);
  return body;
}

/** the guilty frame and the chain outwards from it */
function guilty(candidates: readonly string[]): { frame?: string; frames: string[] } {
  for (let i = 0; i < candidates.length; i++) {
    if (!isSkippedFrame(candidates[i]!)) {
      const frames = candidates.slice(i).map(baseFrame);
      // the pc frame is usually the trace's first frame too: print it once
      const dedup = frames.filter((f, k) => k === 0 || f !== frames[k - 1]);
      return { frame: dedup[0]!, frames: dedup };
    }
  }
  return { frames: [] };
}

/** dev_printk's "<driver or bus> <device>: text" */
const DEV_LINE = /^(\S+) (\S+): (.*)$/;

/**
 * The function a fault's victim reports failing, within the lines after the fault:
 * "ufshcd-qcom 1d84000.ufshc: ufshcd_async_scan failed: -11" names ufshcd_async_scan (the
 * outermost failure the driver prints); a failed probe, "probe with driver D failed" or
 * "D: probe of X failed", names D's probe function.
 */
function victimFrame(texts: Texts, from: number, device: string | undefined): { frame?: string; device?: string } {
  let named: { frame: string; device: string } | undefined;
  for (let i = from; i < Math.min(texts.length, from + 40); i++) {
    scan.reach = i;
    const t = texts.at(i).trim();
    const d = DEV_LINE.exec(t);
    if (d && (device === undefined || d[2] === device) && (!named || named.device === d[2])) {
      const f = /^([A-Za-z_]\w*_\w+) failed\b/.exec(d[3]!);
      if (f) named = { frame: f[1]!, device: d[2]! };
      const p = /^probe with driver (\S+) failed\b/.exec(d[3]!);
      if (p && !named) return { frame: probeFunction(p[1]!), device: d[2]! };
    }
    const old = /^(\S+): probe of (\S+) failed\b/.exec(t);
    if (old && !named && (device === undefined || old[2] === device)) return { frame: probeFunction(old[1]!), device: old[2]! };
  }
  if (from + 40 >= texts.length) scan.truncated = true;
  return named ?? (device !== undefined ? { device } : {});
}

/** a driver's probe function as its name gives it (hisi_sas_v3_hw → hisi_sas_v3_hw_probe) */
export function probeFunction(driver: string): string {
  return `${driver.replace(/[-.]/g, '_')}_probe`;
}

/** one test per line before the table: most lines of most logs are no report */
const ANY_HEADER = new RegExp(REPORT_KINDS.map((k) => k.header.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'));

function matchHeader(text: string): { kind: ReportKind; m: RegExpExecArray } | undefined {
  if (!ANY_HEADER.test(text)) return undefined;
  for (const rk of REPORT_KINDS) {
    if (!text.includes(rk.header)) continue;
    const m = rk.title.exec(text);
    if (!m) continue;
    for (const nr of NOT_A_REPORT) if (nr.test(text)) return undefined;
    return { kind: rk, m };
  }
  return undefined;
}

/**
 * Normalise what a title may still carry from free text (a BUG's or a panic's message):
 * addresses, white space, length. Device names (ee300000.sata) stay: they name the bug.
 */
export function sanitizeTitle(title: string): string {
  let t = title
    .replace(/0x[0-9a-f]+/gi, 'ADDR')
    .replace(/\b[0-9a-f]{16}\b/gi, 'ADDR')
    .replace(/\s+/g, ' ')
    .trim();
  if (t.length > MAX_TITLE) t = t.slice(0, MAX_TITLE);
  return t;
}

/**
 * Every report in a log, in log order (syzkaller's ParseAll). `lines` may carry printk
 * timestamps or not. A panic that an oops caused ("Attempted to kill init!", "Fatal
 * exception") is that report's end, not a bug of its own.
 */
export function logTitles(lines: readonly string[]): Title[] {
  // most logs hold no report at all: one test per line, nothing allocated
  const first = firstHeader(lines, 0);
  if (first < 0) return titleList();
  const out = titleList();
  parseReports(lines, new Texts(lines), first, out, -1);
  return out;
}

/**
 * The first line from `from` on that holds a header's substring, else -1. A line that holds
 * none holds none once its console prefix is stripped either, so reading starts there.
 */
function firstHeader(lines: readonly string[], from: number): number {
  for (let i = from; i < lines.length; i++) if (ANY_HEADER.test(lines[i]!)) return i;
  return -1;
}

/**
 * The lines as the parser reads them (console prefix stripped, trimmed), each made when first
 * read: a report the memo knows is never read, nor are the lines before the first header.
 */
class Texts {
  private readonly texts: (string | undefined)[];

  constructor(readonly lines: readonly string[]) {
    this.texts = new Array<string | undefined>(lines.length);
  }

  get length(): number {
    return this.lines.length;
  }

  at(i: number): string {
    let t = this.texts[i];
    if (t === undefined) this.texts[i] = t = stripConsolePrefix(this.lines[i]!).trim();
    return t;
  }
}

/**
 * set when a report's reading ran into the end of the lines it was given (titlesPrefix), and
 * where the first such report's header was, with the parse's state before it
 */
const scan = { truncated: false, open: -1, titles: 0, lastEnd: -1, reach: -1 };

/**
 * The titles of a log's first lines, to be continued by logTitlesAfter() once more lines
 * follow: those of the reports read to their end, and where the parse goes on (the header of
 * a report whose reading ran into the end of the lines, which more lines could change; else
 * the end). Explore parses each checkpoint's log once, and of each execution resumed from it
 * only what follows.
 */
export interface TitlesPrefix {
  at: number;
  titles: readonly Title[];
  lastEnd: number;
}

export function titlesPrefix(lines: readonly string[]): TitlesPrefix {
  const first = firstHeader(lines, 0);
  if (first < 0) return { at: lines.length, titles: titleList(), lastEnd: -1 };
  const out = titleList();
  scan.open = -1;
  const lastEnd = parseReports(lines, new Texts(lines), first, out, -1);
  if (scan.open >= 0) return { at: scan.open, titles: out.slice(0, scan.titles), lastEnd: scan.lastEnd };
  return { at: lines.length, titles: out, lastEnd };
}

/** logTitles(lines), where `p` is titlesPrefix() of lines' first p.at lines */
export function logTitlesAfter(lines: readonly string[], p: TitlesPrefix): Title[] {
  // a title is the caller's to change (explore sets its device): copies (their arrays are
  // never changed, only replaced)
  const out = titleList();
  for (const t of p.titles) out.push({ ...t });
  const first = firstHeader(lines, p.at);
  if (first < 0) return out;
  // a report after the prefix reads forwards (a WARNING's "cut here" up to 2 lines back)
  parseReports(lines, new Texts(lines), first, out, p.lastEnd);
  return out;
}

/**
 * What reading one report gave, relative to its header line, and what it looked at: the raw
 * lines from `back` lines before the header to the last one read, and where the lines ended
 * when the reading ran into their end (the only way it depends on their length).
 */
interface Reading {
  back: number;
  seen: readonly string[];
  /** lines from the header to the end of the lines, when the reading ran into it; else -1 */
  rest: number;
  truncated: boolean;
  startAt: number;
  endAt: number;
  title: string;
  frame: string | undefined;
  frames: string[];
  device: string | undefined;
  /** shared by every title read from the same lines: a title's arrays are never changed, only replaced */
  report: string[];
}

/** read the report whose header is line `i` (rk, m: its kind and header match) */
function readReport(lines: readonly string[], texts: Texts, i: number, rk: ReportKind, m: RegExpExecArray, isHeader: (i: number) => boolean, back: number): Reading {
  scan.truncated = false;
  scan.reach = i;
  const t = texts.at(i);
  let start = i;
  // a WARNING's block starts at its "cut here" line, with dev_WARN's message between
  let device: string | undefined;
  if (rk.kind === 'warning') {
    if (i >= 1 && texts.at(i - 1) === '------------[ cut here ]------------') start = i - 1;
    else if (i >= 2 && texts.at(i - 2) === '------------[ cut here ]------------') start = i - 2;
    if (start === i - 2) {
      const d = DEV_LINE.exec(texts.at(i - 1));
      if (d) device = d[2]!;
    }
  }
  let frame: string | undefined;
  let frames: string[] = [];
  let end = i + 1;
  if (rk.oneLine) {
    if (rk.frameFrom === 'victim') {
      // the model's drivers name the device the access came from: "(<device>)"
      const named = /\(([^()\s]+)\)$/.exec(t)?.[1];
      const v = victimFrame(texts, i + 1, named);
      if (v.frame) {
        frame = v.frame;
        frames = [v.frame];
      }
      device = v.device;
    }
  } else {
    const body = readBody(texts, i, isHeader);
    end = body.end;
    const candidates: string[] = [];
    if (rk.frameFrom === 'warning-line' && body.warningFn) candidates.push(body.warningFn);
    if (rk.frameFrom !== 'trace' && body.pc) candidates.push(body.pc);
    candidates.push(...body.trace);
    ({ frame, frames } = guilty(candidates));
  }
  const truncated = scan.truncated;
  return {
    back,
    seen: lines.slice(i - back, Math.max(scan.reach, end - 1) + 1),
    rest: truncated ? lines.length - i : -1,
    truncated,
    startAt: start - i,
    endAt: end - i,
    title: sanitizeTitle(rk.format(m, frame)),
    frame,
    frames,
    device,
    report: lines.slice(start, end).map((l) => stripConsolePrefix(l)),
  };
}

/**
 * Reports read before, by their raw header line. A report's reading is a function of the lines
 * it looked at (and, when it ran into the end of the lines, of where they end) alone, so a report
 * printed again with the same lines is read once: explore's executions resumed from one
 * checkpoint print the same reports again and again (a D05 unbind, 60 "Bad page state" dumps).
 * Bounded: cleared when it grows past REPORT_MEMO_MAX headers.
 */
const READINGS = new Map<string, Reading[]>();
const REPORT_MEMO_MAX = 4096;
/** readings kept per header line: a header printed with many different bodies is read afresh */
const READINGS_PER_HEADER = 32;
let memo = true;
/** readings the memo answered (tests check that it answers at all) */
export const reportMemoStats = { hits: 0 };

/** Turn the report memo on or off (emptied either way); tests compare the two. Returns the old setting. */
export function setReportMemo(on: boolean): boolean {
  const was = memo;
  memo = on;
  READINGS.clear();
  return was;
}

function recall(lines: readonly string[], i: number, back: number): Reading | undefined {
  const list = READINGS.get(lines[i]!);
  if (list === undefined) return undefined;
  next: for (const r of list) {
    if (r.back !== back) continue;
    const seen = r.seen;
    const from = i - back;
    if (r.rest >= 0 ? lines.length - i !== r.rest : from + seen.length > lines.length) continue;
    // from the last line read back: readings of one header differ in what followed the report
    for (let k = seen.length - 1; k >= 0; k--) if (lines[from + k] !== seen[k]) continue next;
    reportMemoStats.hits++;
    return r;
  }
  return undefined;
}

function remember(header: string, r: Reading): void {
  let list = READINGS.get(header);
  if (list === undefined) {
    if (READINGS.size >= REPORT_MEMO_MAX) READINGS.clear();
    READINGS.set(header, (list = []));
  }
  if (list.length >= READINGS_PER_HEADER) list.shift();
  list.push(r);
}

/** the reports from line `from` on, appended to `out`; the end of the last one */
function parseReports(lines: readonly string[], texts: Texts, from: number, out: Title[], lastEnd: number): number {
  // inside a report, another report's header ends it
  const isHeader = (i: number): boolean => {
    const t = texts.at(i);
    if (t.length === 0) return false;
    const h = matchHeader(t);
    return h !== undefined && !h.kind.continues;
  };
  for (let i = from; i < texts.length; i++) {
    const t = texts.at(i);
    if (t.length === 0) continue;
    const hit = matchHeader(t);
    if (!hit) continue;
    const { kind: rk, m } = hit;
    if (rk.kind === 'panic' && out.length > 0 && i - lastEnd <= 40 && /^Kernel panic - not syncing: (?:Attempted to kill init!|Fatal exception)/.test(t)) {
      // the oops killed init (or was fatal): the panic belongs to it
      const prev = out[out.length - 1]!;
      prev.report = prev.report.concat(lines.slice(prev.end, i + 1).map((l) => stripConsolePrefix(l)));
      prev.end = i + 1;
      lastEnd = i + 1;
      continue;
    }
    const header = i;
    const titlesBefore = out.length;
    const lastEndBefore = lastEnd;
    // a WARNING's block starts at its "cut here" line up to 2 lines back, with dev_WARN's message between
    const back = rk.kind === 'warning' ? Math.min(i, 2) : 0;
    let r = memo ? recall(lines, i, back) : undefined;
    if (!r) {
      r = readReport(lines, texts, i, rk, m, isHeader, back);
      if (memo) remember(lines[i]!, r);
    }
    const end = i + r.endAt;
    const title: Title = { title: r.title, kind: rk.kind, frames: r.frames, start: i + r.startAt, end, report: r.report };
    if (r.frame) title.frame = r.frame;
    if (r.device) title.device = r.device;
    out.push(title);
    lastEnd = end;
    i = end - 1;
    if (r.truncated && scan.open < 0) {
      scan.open = header;
      scan.titles = titlesBefore;
      scan.lastEnd = lastEndBefore;
    }
  }
  return lastEnd;
}

// ---------------------------------------------------------------------------------------------
// Titles from checks on the final state.

/** "leak: dma-alloc 4096 bytes of ee300000.sata", "invariant: no-iommu-ops of ee300000.sata" */
export function checkTitle(c: CheckFailure): Title | undefined {
  const who = c.device ?? c.resource ?? '';
  let title: string;
  let kind: TitleKind = 'leak';
  if (c.check === 'leaked-dma') {
    const bytes = /(\d+) bytes/.exec(c.resource ?? '')?.[1];
    title = `leak: dma-alloc ${bytes ?? '?'} bytes of ${who}`;
  } else if (c.check === 'leaked-devres') {
    const [res, n] = (c.resource ?? '').split(' ');
    title =
      res === 'dmam' ? `leak: dmam-alloc ${n} bytes of ${who}`
      : res === 'devm' ? `leak: devm-alloc ${n} bytes of ${who}`
      : res === 'irq' ? `leak: request-irq ${n} of ${who}`
      : `leak: ${c.resource} of ${who}`;
  } else {
    kind = 'invariant';
    title = `invariant: ${c.check} of ${who}`;
  }
  const t: Title = { title: sanitizeTitle(title), kind, frames: [], report: [c.message] };
  if (c.device) t.device = c.device;
  return t;
}

/** "deferred probe never completed: ee300000.sata" */
export function deferredTitle(device: string): Title {
  return { title: `deferred probe never completed: ${device}`, kind: 'deferred', frames: [], device, report: [] };
}

/** "hang: <the bound that was hit>" */
export function hangTitle(bound: string): Title {
  return { title: sanitizeTitle(`hang: ${bound}`), kind: 'hang', frames: [], report: [] };
}

export interface DeviceSettled {
  name: string;
  added: boolean;
  bound: boolean;
  deferred: boolean;
}

const BOARD_INDEX = new WeakMap<ModelBoard, { devices: Map<string, ModelBoard['devices'][number]>; iommus: Map<string, ModelBoard['iommus'][number]>; drivers: Map<string, ModelBoard['drivers'][number]> }>();

/** a board's devices, IOMMUs and drivers by name (explore asks once per execution) */
function boardIndex(board: ModelBoard) {
  let ix = BOARD_INDEX.get(board);
  if (!ix) {
    ix = {
      devices: new Map(board.devices.map((d) => [d.name, d])),
      iommus: new Map(board.iommus.map((i) => [i.name, i])),
      drivers: new Map(board.drivers.map((d) => [d.name, d])),
    };
    BOARD_INDEX.set(board, ix);
  }
  return ix;
}

/**
 * The devices whose deferral is a bug (EXPLORE.md "deferred"): present and enabled, their
 * driver loaded, still deferred when everything has settled, and no fault, unbind, removal
 * or held driver of the scenario on the device or anywhere in its supplier chain (its IOMMUs,
 * their own suppliers, and the devices its probe waits for) explains it.
 */
/** unexplainedDeferrals()'s answers per board, per touched devices and held drivers */
const EXPLAINED = new WeakMap<ModelBoard, Map<string, Map<string, boolean>>>();

export function unexplainedDeferrals(board: ModelBoard, steps: readonly ModelStep[], states: readonly DeviceSettled[]): string[] {
  // most runs settle with nothing deferred
  if (!states.some((s) => s.deferred && !s.bound && s.added)) return [];
  const touched = new Set<string>();
  const heldDrivers = new Set<string>();
  for (const s of steps) {
    switch (s.op) {
      case 'fail-probe':
      case 'unbind':
      case 'remove-device':
        touched.add(s.device);
        break;
      case 'boot':
        for (const h of s.hold) heldDrivers.add(h);
        break;
      case 'unload-module':
        heldDrivers.add(s.driver);
        break;
      default:
        break;
    }
  }
  const { devices, iommus, drivers } = boardIndex(board);
  // whether a device is explained depends on the board, what was touched and what was held
  // alone: explore asks again for every execution with the same few
  let byScenario = EXPLAINED.get(board);
  if (!byScenario) EXPLAINED.set(board, (byScenario = new Map()));
  const scenario = `${[...touched].sort().join('\n')}\u0000${[...heldDrivers].sort().join('\n')}`;
  let known = byScenario.get(scenario);
  if (!known) byScenario.set(scenario, (known = new Map()));
  const explained = (name: string, seen: Set<string>): boolean => {
    if (seen.has(name)) return false;
    seen.add(name);
    if (touched.has(name)) return true;
    const io = iommus.get(name);
    if (io) {
      if (heldDrivers.has(io.driver)) return true;
      // an IOMMU's own suppliers (ipmmu's main, mtk's SMI larbs)
      for (const s of iommuSuppliers(board, io)) if (explained(s, seen)) return true;
      return false;
    }
    const dev = devices.get(name);
    if (!dev) return false;
    if (dev.driver && heldDrivers.has(dev.driver)) return true;
    // a supplier the board leaves out until a step adds it
    if (!dev.present) return true;
    for (const r of dev.iommus) if (explained(r.iommu, seen)) return true;
    const drv = dev.driver ? drivers.get(dev.driver) : undefined;
    for (const a of drv?.probe ?? []) if (a.kind === 'wait-for' && explained(a.device, seen)) return true;
    return false;
  };
  const out: string[] = [];
  for (const st of states) {
    if (!st.deferred || st.bound || !st.added) continue;
    const dev = devices.get(st.name);
    if (!dev || dev.status !== 'okay' || !dev.driver || !drivers.has(dev.driver)) continue;
    let yes = known.get(st.name);
    if (yes === undefined) known.set(st.name, (yes = explained(st.name, new Set())));
    if (yes) continue;
    out.push(st.name);
  }
  return out;
}

export interface TitleInput {
  /** the log, oldest first: LogLine texts, or console lines with timestamps */
  log: readonly string[];
  /** the model's built-in checks on the final state */
  checks?: readonly CheckFailure[];
  /** devices whose deferral is a bug (unexplainedDeferrals) */
  deferred?: readonly string[];
  /** a bound on work that was hit */
  hang?: string;
  /** logTitles(log), when the caller has it already */
  fromLog?: Title[];
}

/**
 * Every distinct failure of a run, first seen first: the log's reports, then hangs, leaks
 * and invariants, then deferrals. A foreign free always prints its own report (Bad page
 * state, or a WARN in __iommu_dma_unmap), so its check adds a title only when the log has
 * none (a log cut short). After an oops or a panic the state titles are left out: the dead
 * task's resources and its waiters are the oops's echo, not bugs of their own.
 */
export function titlesOf(input: TitleInput): Title[] {
  const out = titleList();
  const seen = new Set<string>();
  const add = (t: Title | undefined): void => {
    if (!t || seen.has(t.title)) return;
    seen.add(t.title);
    out.push(t);
  };
  const fromLog = input.fromLog ?? logTitles(input.log);
  for (const t of fromLog) add(t);
  if (input.hang !== undefined) add(hangTitle(input.hang));
  // an oops killed a task mid-call: what it held, and whoever waited for it, are its echoes
  if (fromLog.some((t) => t.kind === 'oops' || t.kind === 'panic')) return out;
  for (const c of input.checks ?? []) {
    if (c.check === 'foreign-free' && fromLog.length > 0) continue;
    add(checkTitle(c));
  }
  for (const d of input.deferred ?? []) add(deferredTitle(d));
  return out;
}

/** The title of a run: its first failure. */
export function titleOf(input: TitleInput): Title | undefined {
  return titlesOf(input)[0];
}

/** Sort order of findings: kind (TITLE_KINDS order), then title. */
export function compareTitles(a: Pick<Title, 'kind' | 'title'>, b: Pick<Title, 'kind' | 'title'>): number {
  const k = TITLE_KINDS.indexOf(a.kind) - TITLE_KINDS.indexOf(b.kind);
  if (k !== 0) return k;
  return a.title < b.title ? -1 : a.title > b.title ? 1 : 0;
}
