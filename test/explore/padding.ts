// Padding for the shrink tests: a shipped reproducer with ten unrelated devices and drivers
// added to its board, and unrelated steps added to its scenario (a fault armed on a padding
// device before everything, an unbind/bind of another and an assertion on a third after),
// written as a board and a suite of their own in a temporary tree (boards/ beside suites/).

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';

export const PADDING = 10;

export function padName(i: number): string {
  return `f${(i + 1).toString(16).padStart(2, '0')}00000.pad`;
}

/**
 * Write <dir>/boards/<board>.yaml and <dir>/suites/<suite>.yaml: the board padded, the
 * suite reduced to the one scenario (for-each, known-bad and all) with padded steps.
 * Returns the padded suite's path.
 */
export function writePadded(dir: string, suiteFile: string, scenario: string, boardFile: string): string {
  const board = parseDocument(readFileSync(boardFile, 'utf8'));
  for (let i = 0; i < PADDING; i++) {
    board.addIn(['devices'], board.createNode({ name: padName(i), driver: `pad-${i}`, compatible: 'vendor,pad' }));
    board.setIn(['drivers', `pad-${i}`], board.createNode({ probe: [{ 'devm-alloc': 512 }, { 'request-irq': 200 + i }, { log: `pad ${i} ready` }] }));
  }
  const suite = parseDocument(readFileSync(suiteFile, 'utf8'));
  const scenarios = suite.toJS().scenarios as { name: string }[];
  for (let i = scenarios.length - 1; i >= 0; i--) if (scenarios[i]!.name !== scenario) suite.deleteIn(['scenarios', i]);
  // the scenario runs on the padded board alone
  suite.set('boards', suite.createNode([String(board.get('board'))], { flow: true }));
  suite.deleteIn(['scenarios', 0, 'boards']);
  const steps = ['scenarios', 0, 'steps'];
  const n = (suite.getIn(steps) as { items: unknown[] }).items.length;
  const add = (at: number, step: unknown) => (suite.getIn(steps) as { items: unknown[] }).items.splice(at, 0, suite.createNode(step));
  const boot = (suite.toJS().scenarios[0].steps as unknown[]).findIndex((s) => s === 'boot' || (typeof s === 'object' && s !== null && 'boot' in s));
  // no bind among them: a successful bind retries the deferred probes, which is not
  // unrelated to a scenario about a deferral (the kernel's driver_bound() trigger)
  add(n, { expect: { state: [{ device: padName(2), bound: true }] } });
  add(boot + 1, { expect: { log: [`pad-3 ${padName(3)}: pad 3 ready`], state: [{ device: padName(1), bound: false }] } });
  add(boot + 1, { unbind: padName(1) });
  add(0, { 'fail-probe': { device: padName(0), error: '-ENODEV' } });
  mkdirSync(path.join(dir, 'boards'), { recursive: true });
  mkdirSync(path.join(dir, 'suites'), { recursive: true });
  writeFileSync(path.join(dir, 'boards', path.basename(boardFile)), String(board));
  const out = path.join(dir, 'suites', path.basename(suiteFile));
  writeFileSync(out, String(suite));
  return out;
}
