import { expect } from 'chai';
import path from 'node:path';
import { compileSuites, loadPlan, loadSuites, PlanOptionError, resolveKernelLabel } from '../../runner/dsl/index.js';
import type { PlanRun } from '../../runner/dsl/plan.js';
import { EVB, FIXTURES, SUITE_HEADER, tree } from './helpers.js';

const MATRIX = path.relative(process.cwd(), path.join(FIXTURES, 'matrix/suites/matrix.yaml'));
const LABEL = 'v6.14+bcb81ac6ae3c-376991db4b64';

function matrix() {
  const loaded = loadSuites([MATRIX]);
  expect(loaded.diagnostics).to.deep.equal([]);
  return loaded;
}

function cells(runs: PlanRun[]): string[] {
  return runs.map((r) => `${r.id} [${r.board.id} ${r.kernel.name}]`);
}

/** Compile an inline suite over the helper board "evb". */
function compileInline(body: string): PlanRun[] {
  const dir = tree({ 'boards/evb.yaml': EVB, 'suites/s.yaml': SUITE_HEADER + body });
  const loaded = loadSuites([path.join(dir, 'suites/s.yaml')]);
  expect(loaded.diagnostics.map((d) => d.message)).to.deep.equal([]);
  return compileSuites(loaded.suites);
}

