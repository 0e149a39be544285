// Assertion evaluation over a log window and a state snapshot. Passing assertions
// produce a bare result; every string a person reads is built only on failure.

import type { Assertions, PatternAt, Pos, StateAssertion } from '../dsl/plan.js';
import type { DeviceState, LogLine } from '../model/api.js';
import { errnoName } from '../model/kernel/errno.js';
import type { AssertionResult } from '../report/result.js';
import type { StateQuery, StateSnapshot } from './target.js';
import type { Matcher } from './patterns.js';
import { compilePattern } from './patterns.js';
import { nearestLine } from './nearest.js';
import { devicePrefixHint } from './prefix-hint.js';
import { citeLine, lineRef } from './lines.js';

/** The lines an expect block sees: log[from, to). */
export interface Window {
  log: readonly LogLine[];
  from: number;
  to: number;
  /** 1-based step index of an inline expect; undefined for the final expect */
  step?: number;
}

const MAX_CITED = 5;

function result(kind: AssertionResult['kind'], pos: Pos, step: number | undefined): AssertionResult {
  const r: AssertionResult = { kind, ok: true, pos, message: '' };
  if (step !== undefined) r.step = step;
  return r;
}

function fail(r: AssertionResult, message: string, wanted: string | undefined, found: string | undefined, details: string[]): AssertionResult {
  r.ok = false;
  r.message = message;
  if (wanted !== undefined) r.wanted = wanted;
  if (found !== undefined) r.found = found;
  if (details.length) r.details = details;
  return r;
}

function windowText(w: Window): string {
  if (w.step === undefined) return `searched the whole log (${w.to} lines)`;
  if (w.from === w.to) return `searched the lines printed since the previous expect: none were printed`;
  if (w.from === 0) return `searched lines 1-${w.to}, everything printed before this expect`;
  return `searched lines ${w.from + 1}-${w.to}, printed since the previous expect`;
}

function literalOf(pa: PatternAt): string | undefined {
  return pa.pattern.kind === 'literal' ? pa.pattern.text : undefined;
}

function nearMissText(m: Matcher, pa: PatternAt, w: Window): { detail: string[]; found: string | undefined } {
  const near = nearestLine(m, literalOf(pa), w.log, w.from, w.to);
  if (!near) return { detail: ['nearest: no line comes close'], found: undefined };
  const how =
    near.edits !== undefined && near.edits > 0
      ? `${near.edits} edit${near.edits === 1 ? '' : 's'} away`
      : `shares ${near.sharedWords} of ${near.totalWords} words`;
  const literal = literalOf(pa);
  const hint = literal === undefined ? undefined : devicePrefixHint(literal, w.log[near.index]!.text);
  const detail = `nearest (${how}): ${citeLine(w.log, near.index)}`;
  return { detail: hint ? [detail, hint] : [detail], found: w.log[near.index]!.text };
}

function firstMatch(m: Matcher, log: readonly LogLine[], from: number, to: number): number {
  for (let i = from; i < to; i++) if (m.test(log[i]!.text)) return i;
  return -1;
}

/** `log`: each pattern matches a line after the previous pattern's match. */
function evalOrdered(list: readonly PatternAt[], w: Window, out: AssertionResult[]): void {
  let cursor = w.from;
  const matched: { display: string; index: number }[] = [];
  for (let k = 0; k < list.length; k++) {
    const pa = list[k]!;
    const m = compilePattern(pa.pattern);
    const r = result('log', pa.pos, w.step);
    const at = firstMatch(m, w.log, cursor, w.to);
    if (at >= 0) {
      matched.push({ display: m.display, index: at });
      cursor = at + 1;
      r.lines = [at];
      out.push(r);
      continue;
    }
    const details: string[] = [];
    const prev = matched[matched.length - 1];
    for (const mm of matched) details.push(`matched ${mm.display} at ${lineRef(w.log, mm.index)}`);
    const earlier = firstMatch(m, w.log, w.from, cursor);
    if (earlier >= 0 && prev) {
      details.push(`${m.display} appears at ${lineRef(w.log, earlier)}, before the previous match at line ${prev.index + 1}: the order differs`);
    }
    const near = nearMissText(m, pa, w);
    if (earlier < 0) details.push(...near.detail);
    details.push(windowText(w));
    const where = prev ? ` after line ${prev.index + 1}` : '';
    const ordinal = list.length > 1 ? ` (pattern ${k + 1} of ${list.length})` : '';
    out.push(fail(r, `log: no line matches ${m.display}${where}${ordinal}`, m.display, near.found, details));
  }
}

