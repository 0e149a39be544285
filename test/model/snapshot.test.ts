// Snapshots (runner/model/snapshot.ts): a kernel restored from a snapshot, taken inside a
// chosen boot or between steps, goes on exactly as the kernel it was taken from — same log,
// state, checks — however often it is restored and whatever the original did after; and a
// copy shares nothing mutable with its original and leaves no value behind (the test a
// field added to a model class without its [COPY] line fails).

import { expect } from 'chai';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventRecord, createKernel, restoreKernel } from '../../runner/model/index.js';
import type { Chooser, ChoicePoint, Kernel, KernelSnapshot, ModelBoard, ModelStep } from '../../runner/model/index.js';
import { resolveKernelLabel } from '../../runner/dsl/kernels.js';
import { loadBoards } from '../../runner/dsl/index.js';
import { NEWEST_PROFILE } from '../../runner/model/profiles/profiles.js';
import { isShared } from '../../runner/model/snapshot.js';
import { rng } from '../../runner/explore/rng.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function boards(): ModelBoard[] {
  return loadBoards([path.join(ROOT, 'boards')]).boards.map((b) => b.board);
}


interface Taken {
  /** answers given before it */
  at: number;
  snapshot: KernelSnapshot;
  /** model steps performed before it (the one under way included) */
  steps: number;
  inStep: boolean;
}

/** answers from `script`, then at random (deviating one time in `1 / rate`); snapshots at every checkpoint */
class Scripted implements Chooser {
  readonly faults = [-12, -517];
  readonly answers: number[] = [];
  readonly taken: Taken[] = [];
  kernel: Kernel | null = null;
  steps = 0;
  private skip = false;
  private readonly next: () => number;

  constructor(seed: number, private readonly script: readonly number[] = [], private readonly rate = 0.15, private readonly snap = false) {
    this.next = rng(seed);
  }

  choose(_p: ChoicePoint, options: readonly string[]): number {
    const n = this.answers.length;
    const i = n < this.script.length ? this.script[n]! : this.next() < this.rate ? 1 + Math.floor(this.next() * (options.length - 1)) : 0;
    this.answers.push(i);
    return i;
  }

  /** the kernel resumed from a checkpoint meets it again first */
  resumed(): void {
    this.skip = true;
  }

  checkpoint(): void {
    if (this.skip) {
      this.skip = false;
      return;
    }
    if (this.snap) this.taken.push({ at: this.answers.length, snapshot: this.kernel!.snapshot!(), steps: this.steps, inStep: true });
  }
}

function stateOf(k: Kernel): string {
  return JSON.stringify({ log: k.log, key: k.stateKey!(), checks: k.checks(), deferred: k.devicesDeferred(), taint: k.taint(), devs: k.board.devices.map((d) => k.device(d.name)) });
}

function stepsAfterBoot(b: ModelBoard): ModelStep[] {
  const d = b.devices.find((x) => x.driver && x.present && x.status === 'okay') ?? b.devices[0]!;
  return [{ op: 'unbind', device: d.name }, { op: 'bind', device: d.name }, { op: 'fail-probe', device: d.name, errno: -12, at: 0, times: 1 }, { op: 'unbind', device: d.name }, { op: 'bind', device: d.name }];
}

/** run `steps` with snapshots at every checkpoint and between steps */
function original(b: ModelBoard, kernel: string, seed: number, steps: ModelStep[]): { ch: Scripted; k: Kernel } {
  const ch = new Scripted(seed, [], 0.15, true);
  const k = createKernel(b, resolveKernelLabel(kernel), { chooser: ch });
  ch.kernel = k;
  for (const s of steps) {
    ch.steps++;
    k.perform(s);
    ch.taken.push({ at: ch.answers.length, snapshot: k.snapshot!(), steps: ch.steps, inStep: false });
  }
  return { ch, k };
}

function resumed(t: Taken, answers: readonly number[], steps: ModelStep[]): Kernel {
  const ch = new Scripted(0, answers.slice(t.at), 0);
  const k = restoreKernel(t.snapshot, ch);
  ch.kernel = k;
  if (t.inStep) {
    ch.resumed();
    k.resume!();
  }
  for (const s of steps.slice(t.steps)) k.perform(s);
  return k;
}

