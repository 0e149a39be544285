// bringup explain (EXPLORE.md): every device not bound at the end of a shipped run gets a chain
// that ends in a root cause; each seed story names its fixed-by behaviour as decisive; the
// JSON has the spec's keys and nothing else; the chain is root first; dot renders with
// Graphviz (skipped with a message where `dot` is missing).

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileSuites, loadSuites } from '../../runner/dsl/index.js';
import { canonicalBehaviour, createKernel } from '../../runner/model/index.js';
import { resolveKernel } from '../../runner/model/profiles/resolve.js';
import { explainRun, type RunExplanation } from '../../runner/explore/explain.js';
import { renderDot, renderJson, renderText, toJson } from '../../runner/explore/explain-render.js';
import type { PlanRun } from '../../runner/dsl/plan.js';
import { bringup } from '../cli/helpers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const PLAN = compileSuites(loadSuites([path.join(ROOT, 'suites')]).suites);

function find(id: string, kernel: string): PlanRun {
  const r = PLAN.find((x) => x.id === id && x.kernel.name === kernel);
  if (!r) throw new Error(`no run ${id} on ${kernel}`);
  return r;
}

const cache = new Map<PlanRun, RunExplanation>();
function explained(run: PlanRun): RunExplanation {
  let x = cache.get(run);
  if (!x) cache.set(run, (x = explainRun(run)));
  return x;
}

describe('explain: every shipped run', () => {
  it('every device not bound at the end, and every title, has a chain ending in a root cause (never "unknown")', function () {
    this.timeout(60000);
    expect(PLAN.length).to.be.greaterThan(400);
    let questions = 0;
    const notBound: string[] = [];
    for (const run of PLAN) {
      const x = explainRun(run, { decisive: false });
      // the questions cover exactly the board's devices that are not bound
      const asked = new Set(x.questions.filter((q) => !q.title).map((q) => q.device));
      for (const q of x.questions) {
        questions++;
        const where = `${x.label}: ${q.device} ${q.state}`;
        expect(q.rootKind, where).to.not.equal('unknown');
        expect(q.root, where).to.not.match(/^unknown/);
        expect(q.chain.length, where).to.be.greaterThan(0);
        expect(q.chain.some((l) => l.root !== undefined), `${where}: a root link`).to.equal(true);
        if (!q.title) notBound.push(where);
      }
      // ... and they are exactly the devices the kernel left unbound
      const k = createKernel(run.board, run.kernel);
      for (const s of run.steps) if ('step' in s && !k.perform(s.step).panicked) continue;
      for (const d of run.board.devices) {
        const bound = k.device(d.name)?.bound === true;
        expect(asked.has(d.name), `${x.label}: ${d.name} ${bound ? 'is bound but has' : 'is not bound but has no'} question`).to.equal(!bound);
      }
    }
    expect(questions).to.be.greaterThan(250);
    expect(notBound.length).to.be.greaterThan(200);
  });
});

/** the seed stories: each known-bad run names its fixed-by behaviour as the first question's decisive one */
describe('explain: the seed stories name their behaviour as decisive', () => {
  const stories = PLAN.filter((r) => r.knownBad);
  it('there are the seed stories', () => expect(stories.length).to.be.at.least(11));
  for (const run of stories) {
    it(`${run.id} on ${run.kernel.name}: ${run.knownBad!.fixedBy}`, () => {
      const x = explained(run);
      const want = canonicalBehaviour(run.knownBad!.fixedBy);
      const first = x.questions[0]!;
      expect(first, 'a question').to.not.equal(undefined);
      expect(first.decisive.map((d) => d.behaviour), first.state).to.include(want);
      // a fix the profile lacks, and the one the suite declares is named first
      expect(first.decisive.find((d) => d.behaviour === want)!.present).to.equal(false);
      expect(first.decisive[0]!.behaviour).to.equal(want);
    });
  }

  it('R-Car unbind: the paging fault in devres_release_all ← the unbind at step 3; 376991db4b64 absent is decisive', () => {
    const x = explained(find('rcar-dma-teardown.unbind-releases-managed-dma', 'v5.0'));
    const q = x.questions[0]!;
    expect(q.state).to.equal('Unable to handle kernel paging request in devres_release_all');
    expect(q.root).to.equal('order: unbind: ee300000.sata at step 3');
    expect(q.chain.map((l) => l.function)).to.deep.equal([null, 'device_release_driver', 'arch_teardown_dma_ops', 'dma_free_attrs', '__free_pages']);
    expect(q.chain.every((l) => l.step === 3 && l.device === 'ee300000.sata')).to.equal(true);
    expect(q.decisive[0]).to.deep.include({ behaviour: '376991db4b64', commit: '376991db4b64', present: false });
  });

  it('R-Car Gen3 deferral (thread 004): every master waits for its disabled IPMMU; of-iommu-skip-disabled (or its commit) absent is decisive', () => {
    const x = explained(find('of-iommu-probe-deferral.disabled-ipmmu-means-no-iommu', 'v4.12-rc1'));
    const devs = x.questions.filter((q) => !q.title && q.state === 'deferred');
    expect(devs.map((q) => q.device)).to.deep.equal([
      'e6700000.dma-controller', 'e7300000.dma-controller', 'e7310000.dma-controller', 'e6800000.ethernet', 'ee100000.mmc', 'ee140000.mmc',
      'ee160000.mmc', 'ee300000.sata', 'fe950000.fcp', 'fe96f000.fcp', 'fe9af000.fcp', 'fea27000.fcp', 'fea2f000.fcp',
    ]);
    for (const q of devs) {
      expect(q.rootKind).to.equal('disabled IOMMU');
      expect(q.chain[0]).to.deep.include({ kind: 'board', step: null });
      expect(q.chain.at(-1)).to.deep.include({ kind: 'probe-deferred', function: 'really_probe', device: q.device });
      expect(q.decisive[0]!.behaviour).to.equal(canonicalBehaviour('of-iommu-skip-disabled'));
    }
    // one root per IPMMU: the text says each once
    expect(renderText([x])).to.include('why are 2 devices deferred? e6700000.dma-controller, e6800000.ethernet');
  });

  it('an injected fault is the root of the failed probe and of the report it causes (hisi_sas, v5.1)', () => {
    const x = explained(find('hisi-sas-probe-failure.failed-probe-releases-managed-dma', 'v5.1'));
    for (const q of x.questions) expect(q.rootKind, q.state).to.equal('injected fault');
    expect(x.questions.map((q) => q.state)).to.include.members(['BUG: Bad page state in devres_release_all', 'not bound']);
  });
});