function evalUnordered(list: readonly PatternAt[], w: Window, out: AssertionResult[]): void {
  for (const pa of list) {
    const m = compilePattern(pa.pattern);
    const r = result('log-unordered', pa.pos, w.step);
    const at = firstMatch(m, w.log, w.from, w.to);
    if (at >= 0) {
      r.lines = [at];
      out.push(r);
      continue;
    }
    const near = nearMissText(m, pa, w);
    out.push(fail(r, `log-unordered: no line matches ${m.display}`, m.display, near.found, [...near.detail, windowText(w)]));
  }
}

function matchingLines(m: Matcher, w: Window): number[] {
  const hits: number[] = [];
  for (let i = w.from; i < w.to; i++) if (m.test(w.log[i]!.text)) hits.push(i);
  return hits;
}

function citeHits(w: Window, hits: readonly number[]): string[] {
  const lines = hits.slice(0, MAX_CITED).map((i) => citeLine(w.log, i));
  if (hits.length > MAX_CITED) lines.push(`... and ${hits.length - MAX_CITED} more`);
  return lines;
}

function evalNoLog(list: readonly PatternAt[], w: Window, out: AssertionResult[]): void {
  for (const pa of list) {
    const m = compilePattern(pa.pattern);
    const r = result('no-log', pa.pos, w.step);
    const first = firstMatch(m, w.log, w.from, w.to);
    if (first < 0) {
      out.push(r);
      continue;
    }
    const hits = matchingLines(m, w);
    const n = hits.length;
    r.lines = hits;
    out.push(
      fail(r, `no-log: ${m.display} matches ${n} line${n === 1 ? '' : 's'}`, `no line matching ${m.display}`, w.log[first]!.text, [
        ...citeHits(w, hits),
        windowText(w),
      ]),
    );
  }
}

function evalCount(list: Assertions['count'], w: Window, out: AssertionResult[]): void {
  for (const c of list) {
    const m = compilePattern(c.pattern);
    const r = result('count', c.pos, w.step);
    const hits = matchingLines(m, w);
    const n = hits.length;
    if (n) r.lines = hits;
    const wants: string[] = [];
    let ok = true;
    if (c.times !== undefined) {
      wants.push(`exactly ${c.times}`);
      ok &&= n === c.times;
    }
    if (c.atLeast !== undefined) {
      wants.push(`at least ${c.atLeast}`);
      ok &&= n >= c.atLeast;
    }
    if (c.atMost !== undefined) {
      wants.push(`at most ${c.atMost}`);
      ok &&= n <= c.atMost;
    }
    if (ok) {
      out.push(r);
      continue;
    }
    const wanted = wants.join(' and ');
    const details = n > 0 ? citeHits(w, hits) : nearMissText(m, { pattern: c.pattern, pos: c.pos }, w).detail;
    details.push(windowText(w));
    out.push(fail(r, `count: ${m.display} matches ${n} line${n === 1 ? '' : 's'}, wanted ${wanted}`, `${wanted}`, String(n), details));
  }
}

/** Every log-window assertion of one expect block. */
export function evalLogAssertions(a: Assertions, w: Window, out: AssertionResult[]): void {
  if (a.log.length) evalOrdered(a.log, w, out);
  if (a.logUnordered.length) evalUnordered(a.logUnordered, w, out);
  if (a.noLog.length) evalNoLog(a.noLog, w, out);
  if (a.count.length) evalCount(a.count, w, out);
}

/** Which devices and IOMMUs a block's state assertions ask about. */
export function stateQuery(list: readonly StateAssertion[]): StateQuery {
  const devices: string[] = [];
  const iommus: string[] = [];
  for (const s of list) {
    if (s.kind === 'device' && !devices.includes(s.device)) devices.push(s.device);
    else if (s.kind === 'iommu' && !iommus.includes(s.iommu)) iommus.push(s.iommu);
  }
  return { devices, iommus };
}

function letters(s: string): string {
  return [...new Set(s)].sort().join('');
}

function showGroup(g: number | null | 'none'): string {
  return g === null || g === 'none' ? 'none' : String(g);
}

