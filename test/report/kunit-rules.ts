// The rules by which the kernel's kunit_tool reads KTAP (tools/testing/kunit/kunit_parser.py,
// as of v6.x): its line patterns and its recursive reading of a test, so a test can check
// that bringup's KTAP reads with 0 parser errors and the expected statuses without Python
// or a kernel tree. Written from the parser's documented behaviour; the names follow it.

export type Status = 'SUCCESS' | 'FAILURE' | 'SKIPPED' | 'TEST_CRASHED' | 'NO_TESTS';

export interface KTest {
  name: string;
  status: Status;
  expectedCount: number | null;
  subtests: KTest[];
  log: string[];
  counts: { passed: number; failed: number; crashed: number; skipped: number; errors: number };
  errorMessages: string[];
}

const KTAP_START = /^\s*KTAP version ([0-9]+)$/;
const TAP_START = /^\s*TAP version ([0-9]+)$/;
// search(), not match(): anywhere in the line
const KTAP_END = /\s*(List of all partitions:|Kernel panic - not syncing: VFS:|reboot: System halted)/;
const EXECUTOR_ERROR = /\s*kunit executor: (.*)$/;
const TEST_HEADER = /^\s*# Subtest: (.*)$/;
const TEST_PLAN = /^\s*1\.\.([0-9]+)/;
const TEST_RESULT = /^\s*(ok|not ok) ([0-9]+) (- )?([^#]*)( # .*)?$/;
const TEST_RESULT_SKIP = /^\s*(ok|not ok) ([0-9]+) (- )?(.*) # SKIP(.*)$/;

function newTest(): KTest {
  return { name: '', status: 'TEST_CRASHED', expectedCount: 0, subtests: [], log: [], counts: { passed: 0, failed: 0, crashed: 0, skipped: 0, errors: 0 }, errorMessages: [] };
}

function addError(t: KTest, msg: string): void {
  t.counts.errors++;
  t.errorMessages.push(`${t.name}: ${msg}`);
}

function total(c: KTest['counts']): number {
  return c.passed + c.failed + c.crashed + c.skipped;
}

function addStatus(c: KTest['counts'], s: Status): void {
  if (s === 'SUCCESS') c.passed++;
  else if (s === 'FAILURE') c.failed++;
  else if (s === 'SKIPPED') c.skipped++;
  else if (s !== 'NO_TESTS') c.crashed++;
}

function countsStatus(c: KTest['counts']): Status {
  if (total(c) === 0) return 'NO_TESTS';
  if (c.crashed) return 'TEST_CRASHED';
  if (c.failed) return 'FAILURE';
  if (c.passed) return 'SUCCESS';
  return 'SKIPPED';
}

class Lines {
  private i = 0;
  constructor(private readonly lines: string[]) {}
  peek(): string {
    return this.lines[this.i] ?? '';
  }
  pop(): string {
    if (this.i >= this.lines.length) throw new Error('LineStream: going past EOF');
    return this.lines[this.i++]!;
  }
  get more(): boolean {
    return this.i < this.lines.length;
  }
}

/** extract_tap_lines: from the first (K)TAP version line up to an end marker, prefix removed. */
export function extractTapLines(output: string[]): string[] {
  const out: string[] = [];
  let started = false;
  let prefix = 0;
  for (const raw of output) {
    const line = raw.trimEnd();
    if (!started && (KTAP_START.test(line) || TAP_START.test(line))) {
      prefix = line.split(KTAP_START.test(line) ? 'KTAP version' : 'TAP version')[0]!.length;
      started = true;
      out.push(line.slice(prefix));
    } else if (started && KTAP_END.test(line)) break;
    else if (started) out.push(line.slice(prefix));
    else if (EXECUTOR_ERROR.test(line)) out.push(line);
  }
  return out;
}

function parseHeader(lines: Lines, t: KTest): boolean {
  const k = KTAP_START.exec(lines.peek());
  const tp = TAP_START.exec(lines.peek());
  if (k) {
    const v = Number(k[1]);
    if (v < 1) addError(t, 'KTAP version lower than expected!');
    else if (v > 1) addError(t, 'KTAP version higer than expected!');
  } else if (tp) {
    const v = Number(tp[1]);
    if (v < 13) addError(t, 'TAP version lower than expected!');
    else if (v > 14) addError(t, 'TAP version higer than expected!');
  } else return false;
  lines.pop();
  return true;
}

function parseTestHeader(lines: Lines, t: KTest): boolean {
  const m = TEST_HEADER.exec(lines.peek());
  if (!m) return false;
  t.name = m[1]!;
  lines.pop();
  return true;
}

function parsePlan(lines: Lines, t: KTest): void {
  const m = TEST_PLAN.exec(lines.peek());
  if (!m) {
    t.expectedCount = null;
    return;
  }
  t.expectedCount = Number(m[1]);
  lines.pop();
}

function nameMatches(lines: Lines, t: KTest): boolean {
  const m = TEST_RESULT.exec(lines.peek());
  return m !== null && m[4] === t.name;
}

function parseResult(lines: Lines, t: KTest, expected: number): boolean {
  const line = lines.peek();
  const m = TEST_RESULT.exec(line);
  const skip = TEST_RESULT_SKIP.exec(line);
  if (!m) return false;
  lines.pop();
  t.name = skip ? skip[4]! : m[4]!;
  if (Number(m[2]) !== expected) addError(t, `Expected test number ${expected} but found ${m[2]}`);
  t.status = skip ? 'SKIPPED' : m[1] === 'ok' ? 'SUCCESS' : 'FAILURE';
  return true;
}

function parseDiagnostic(lines: Lines): string[] {
  const log: string[] = [];
  const stop = [TEST_RESULT, TEST_HEADER, KTAP_START, TAP_START, TEST_PLAN];
  while (lines.more && !stop.some((r) => r.test(lines.peek()))) log.push(lines.pop());
  return log;
}

function bubbleUp(t: KTest): void {
  for (const s of t.subtests) {
    t.counts.passed += s.counts.passed;
    t.counts.failed += s.counts.failed;
    t.counts.crashed += s.counts.crashed;
    t.counts.skipped += s.counts.skipped;
    t.counts.errors += s.counts.errors;
    t.errorMessages.push(...s.errorMessages);
  }
  if (total(t.counts) === 0) addStatus(t.counts, t.status);
  else if (countsStatus(t.counts) === 'TEST_CRASHED') t.status = 'TEST_CRASHED';
}

function parseTest(lines: Lines, expectedNum: number, log: string[], isSubtest: boolean): KTest {
  const t = newTest();
  t.log.push(...log, ...parseDiagnostic(lines));
  let parent: boolean;
  if (!isSubtest) {
    t.name = 'main';
    parseHeader(lines, t);
    t.log.push(...parseDiagnostic(lines));
    parsePlan(lines, t);
    parent = true;
  } else {
    const k = parseHeader(lines, t);
    const h = parseTestHeader(lines, t);
    parent = k || h;
    if (parent) {
      t.log.push(...parseDiagnostic(lines));
      parsePlan(lines, t);
    }
  }
  const expected = t.expectedCount;
  let num = 1;
  while (parent && (expected === null || num <= expected)) {
    const subLog = parseDiagnostic(lines);
    let sub = newTest();
    if (!lines.more || (nameMatches(lines, t) && isSubtest)) {
      if (expected && num <= expected) {
        addError(t, 'missing expected subtest!');
        sub.log.push(...subLog);
        addStatus(t.counts, 'TEST_CRASHED');
      } else {
        t.log.push(...subLog);
        break;
      }
    } else sub = parseTest(lines, num, subLog, true);
    t.subtests.push(sub);
    num++;
  }
  if (isSubtest) {
    t.log.push(...parseDiagnostic(lines));
    if (t.name !== '' && !nameMatches(lines, t)) addError(t, 'missing subtest result line!');
    else parseResult(lines, t, expectedNum);
  }
  if (parent && t.subtests.length === 0 && (t.status === 'TEST_CRASHED' || t.status === 'SUCCESS')) {
    t.status = 'NO_TESTS';
    addError(t, '0 tests run!');
  }
  bubbleUp(t);
  return t;
}

/** parse_run_tests without the printing: the main test with every subtest. */
export function parseRunTests(output: string[]): KTest {
  const lines = extractTapLines(output);
  if (!lines.length) {
    const t = newTest();
    t.name = '<missing>';
    addError(t, 'Could not find any KTAP output. Did any KUnit tests run?');
    return t;
  }
  const t = parseTest(new Lines(lines), 0, [], false);
  if (t.status !== 'NO_TESTS') t.status = countsStatus(t.counts);
  return t;
}