describe('explain: era views and renderings', () => {
  it('JSON carries exactly the keys of EXPLORE.md', () => {
    const j = toJson([explained(find('rcar-dma-teardown.unbind-releases-managed-dma', 'v5.0'))]);
    expect(Object.keys(j)).to.deep.equal(['questions', 'devices_deferred']);
    for (const q of j.questions) {
      expect(Object.keys(q)).to.deep.equal(['device', 'state', 'chain', 'root', 'decisive']);
      for (const l of q.chain) expect(Object.keys(l)).to.deep.equal(['event', 'step', 'function', 'device']);
      for (const d of q.decisive) expect(Object.keys(d)).to.deep.equal(['behaviour', 'commit']);
    }
    expect(JSON.parse(renderJson([explained(find('rcar-dma-teardown.unbind-releases-managed-dma', 'v5.0'))]))).to.deep.equal(j);
  });

  it('text is root first: the root line, then the chain from the root to the question', () => {
    const text = renderText([explained(find('hisi-sas-probe-failure.failed-probe-releases-managed-dma', 'v5.1'))]);
    const block = text.split('\n\n').find((b) => b.startsWith('why did "BUG: Bad page state'))!;
    const lines = block.split('\n');
    expect(lines[1]).to.match(/^ {2}root: injected fault: fail-probe armed on 0000:74:02\.0/);
    expect(lines[2]).to.match(/step 1 .*fail-probe armed on 0000:74:02\.0/);
    expect(lines.filter((l) => l.includes('→')).at(-1)).to.match(/bad_page +BUG: Bad page state/);
  });

  it('devices_deferred and "deferred probe pending" as the era prints them (bare names before v5.9, name<TAB>reason after)', () => {
    const run = find('qemu-virt-conformance.probe-defer-at-registration', 'v6.10');
    // at its end the deferred device was retried and bound
    expect(explainRun(run, { decisive: false }).devicesDeferred).to.deep.equal([]);
    // its first two steps with a fault that keeps firing (fail-probe -EPROBE_DEFER, boot): a driver
    // that said nothing gives no reason, and the line keeps a dangling tab
    const steps = run.steps.slice(0, 2).map((s) => ('step' in s && s.step.op === 'fail-probe' ? { ...s, step: { ...s.step, times: 99 } } : s));
    const x = explainRun({ ...run, steps }, { decisive: false });
    expect(x.devicesDeferred).to.deep.equal(['0000:00:05.0\t']);
    expect(renderText([x])).to.include('0000:00:05.0 <TAB> ');
    expect(x.questions.find((q) => q.device === '0000:00:05.0')).to.deep.include({ state: 'deferred', rootKind: 'injected fault' });
    // v5.0 (before d090b70ede02): bare names
    const old = explainRun({ ...run, kernel: resolveKernel('v5.0'), steps }, { decisive: false });
    expect(old.devicesDeferred).to.deep.equal(['0000:00:05.0']);
  });

  it('dot renders with Graphviz (dot -Tsvg)', function () {
    this.timeout(20000);
    const probe = spawnSync('dot', ['-V'], { encoding: 'utf8' });
    if (probe.error) {
      process.stdout.write('      (skipped: Graphviz dot is not installed; .ci/run installs it with apt-get install graphviz)\n');
      this.skip();
    }
    for (const [id, k] of [
      ['of-iommu-probe-deferral.disabled-ipmmu-means-no-iommu', 'v4.12-rc1'],
      ['rcar-dma-teardown.unbind-releases-managed-dma', 'v5.0'],
      ['rockchip-of-xlate.boot-groups-every-master', 'next-20250312'],
    ] as const) {
      const dot = renderDot([explained(find(id, k))]);
      const r = spawnSync('dot', ['-Tsvg'], { input: dot, encoding: 'utf8' });
      expect(r.status, `${id}: ${r.stderr}`).to.equal(0);
      expect(r.stderr, id).to.equal('');
      expect(r.stdout).to.include('<svg');
      expect(r.stdout).to.include('class="node"');
    }
  });
});