describe('dsl/compile', () => {
  it('expands scenario × board × kernel × for-each device, in that order', () => {
    expect(cells(compileSuites(matrix().suites))).to.deep.equal([
      'matrix.plain [evb-a v5.0]',
      `matrix.plain [evb-a ${LABEL}]`,
      'matrix.plain [evb-b v5.0]',
      `matrix.plain [evb-b ${LABEL}]`,
      // the scenario's own boards (evb-b first) and kernels override the suite's
      'matrix.per-mmc@ee160000.mmc [evb-b v6.15]',
      'matrix.per-mmc@ee100000.mmc [evb-b v6.15]',
      'matrix.per-mmc@ee100000.mmc [evb-a v6.15]',
      'matrix.per-mmc@ee140000.mmc [evb-a v6.15]',
      'matrix.late-iommu [evb-a v5.0]',
      `matrix.late-iommu [evb-a ${LABEL}]`,
    ]);
  });

  it('is pure and deterministic, and the plan is plain JSON', () => {
    const a = compileSuites(matrix().suites);
    const b = compileSuites(matrix().suites);
    expect(JSON.stringify(a)).to.equal(JSON.stringify(b));
    expect(JSON.parse(JSON.stringify(a))).to.deep.equal(a);
    // runs share one board, frozen: no run can change what another sees
    expect(a[1]!.board).to.equal(a[0]!.board);
    expect(() => {
      a[0]!.board.devices[0]!.name = 'changed';
    }).to.throw(TypeError);
    expect(a[1]!.board.devices[0]!.name).to.equal('ee300000.sata');
  });

  it('resolves kernels to behaviour sets; {base, apply, revert} gets a label', () => {
    const runs = compileSuites(matrix().suites);
    expect(runs[0]!.kernel).to.deep.include({ name: 'v5.0', base: 'v5.0' });
    expect(runs[0]!.kernel.behaviours).to.not.include('376991db4b64');
    expect(runs[1]!.kernel.name).to.equal(LABEL);
    expect(runs[1]!.kernel.base).to.equal('v6.14');
    expect(runs[1]!.kernel.behaviours).to.include('bcb81ac6ae3c').and.not.include('376991db4b64');
  });

  it('defaults the kernel to the newest profile', () => {
    const runs = compileInline('suite: s\nboards: [evb]\nscenarios:\n  - name: one\n    steps: [boot]\n');
    expect(cells(runs)).to.deep.equal(['s.one [evb v7.3]']);
    expect(runs[0]!.checks).to.equal(true);
    expect(runs[0]!).to.not.have.property('knownBad');
  });

  it('applies the board defaults of DSL.md', () => {
    const a = compileSuites(matrix().suites)[0]!.board;
    expect(a.busDmaBits).to.equal(32);
    expect(a.memory).to.deep.equal([{ base: 0x40000000, size: 0x40000000 }]);
    expect(a.iommus).to.deep.equal([
      { name: 'e67b0000.mmu', driver: 'ipmmu-vmsa', status: 'okay', options: { allowlist: ['ee300000.sata'] } },
      { name: 'fd800000.iommu', driver: 'rockchip-iommu', status: 'disabled', options: {} },
    ]);
    expect(a.devices).to.deep.equal([
      { name: 'ee300000.sata', driver: 'sata_rcar', bus: 'platform', iommus: [{ iommu: 'e67b0000.mmu', ids: [0] }], dmaBits: 40, status: 'okay', present: true },
      { name: 'ee100000.mmc', driver: 'sdhi', bus: 'amba', compatible: 'acme,sdhi', iommus: [{ iommu: 'e67b0000.mmu', ids: [] }], dmaBits: 32, status: 'okay', present: true },
      { name: 'ee140000.mmc', driver: 'sdhi', bus: 'platform', iommus: [], dmaBits: 32, status: 'disabled', present: false },
    ]);
    const b = compileSuites(matrix().suites)[2]!.board;
    expect(b.id).to.equal('evb-b');
    expect(b.arch).to.equal('arm');
    expect(b).to.not.have.property('busDmaBits');
  });

  it('turns every probe/remove action and driver flag into the model shape', () => {
    const drivers = compileSuites(matrix().suites)[0]!.board.drivers;
    expect(drivers).to.deep.equal([
      {
        name: 'sata_rcar',
        initcall: 'late',
        probe: [
          { kind: 'dmam-alloc', size: 2048 },
          { kind: 'dma-alloc', size: 4096 },
          { kind: 'devm-alloc', size: 64 },
          { kind: 'request-irq', irq: 137 },
          { kind: 'dma-transfer', size: 512 },
          { kind: 'log', text: 'scsi host0: sata_rcar' },
          { kind: 'wait-for', device: 'ee100000.mmc' },
          { kind: 'fail', errno: -5 },
        ],
        remove: [
          { kind: 'dma-free', size: 4096 },
          { kind: 'fail', errno: -5 },
        ],
        async: true,
        driverManagedDma: true,
      },
      { name: 'sdhi', initcall: 'device', probe: [], remove: [], async: false, driverManagedDma: false },
    ]);
  });

  it('compiles every step shape', () => {
    const runs = compileInline(`suite: s
boards: [evb]
scenarios:
  - name: all
    steps:
      - boot: { hold: [sdhi] }
      - bind: ee300000.sata
      - bind: { device: ee100000.mmc, driver: sdhi }
      - unbind: ee300000.sata
      - fail-probe: { device: ee300000.sata, error: -EPROBE_DEFER }
      - fail-probe: { device: ee300000.sata, error: -12, at: 1, times: 3 }
      - load-module: sdhi
      - unload-module: sdhi
      - remove-device: ee100000.mmc
      - add-device: ee100000.mmc
      - deferred-timeout
      - boot
`);
    expect(runs[0]!.steps.map((s) => ('step' in s ? s.step : 'expect'))).to.deep.equal([
      { op: 'boot', hold: ['sdhi'] },
      { op: 'bind', device: 'ee300000.sata' },
      { op: 'bind', device: 'ee100000.mmc', driver: 'sdhi' },
      { op: 'unbind', device: 'ee300000.sata' },
      { op: 'fail-probe', device: 'ee300000.sata', errno: -517, times: 1 },
      { op: 'fail-probe', device: 'ee300000.sata', errno: -12, at: 1, times: 3 },
      { op: 'load-module', driver: 'sdhi' },
      { op: 'unload-module', driver: 'sdhi' },
      { op: 'remove-device', device: 'ee100000.mmc' },
      { op: 'add-device', device: 'ee100000.mmc' },
      { op: 'deferred-timeout' },
      { op: 'boot', hold: [] },
    ]);
    // a fault armed without "at" fails after the last action: no "at" in the plan
    expect(runs[0]!.steps[4]).to.have.nested.property('step.op', 'fail-probe');
    expect((runs[0]!.steps[4] as { step: object }).step).to.not.have.property('at');
  });

  it('register-iommu-late holds the IOMMU driver at boot, merged with an explicit hold', () => {
    const run = compileSuites(matrix().suites).find((r) => r.scenario === 'late-iommu')!;
    expect(run.steps.map((s) => ('step' in s ? s.step : null))).to.deep.equal([
      { op: 'boot', hold: ['sdhi', 'ipmmu-vmsa'] },
      { op: 'register-iommu-late', iommu: 'e67b0000.mmu', driver: 'ipmmu-vmsa' },
      { op: 'deferred-timeout' },
    ]);
    const plain = compileInline(`suite: s
boards: [evb]
scenarios:
  - name: late
    steps: [boot, { register-iommu-late: e67b0000.mmu }]
`);
    expect(plain[0]!.steps[0]).to.deep.include({ step: { op: 'boot', hold: ['ipmmu-vmsa'] } });
  });

  it('keeps every assertion with its YAML position', () => {
    const run = compileSuites(matrix().suites)[0]!;
    const at = (line: number, column: number) => ({ file: MATRIX, line, column });
    expect(run.file).to.equal(MATRIX);
    expect(run.pos).to.deep.equal(at(8, 5));
    expect(run.steps.map((s) => s.pos)).to.deep.equal([at(10, 9), at(11, 9), at(12, 9)]);
    const e = (run.steps[2] as { expect: import('../../runner/dsl/plan.js').Assertions }).expect;
    expect(e).to.deep.equal({
      log: [
        { pattern: { kind: 'literal', text: 'Adding to iommu group' }, pos: at(13, 17) },
        // Python's named group, rewritten for JavaScript
        { pattern: { kind: 'regex', source: 'group (?<n>\\d+)' }, pos: at(13, 42) },
      ],
      logUnordered: [{ pattern: { kind: 'literal', text: 'a' }, pos: at(14, 27) }],
      noLog: [{ pattern: { kind: 'literal', text: 'BUG: Bad page state' }, pos: at(15, 20) }],
      count: [
        { pattern: { kind: 'literal', text: 'x' }, times: 1, pos: at(17, 15) },
        { pattern: { kind: 'regex', source: 'y+' }, atLeast: 2, atMost: 3, pos: at(18, 15) },
      ],
      state: [
        { kind: 'device', device: 'ee300000.sata', bound: false, driver: 'sata_rcar', deferred: false, group: 'none', dmaOps: 'iommu', pos: at(20, 15) },
        { kind: 'device', device: 'ee300000.sata', group: 0, pos: at(21, 15) },
        { kind: 'iommu', iommu: 'e67b0000.mmu', registered: true, pos: at(22, 15) },
        { kind: 'tainted', letters: '', pos: at(23, 15) },
        { kind: 'tainted', letters: 'BD', pos: at(24, 15) },
        { kind: 'errno', errno: -16, pos: at(25, 15) },
        { kind: 'errno', errno: 0, pos: at(26, 15) },
      ],
      pos: at(13, 11),
    });
    expect(run.reference).to.deep.equal(['https://example.org/thread']);
    expect(run.description).to.equal(undefined);
  });

  it('attaches the known-bad entry of the run\'s kernel only', () => {
    const runs = compileSuites(matrix().suites);
    const at = (line: number, column: number) => ({ file: MATRIX, line, column });
    expect(runs[0]!.knownBad).to.deep.equal({
      kernel: 'v5.0',
      fixedBy: '376991db4b64',
      log: [{ pattern: { kind: 'literal', text: 'BUG: Bad page state' }, pos: at(30, 15) }],
      pos: at(28, 9),
    });
    expect(runs[1]!.knownBad).to.equal(undefined);
    expect(runs[2]!.knownBad?.kernel).to.equal('v5.0');
  });

  it('substitutes ${device} everywhere under for-each (escaped inside regexes), checks: off', () => {
    const run = compileSuites(matrix().suites).find((r) => r.id === 'matrix.per-mmc@ee160000.mmc')!;
    expect(run.forEach).to.deep.equal({ device: 'ee160000.mmc' });
    expect(run.checks).to.equal(false);
    expect(run.steps[1]).to.deep.include({ step: { op: 'bind', device: 'ee160000.mmc' } });
    const e = (run.steps[2] as { expect: import('../../runner/dsl/plan.js').Assertions }).expect;
    expect(e.log.map((p) => p.pattern)).to.deep.equal([
      { kind: 'literal', text: 'sdhi ee160000.mmc: probed' },
      { kind: 'regex', source: 'ee160000\\.mmc bound' },
    ]);
    expect(run.expect!.state).to.deep.equal([{ kind: 'device', device: 'ee160000.mmc', bound: true, pos: { file: MATRIX, line: 41, column: 15 } }]);
  });

  it('compile options: board filter, kernel override, scenario glob', () => {
    const suites = matrix().suites;
    expect(cells(compileSuites(suites, { boards: ['evb-b'], filter: 'matrix.p*' }))).to.deep.equal([
      'matrix.plain [evb-b v5.0]',
      `matrix.plain [evb-b ${LABEL}]`,
      'matrix.per-mmc@ee160000.mmc [evb-b v6.15]',
      'matrix.per-mmc@ee100000.mmc [evb-b v6.15]',
    ]);
    const k = [resolveKernelLabel('v5.1'), resolveKernelLabel('v6.14+bcb81ac6ae3c')];
    expect(cells(compileSuites(suites, { kernels: k, filter: 'matrix.late-iommu' }))).to.deep.equal([
      'matrix.late-iommu [evb-a v5.1]',
      'matrix.late-iommu [evb-a v6.14+bcb81ac6ae3c]',
    ]);
  });

  it('loadPlan: kernel labels, unknown ones rejected, no runs when the input has errors', () => {
    const { plan, diagnostics } = loadPlan([MATRIX], { board: 'evb-a', kernels: ['v6.14+bcb81ac6ae3c-376991db4b64'], filter: 'matrix.plain' });
    expect(diagnostics).to.deep.equal([]);
    expect(cells(plan.runs)).to.deep.equal([`matrix.plain [evb-a ${LABEL}]`]);
    expect(() => loadPlan([MATRIX], { kernels: ['v5.l'] })).to.throw(PlanOptionError, 'unknown kernel "v5.l"');
    expect(() => loadPlan([MATRIX], { board: 'evb-c' })).to.throw(PlanOptionError, 'board "evb-c" is not used by this suite (did you mean "evb-a"?)');
    const bad = path.join(FIXTURES, 'ten/suites/ten-mistakes.yaml');
    const r = loadPlan([bad]);
    expect(r.plan.runs).to.deep.equal([]);
    expect(r.diagnostics).to.have.length(10);
  });
});
