// A run's story on the virtual clock: which device was probed, deferred, bound, unbound,
// faulted or named in a kernel report, and when. The target's own event record
// (RunResult.events) is used when it has one. Until the model keeps one, the events are
// read off what every run already has: the device states after each step (a traced
// run) and the log lines of each step. A silent successful probe is only visible as a
// state change, so its time is that of the first line its step printed about the
// device, or the step's end.

import type { BoardInfo } from './context.js';
import type { RunEvent, RunEventKind, RunResult, StepTrace } from './result.js';
import type { LogLine } from '../model/api.js';

const REPORT = /^(Oops|BUG:|WARNING:|Kernel panic|Unable to handle kernel)/;
const PROBE_FAILED_OLD = /^(\S+): probe of (\S+) failed with error (-?\d+)/;
const PROBE_FAILED_NEW = /^\S+ (\S+): probe with driver (\S+) failed with error (-?\d+)/;
const DEFER = /^\S+ (\S+): (deferred probe pending|deferred probe timeout|ignoring dependency)/;
const FAULT = /context fault|PAGE FAULT|Page fault at|Unhandled fault|unhandled fault|fault type=|event 0x10 received/;

/** The device a step acts on, when it names one. */
function stepDevice(what: string): string | undefined {
  const m = /^(?:bind|unbind|add-device|remove-device|fail-probe): (\S+)/.exec(what);
  return m?.[1];
}

/** Board devices and IOMMUs named in a line, longest names first so "a.b" wins over "b". */
function namer(board: BoardInfo | undefined): (text: string) => string | undefined {
  if (!board) {
    return (text) => /^\S+ (\S+): /.exec(text)?.[1];
  }
  const devices = board.devices.map((d) => d.name).sort((a, b) => b.length - a.length);
  const iommus = board.iommus.map((i) => i.name).sort((a, b) => b.length - a.length);
  const has = (text: string, name: string) => {
    const at = text.indexOf(name);
    if (at < 0) return false;
    const before = at === 0 ? ' ' : text[at - 1]!;
    const after = text[at + name.length] ?? ' ';
    return !/[\w.-]/.test(before) && !/[\w-]/.test(after);
  };
  // a client device before its IOMMU: "ipmmu-vmsa e6740000.mmu: ... (ee300000.sata)" is the client's fault
  return (text) => devices.find((n) => has(text, n)) ?? iommus.find((n) => has(text, n));
}

function stepOf(steps: readonly StepTrace[], line: number): StepTrace | undefined {
  for (const s of steps) if (line >= s.from && line < s.to) return s;
  return undefined;
}

function firstLineAbout(log: readonly LogLine[], from: number, to: number, device: string): number | undefined {
  for (let i = from; i < to; i++) if (log[i]!.text.includes(device)) return i;
  return undefined;
}

/** Events derived from the steps and the log, in time order (stable). */
export function deriveEvents(run: RunResult, board?: BoardInfo): RunEvent[] {
  const log = run.log ?? [];
  const steps = run.steps ?? [];
  const name = namer(board);
  const out: RunEvent[] = [];
  const push = (e: RunEvent) => out.push(e);
  const at = (line: number | undefined, fallback: number) => (line !== undefined && log[line] ? log[line]!.usec : fallback);

  // state changes between steps
  let before: Record<string, string> = {};
  let prevEnd = 0;
  for (const s of steps) {
    const dev = stepDevice(s.what);
    // what a step does to the device it names happens when the step starts
    const start = s.from < s.to ? log[s.from]!.usec : prevEnd;
    const startLine = s.from < s.to ? { line: s.from } : {};
    prevEnd = s.usec;
    if (s.errno !== undefined && s.errno !== 0 && dev) {
      const kind: RunEventKind = s.what.startsWith('bind') ? 'bind' : 'unbind';
      push({ usec: start, device: dev, kind, ok: false, text: `${s.what} returned ${s.errno}`, step: s.step, ...startLine });
    }
    if (!s.devices) continue;
    for (const [d, now] of Object.entries(s.devices)) {
      const was = before[d] ?? 'unbound';
      if (now === was) continue;
      const line = d === dev ? undefined : firstLineAbout(log, s.from, s.to, d);
      const base = d === dev ? { usec: start, device: d, step: s.step, ...startLine } : { usec: at(line, s.usec), device: d, step: s.step, ...(line !== undefined ? { line } : {}) };
      if (now.startsWith('bound')) {
        const bySysfs = s.what.startsWith('bind: ') && dev === d;
        push({ ...base, kind: bySysfs ? 'bind' : 'probe', ok: true, text: `${bySysfs ? 'bound' : 'probed'}${now.length > 5 ? ` by ${now.slice(6)}` : ''} (${s.what})` });
      } else if (now === 'deferred') {
        push({ ...base, kind: 'defer', ok: true, text: `probe deferred (${s.what})` });
      } else if (was.startsWith('bound')) {
        push({ ...base, kind: 'unbind', ok: true, text: `${now === 'absent' ? 'removed' : 'unbound'} (${s.what})` });
      }
    }
    before = s.devices;
  }

  // what the log says
  for (let i = 0; i < log.length; i++) {
    const text = log[i]!.text;
    const usec = log[i]!.usec;
    const s = stepOf(steps, i);
    const base = { usec, line: i, ...(s ? { step: s.step } : {}) };
    let m: RegExpExecArray | null;
    if ((m = PROBE_FAILED_OLD.exec(text))) push({ ...base, device: m[2]!, kind: 'probe', ok: false, text });
    else if ((m = PROBE_FAILED_NEW.exec(text))) push({ ...base, device: m[1]!, kind: 'probe', ok: false, text });
    else if ((m = DEFER.exec(text))) push({ ...base, device: m[1]!, kind: 'defer', ok: true, text });
    else if (REPORT.test(text)) {
      const d = name(text) ?? (s ? stepDevice(s.what) : undefined) ?? '';
      push({ ...base, device: d, kind: 'report', ok: false, text });
    } else if (FAULT.test(text)) push({ ...base, device: name(text) ?? '', kind: 'fault', ok: false, text });
  }
  return out.map((e, i) => ({ e, i })).sort((a, b) => a.e.usec - b.e.usec || a.i - b.i).map(({ e }) => e);
}

/** The run's events: the target's own record, else derived. */
export function runEvents(run: RunResult, board?: BoardInfo): RunEvent[] {
  return run.events ?? deriveEvents(run, board);
}
