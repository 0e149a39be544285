// Choice points (runner/model/choice.ts): a chooser that answers 0 everywhere changes nothing —
// every shipped run prints the same bytes and ends in the same state — and each kind of point
// is reached where the kernel's order is open; a choice and the boot pin it is written back as
// give the same run.

import { expect } from 'chai';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPlan } from '../../runner/dsl/index.js';
import { createKernel } from '../../runner/model/index.js';
import type { Chooser, ChoicePoint, Kernel, ModelBoard, ModelStep, ResolvedProfile } from '../../runner/model/index.js';
import { resolveKernelLabel } from '../../runner/dsl/kernels.js';
import { loadBoards } from '../../runner/dsl/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function modelSteps(steps: readonly ({ step: ModelStep } | { expect: unknown })[]): ModelStep[] {
  const out: ModelStep[] = [];
  for (const s of steps) if ('step' in s) out.push(s.step);
  return out;
}

function snapshot(k: Kernel): string {
  const devs = k.board.devices.map((d) => JSON.stringify(k.device(d.name)));
  const mmus = k.board.iommus.map((i) => JSON.stringify(k.iommu(i.name)));
  return [k.log.map((l) => `${l.usec} ${l.text}`).join('\n'), ...devs, ...mmus, k.taint(), JSON.stringify(k.checks())].join('\n');
}

/** answers 0, records every point */
class Recorder implements Chooser {
  readonly faults = [-12, -5, -517, -19];
  readonly points: Array<{ point: ChoicePoint; options: readonly string[] }> = [];
  constructor(private readonly pick: (p: ChoicePoint, o: readonly string[]) => number = () => 0) {}
  choose(point: ChoicePoint, options: readonly string[]): number {
    this.points.push({ point, options });
    return this.pick(point, options);
  }
}

function board(id: string): ModelBoard {
  const cwd = process.cwd();
  process.chdir(ROOT);
  try {
    const r = loadBoards([`boards/${id}.yaml`]);
    return r.boards[0]!.board;
  } finally {
    process.chdir(cwd);
  }
}

function run(b: ModelBoard, profile: ResolvedProfile, steps: ModelStep[], chooser?: Chooser): Kernel {
  const k = createKernel(b, profile, chooser ? { chooser } : {});
  for (const s of steps) k.perform(s);
  return k;
}