function deviceMismatches(s: Extract<StateAssertion, { kind: 'device' }>, d: DeviceState): { wanted: string[]; found: string[] } {
  const wanted: string[] = [];
  const found: string[] = [];
  const check = (key: string, want: string, have: string) => {
    if (want !== have) {
      wanted.push(`${key}: ${want}`);
      found.push(`${key}: ${have}`);
    }
  };
  if (s.bound !== undefined) check('bound', String(s.bound), String(d.bound));
  if (s.driver !== undefined) check('driver', s.driver, d.driver ?? 'none');
  if (s.deferred !== undefined) check('deferred', String(s.deferred), String(d.deferred));
  if (s.group !== undefined) check('group', showGroup(s.group), showGroup(d.group));
  // arm32's arm-iommu ops are IOMMU-backed ops as far as a scenario is concerned
  if (s.dmaOps !== undefined) check('dma-ops', s.dmaOps, d.dmaOps === 'arm-iommu' ? 'iommu' : d.dmaOps);
  return { wanted, found };
}

function describeDevice(d: DeviceState): string {
  const ops = d.dmaOps === 'arm-iommu' ? 'iommu (arm-iommu)' : d.dmaOps;
  return `${d.name} now: bound: ${d.bound}, driver: ${d.driver ?? 'none'}, deferred: ${d.deferred}, group: ${showGroup(d.group)}, dma-ops: ${ops}`;
}

const DEVICE_LINES = 3;

/** The last lines that name the device: usually why it is in the state it is. */
function linesAbout(device: string, log: readonly LogLine[]): string[] {
  const hits: number[] = [];
  for (let i = log.length - 1; i >= 0 && hits.length < DEVICE_LINES; i--) if (log[i]!.text.includes(device)) hits.push(i);
  if (!hits.length) return [`no log line mentions ${device}`];
  return [`last lines about ${device}:`, ...hits.reverse().map((i) => `  ${citeLine(log, i)}`)];
}

/**
 * State assertions against a snapshot. `errno` falls back to what the steps
 * returned when the target does not track it. `log` (everything printed so far)
 * is only read to explain a failure.
 */
export function evalState(
  list: readonly StateAssertion[],
  snap: StateSnapshot,
  stepErrno: number | undefined,
  step: number | undefined,
  log: readonly LogLine[],
  out: AssertionResult[],
): void {
  for (const s of list) {
    const r = result('state', s.pos, step);
    switch (s.kind) {
      case 'device': {
        const d = snap.devices[s.device];
        if (!d) {
          out.push(fail(r, `state: device ${s.device} does not exist on the target`, s.device, 'no such device', []));
          break;
        }
        const mm = deviceMismatches(s, d);
        if (mm.wanted.length === 0) out.push(r);
        else {
          const details = [describeDevice(d), ...linesAbout(s.device, log)];
          out.push(fail(r, `state: ${s.device} ${mm.found.join(', ')}, wanted ${mm.wanted.join(', ')}`, mm.wanted.join(', '), mm.found.join(', '), details));
        }
        break;
      }
      case 'iommu': {
        const i = snap.iommus[s.iommu];
        if (!i) out.push(fail(r, `state: IOMMU ${s.iommu} does not exist on the target`, s.iommu, 'no such IOMMU', []));
        else if (i.registered === s.registered) out.push(r);
        else out.push(fail(r, `state: IOMMU ${s.iommu} registered: ${i.registered}, wanted ${s.registered}`, `registered: ${s.registered}`, `registered: ${i.registered}`, []));
        break;
      }
      case 'tainted': {
        // taint letters are a set: "DB" and "BD" are the same kernel state
        const want = letters(s.letters);
        const have = letters(snap.taint);
        if (want === have) out.push(r);
        else out.push(fail(r, `state: tainted "${snap.taint}", wanted "${s.letters}"`, `"${s.letters}"`, `"${snap.taint}"`, []));
        break;
      }
      case 'errno': {
        const have = snap.lastErrno ?? stepErrno;
        const want = -Math.abs(s.errno);
        if (have === undefined) {
          out.push(fail(r, `state: errno ${showErrno(want)} wanted, but no bind/unbind step ran`, showErrno(want), 'none', []));
        } else if (-Math.abs(have) === want) out.push(r);
        else out.push(fail(r, `state: last bind/unbind returned ${showErrno(have)}, wanted ${showErrno(want)}`, showErrno(want), showErrno(have), []));
        break;
      }
    }
  }
}

function showErrno(e: number): string {
  return e === 0 ? '0' : `${errnoName(e)} (${e})`;
}