describe('model: snapshots', function () {
  this.timeout(120_000);

  it('a kernel restored at any checkpoint or between steps goes on as the original did (every shipped board, two eras, random schedules)', () => {
    let compared = 0;
    for (const b of boards()) {
      for (const kernel of ['v5.0', NEWEST_PROFILE]) {
        for (let seed = 1; seed <= 3; seed++) {
          const steps: ModelStep[] = [{ op: 'boot', hold: [] }, ...stepsAfterBoot(b)];
          const { ch, k } = original(b, kernel, seed * 7919 + b.id.length, steps);
          const want = stateOf(k);
          expect(ch.taken.some((t) => t.inStep), `${b.id} ${kernel}: checkpoints inside the boot`).to.equal(true);
          for (const t of ch.taken) {
            expect(stateOf(resumed(t, ch.answers, steps)), `${b.id} ${kernel} seed ${seed}: resumed at answer ${t.at}, step ${t.steps}${t.inStep ? ' (inside)' : ''}`).to.equal(want);
            compared++;
          }
        }
      }
    }
    expect(compared).to.be.greaterThan(500);
  });

  it('late IOMMU modules and reordered initcalls survive a checkpoint (the boot cursor is copied with the kernel)', () => {
    for (const b of boards().filter((x) => x.iommus.length > 0)) {
      // every answer non-default where it can be: late modules, reversed orders, faults
      const ch = new Scripted(0, [], 1, true);
      const k = createKernel(b, resolveKernelLabel(NEWEST_PROFILE), { chooser: ch });
      ch.kernel = k;
      ch.steps = 1;
      k.perform({ op: 'boot', hold: [] });
      const want = stateOf(k);
      for (const t of ch.taken) expect(stateOf(resumed(t, ch.answers, [{ op: 'boot', hold: [] }])), `${b.id} at ${t.at}`).to.equal(want);
    }
  });

  it('a copy shares nothing mutable with its original and keeps every value', () => {
    // records never changed once made (a devres entry, a domain's mapping, a device's iommus from the board,
    // a loadable's names, a boot step's pins: replaced, never written) are shared by design
    // a kernel table's names and their index (kernel/table.ts): shared until either table adds a name
    const shared = (x: object, where: string): boolean => Object.isFrozen(x) || isShared(x) || /\.(devres|mapped)\.\d+$|\.namesOf\[\d+\]$|\.sched\.(order|late|asyncOrder|retryAfter)$|\.(devices|devicesByMatch|drivers|iommus)\.(index|names)$/.test(where) || ['board', 'profile', 'impl', 'node', 'client', 'iommuImpl', 'iommus', 'build', 'syms', 'switches', 'behaviours', 'chooserNow', 'eras', 'formats'].includes(lastKey) || /Task$/.test(lastKey) || lastKey === 'task' || inLog;
    let lastKey = '';
    let inLog = false;
    const problems: string[] = [];
    const compare = (a: unknown, c: unknown, where: string, seen: Set<object>): void => {
      if (problems.length > 5) return;
      if (a === null || typeof a !== 'object' || typeof a === 'function') {
        if (typeof a !== 'function' && a !== c && !(Number.isNaN(a) && Number.isNaN(c))) problems.push(`${where}: ${String(a)} became ${String(c)}`);
        return;
      }
      if (typeof c !== 'object' || c === null) {
        problems.push(`${where}: not copied`);
        return;
      }
      // a restored kernel asks the chooser it was handed, by design
      if (seen.has(a) || lastKey === 'chooserNow') return;
      seen.add(a);
      if (a === c) {
        // shared by design (the model's input, never written): nothing inside it is copied either
        if (shared(a, where)) return;
        problems.push(`${where}: shared with the original`);
      }
      if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(c)) problems.push(`${where}: another class`);
      if (a instanceof Map) {
        const cm = c as Map<unknown, unknown>;
        if (a.size !== cm.size) problems.push(`${where}: ${a.size} entries became ${cm.size}`);
        const cv = [...cm.values()];
        [...a.values()].forEach((v, i) => {
          lastKey = '';
          compare(v, cv[i], `${where}[${i}]`, seen);
        });
        return;
      }
      if (a instanceof Set) {
        if (a.size !== (c as Set<unknown>).size) problems.push(`${where}: ${a.size} members became ${(c as Set<unknown>).size}`);
        return;
      }
      const keys = Object.keys(a);
      expect(Object.keys(c), where).to.have.members(keys);
      for (const key of keys) {
        lastKey = key;
        const wasLog = inLog;
        if (key === 'lines') inLog = true;
        compare((a as Record<string, unknown>)[key], (c as Record<string, unknown>)[key], `${where}.${key}`, seen);
        inLog = wasLog;
      }
    };
    for (const b of boards()) {
      const { ch, k } = original(b, NEWEST_PROFILE, 5, [{ op: 'boot', hold: [] }, ...stepsAfterBoot(b)]);
      const copy = restoreKernel(ch.taken[ch.taken.length - 1]!.snapshot, new Scripted(0));
      compare(k, copy, b.id, new Set());
      expect(problems, b.id).to.deep.equal([]);
    }
  });

  it('a kernel that keeps an event record is not snapshot (explain keeps one; explore does not)', () => {
    const b = boards()[0]!;
    const k = createKernel(b, resolveKernelLabel(NEWEST_PROFILE), { events: new EventRecord() });
    k.perform({ op: 'boot', hold: [] });
    expect(() => k.snapshot!()).to.throw(/event record/);
  });
});