describe('model: choice points', function () {
  this.timeout(60_000);

  it('option 0 everywhere is today\'s model: every shipped run, byte for byte, state and checks', () => {
    const cwd = process.cwd();
    process.chdir(ROOT);
    let runs = 0;
    let points = 0;
    try {
      const { plan } = loadPlan(['suites'], {});
      for (const r of plan.runs) {
        const steps = modelSteps(r.steps);
        const rec = new Recorder();
        const a = run(r.board, r.kernel, steps);
        const b = run(r.board, r.kernel, steps, rec);
        expect(snapshot(b), r.id).to.equal(snapshot(a));
        runs++;
        points += rec.points.length;
      }
    } finally {
      process.chdir(cwd);
    }
    expect(runs).to.be.greaterThan(300);
    expect(points).to.be.greaterThan(runs);
  });

  it('reaches every kind of point: initcall, IOMMU registration, faults, deferred order on the seed boards; async and modules where a board has them', () => {
    const kinds = new Set<string>();
    for (const [id, kernel] of [['salvator-xs-m3n', 'v6.15'], ['prime-x470-pro', 'v6.15'], ['sc8180x-primus', 'v6.15'], ['mt8183-juniper', 'v6.15']] as const) {
      const rec = new Recorder();
      run(board(id), resolveKernelLabel(kernel), [{ op: 'boot', hold: [] }], rec);
      for (const p of rec.points) kinds.add(p.point.kind);
    }
    expect([...kinds].sort()).to.deep.equal(['deferred-order', 'fault', 'initcall-order', 'iommu-registration']);
    // the X470 with two NVMe drives (async probes) and its SATA and USB drivers as modules
    const x = board('prime-x470-pro');
    const nvme2 = { ...x.devices.find((d) => d.driver === 'nvme')!, name: '0000:04:00.0' };
    const b: ModelBoard = {
      ...x,
      devices: [...x.devices, nvme2],
      drivers: x.drivers.map((d) => (d.name === 'ahci' || d.name === 'xhci_hcd' ? { ...d, initcall: 'module' as const } : d)),
    };
    const rec = new Recorder();
    const k = run(b, resolveKernelLabel('v6.15'), [{ op: 'boot', hold: [] }], rec);
    const seen = rec.points.map((p) => `${p.point.kind} ${p.point.label} ${p.options.join(',')}`);
    expect(seen).to.include('async-completion async:nvme 0000:01:00.0,0000:04:00.0');
    expect(seen).to.include('module-order modules xhci_hcd,ahci');
    expect(snapshot(k)).to.equal(snapshot(run(b, resolveKernelLabel('v6.15'), [{ op: 'boot', hold: [] }])));
  });

  it('a fault point is offered once per device and action in a step, with the chooser\'s errnos', () => {
    const rec = new Recorder();
    run(board('sc8180x-primus'), resolveKernelLabel('v6.15'), [{ op: 'boot', hold: [] }], rec);
    const faults = rec.points.filter((p) => p.point.kind === 'fault');
    const labels = faults.map((p) => p.point.label);
    expect(new Set(labels).size).to.equal(labels.length);
    expect(faults[0]!.options).to.deep.equal(['none', '-ENOMEM', '-EIO', '-EPROBE_DEFER', '-ENODEV']);
    // ufshcd-qcom defers at its first action, then probes its six actions once the PHY is up
    expect(labels.filter((l) => l.startsWith('fault:1d84000.ufshc@'))).to.deep.equal([0, 1, 2, 3, 4, 5, 6].map((i) => `fault:1d84000.ufshc@${i}`));
  });

  it('a chosen fault is a fail-probe armed before the step', () => {
    const b = board('huawei-d06');
    const p = resolveKernelLabel('v5.1');
    const chosen = run(b, p, [{ op: 'boot', hold: [] }], new Recorder((pt, o) => (pt.label === 'fault:0000:74:02.0@3' ? o.indexOf('-ENOMEM') : 0)));
    const pinned = run(b, p, [{ op: 'fail-probe', device: '0000:74:02.0', errno: -12, at: 3, times: 1 }, { op: 'boot', hold: [] }]);
    expect(chosen.log.map((l) => l.text)).to.deep.equal(pinned.log.map((l) => l.text));
    expect(chosen.log.some((l) => l.text.startsWith('BUG: Bad page state'))).to.equal(true);
  });

  it('chosen orders and the boot pins they are written back as give the same run', () => {
    const b = board('salvator-xs-m3n');
    const p = resolveKernelLabel('v6.15-rc1');
    // register the IPMMUs' driver as a late module, and take the arch level in reverse
    const rec = new Recorder((pt, o) => (pt.kind === 'iommu-registration' ? 1 : pt.kind === 'initcall-order' ? o.length - 1 : 0));
    const chosen = run(b, p, [{ op: 'boot', hold: [] }], rec);
    const order = rec.points.filter((x) => x.point.kind === 'initcall-order').map((x) => x.options[x.options.length - 1]!);
    const late = rec.points.filter((x) => x.point.kind === 'iommu-registration').map((x) => x.point.label.slice('iommu:'.length));
    expect(late.length).to.be.greaterThan(0);
    const pinned = run(b, p, [{ op: 'boot', hold: [], order, late }]);
    expect(snapshot(pinned)).to.equal(snapshot(chosen));
    expect(snapshot(pinned)).to.not.equal(snapshot(run(b, p, [{ op: 'boot', hold: [] }])));
  });
});