describe('bringup explain (CLI)', function () {
  this.timeout(30000);

  it('text by default; --format json parses; unknown scenario and device are named with a suggestion', async () => {
    const t = await bringup(['explain', 'rcar-dma-teardown', '--scenario', 'unbind-releases-managed-dma', '--kernel', 'v5.0'], {}, ROOT);
    expect(t.exitCode, t.stderr).to.equal(0);
    expect(t.stdout).to.include('why did "Unable to handle kernel paging request in devres_release_all" fire?');
    expect(t.stdout).to.include('decisive: 376991db4b64 not in v5.0; applying it changes the answer');
    const j = await bringup(['explain', 'suites/rcar-dma-teardown.yaml', '--scenario', 'unbind-releases-managed-dma', '--format', 'json'], {}, ROOT);
    expect(j.exitCode, j.stderr).to.equal(0);
    // both kernels of the suite: v5.0's questions; v5.1 has nothing to explain
    expect((JSON.parse(j.stdout) as { questions: { state: string }[] }).questions[0]!.state).to.equal('Unable to handle kernel paging request in devres_release_all');
    const s = await bringup(['explain', 'rcar-dma-teardown', '--scenario', 'unbind-releases-managed-dm'], {}, ROOT);
    expect(s.exitCode).to.equal(1);
    expect(s.stderr).to.include('did you mean "unbind-releases-managed-dma"?');
    const d = await bringup(['explain', 'rcar-dma-teardown', '--scenario', 'unbind-releases-managed-dma', '--device', 'ee300000.sat'], {}, ROOT);
    expect(d.exitCode).to.equal(1);
    expect(d.stderr).to.include('did you mean "ee300000.sata"?');
    const u = await bringup(['explain', 'rcar-dma-teardown'], {}, ROOT);
    expect(u.exitCode).to.equal(2);
    expect(u.stderr).to.include('missing --scenario');
  });

  it('--device asks every question about one device: bound, its DMA ops and its group', async () => {
    const r = await bringup(['explain', 'rcar-dma-teardown', '--scenario', 'unbind-releases-managed-dma', '--kernel', 'v5.1', '--device', 'ee300000.sata', '--format', 'json'], {}, ROOT);
    expect(r.exitCode, r.stderr).to.equal(0);
    const states = (JSON.parse(r.stdout) as { questions: { state: string }[] }).questions.map((q) => q.state);
    expect(states).to.deep.equal(['not bound']);
    const b = await bringup(['explain', 'salvator-x-h3-bringup', '--scenario', 'boot', '--device', 'ee300000.sata', '--format', 'json'], {}, ROOT);
    expect(b.exitCode, b.stderr).to.equal(0);
    const bs = (JSON.parse(b.stdout) as { questions: { state: string }[] }).questions.map((q) => q.state);
    expect(bs[0]).to.equal('bound');
    expect(bs).to.include('dma-ops: iommu');
    expect(bs.some((s) => /^group \d+$/.test(s))).to.equal(true);
  });

  it('a failed run names the explain command that explains it, and that command works; log --why appends it', async () => {
    const r = await bringup(['run', 'panic']);
    const why = /^# {3}why: bringup (explain .*)$/m.exec(r.stdout);
    expect(why, r.stdout).to.not.equal(null);
    const x = await bringup(why![1]!.split(' '));
    expect(x.exitCode, x.stderr).to.equal(0);
    expect(x.stdout).to.include('why did "Unable to handle kernel NULL pointer dereference in rk_iommu_of_xlate" fire?');
    const l = await bringup(['log', 'rcar-dma-teardown', '--scenario', 'unbind-releases-managed-dma', '--kernel', 'v5.0', '--why'], {}, ROOT);
    expect(l.exitCode, l.stderr).to.equal(0);
    const [log, explained] = l.stdout.split('\n--- why ---\n');
    expect(log).to.include('Unable to handle kernel paging request at virtual address ffffffbf029ffffc');
    expect(explained).to.include('root: order: unbind: ee300000.sata at step 3');
  });
});
