// One scenario of one suite on one board, as shrink and bisect take it from the command
// line: the suite file, `--scenario NAME` (or NAME@DEVICE under for-each), `--board`, and
// the kernels. Every way the choice can fail is an InputError with a sentence a person can
// act on (the CLI prints it and exits 2); nothing runs before the choice is made.

import { compileSuites, hasErrors, loadSuites, resolveKernelLabel } from '../dsl/index.js';
import type { Diagnostic, LoadedBoard, LoadedSuite, PlanRun } from '../dsl/index.js';
import type { KernelDoc } from '../dsl/doc-types.js';
import { didYouMean } from '../dsl/suggest.js';
import { findProfile } from '../model/profiles/profiles.js';
import type { ResolvedProfile } from '../model/types.js';

/** Bad input: the message says what is wrong and what to do instead. */
export class InputError extends Error {
  constructor(
    message: string,
    /** the positioned errors of the input files, when that is what went wrong */
    readonly diagnostics: Diagnostic[] = [],
  ) {
    super(message);
  }
}

export interface ScenarioChoice {
  suite: LoadedSuite;
  /** index into suite.doc.scenarios */
  index: number;
  /** the for-each binding */
  device?: string;
  board: LoadedBoard;
}

/** The suite in FILE, or an InputError carrying the file's diagnostics. */
export function loadOneSuite(file: string): LoadedSuite {
  const loaded = loadSuites([file]);
  if (hasErrors(loaded.diagnostics)) {
    const n = loaded.diagnostics.filter((d) => d.severity === 'error').length;
    throw new InputError(`${file}: ${n} error${n === 1 ? '' : 's'} in the input; fix ${n === 1 ? 'it' : 'them'} first`, loaded.diagnostics);
  }
  if (loaded.suites.length !== 1) throw new InputError(`${file}: expected one suite file, found ${loaded.suites.length} suites`);
  return loaded.suites[0]!;
}

/** NAME or NAME@DEVICE → the scenario and the board it runs on. */
export function chooseScenario(suite: LoadedSuite, name: string, boardId: string | undefined): ScenarioChoice {
  const at = name.indexOf('@');
  const scName = at < 0 ? name : name.slice(0, at);
  const device = at < 0 ? undefined : name.slice(at + 1);
  const names = suite.doc.scenarios.map((s) => s.name);
  const index = names.indexOf(scName);
  if (index < 0) throw new InputError(`no scenario "${scName}" in ${suite.file}${didYouMean(scName, names) || ` (scenarios: ${names.join(', ')})`}`);
  const refs = suite.doc.scenarios[index]!.boards ?? suite.doc.boards ?? [];
  const boards = refs.map((r) => suite.boards.get(r)!).filter((b) => b !== undefined);
  let board: LoadedBoard;
  if (boardId !== undefined) {
    const found = boards.find((b) => b.id === boardId);
    if (!found) throw new InputError(`scenario "${scName}" does not run on board "${boardId}"${didYouMean(boardId, boards.map((b) => b.id)) || ` (boards: ${boards.map((b) => b.id).join(', ')})`}`);
    board = found;
  } else if (boards.length === 1) board = boards[0]!;
  else throw new InputError(`scenario "${scName}" runs on ${boards.length} boards (${boards.map((b) => b.id).join(', ')}): choose one with --board`);
  const forEach = suite.doc.scenarios[index]!['for-each'];
  const choice: ScenarioChoice = { suite, index, board };
  if (forEach) {
    const runs = compileFor(choice, undefined);
    const devices = runs.map((r) => r.forEach!['device']!);
    if (device === undefined) throw new InputError(`scenario "${scName}" runs once per device (for-each): name one as ${scName}@DEVICE (devices: ${devices.join(', ')})`);
    if (!devices.includes(device)) throw new InputError(`scenario "${scName}" has no run for device "${device}"${didYouMean(device, devices) || ` (devices: ${devices.join(', ')})`}`);
    choice.device = device;
  } else if (device !== undefined) {
    throw new InputError(`scenario "${scName}" has no for-each: drop "@${device}"`);
  }
  return choice;
}

/** The choice's runs on these kernels (default: the scenario's own), in kernel order. */
export function compileFor(choice: ScenarioChoice, kernels: readonly ResolvedProfile[] | undefined): PlanRun[] {
  const sc = choice.suite.doc.scenarios[choice.index]!;
  // the filter (a glob: ids and names hold no glob characters) spares compiling the suite's other scenarios
  const filter = `${choice.suite.doc.suite}.${sc.name}`;
  return compileSuites([choice.suite], { boards: [choice.board.id], filter, ...(kernels ? { kernels } : {}) }).filter(
    (r) => r.scenario === sc.name && (choice.device === undefined || r.forEach?.['device'] === choice.device),
  );
}

/** A --kernel/--good/--bad label as the model's profile, or an InputError naming the known ones. */
export function resolveLabel(option: string, label: string): ResolvedProfile {
  try {
    return resolveKernelLabel(label);
  } catch (e) {
    throw new InputError(`${option}: ${(e as Error).message}`);
  }
}

/** The run of the choice on one kernel. */
export function runOn(choice: ScenarioChoice, kernel: ResolvedProfile): PlanRun {
  const run = compileFor(choice, [kernel])[0];
  if (!run) throw new InputError(`scenario "${choice.suite.doc.scenarios[choice.index]!.name}" compiles to no run on ${choice.board.id}`);
  return run;
}

/**
 * How a resolved kernel is written in a suite: the profile name, or { base, apply, revert }
 * against the profile it is based on.
 */
export function kernelDoc(k: ResolvedProfile): KernelDoc {
  const base = findProfile(k.base);
  if (!base || k.name === k.base) return k.name;
  const have = new Set(k.behaviours);
  const baseSet = new Set(base.behaviours);
  const apply = k.behaviours.filter((b) => !baseSet.has(b));
  const revert = base.behaviours.filter((b) => !have.has(b));
  if (!apply.length && !revert.length) return base.name;
  return { base: base.name, ...(apply.length ? { apply } : {}), ...(revert.length ? { revert } : {}) };
}
