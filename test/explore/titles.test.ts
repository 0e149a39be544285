// Failure titles from real and model logs (runner/exec/titles.ts), one test per fixture.
//
// Each test/explore/titles/NNN.log holds `#` comment lines (where the log comes from),
// header lines `TITLE:`, `KIND:`, `FRAME:` (`-` for none), `DEVICE:` (optional) and one
// `ALSO:` per further title of the log, a blank line, then the raw log. 0NN are the reference
// threads' reports (and, where a thread has none, the suite's known-bad lines) in the arm64,
// arm and x86_64 formats of their era; 1NN are the model's logs of the shipped known-bad
// scenarios. UPDATE_TITLES=1 rewrites the headers from what the parser finds now.
//
// Besides the title, every fixture checks syzkaller's invariants: a title carries no address,
// pfn, pid, timestamp or board name; parsing again from the report's first line gives the
// same title, and from its end does not.

import { expect } from 'chai';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { logTitles, logTitlesAfter, titlesPrefix, titlesOf, checkTitle, unexplainedDeferrals, compareTitles, isSkippedFrame, MAX_TITLE } from '../../runner/exec/titles.js';
import type { ModelBoard } from '../../runner/model/types.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const DIR = path.join(ROOT, 'test/explore/titles');
const UPDATE = process.env['UPDATE_TITLES'] === '1';

interface Fixture {
  comments: string[];
  headers: Record<string, string[]>;
  log: string[];
}

function readFixture(file: string): Fixture {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const blank = lines.indexOf('');
  const head = lines.slice(0, blank);
  const comments = head.filter((l) => l.startsWith('#'));
  const headers: Record<string, string[]> = {};
  for (const l of head) {
    const m = /^([A-Z]+): ?(.*)$/.exec(l);
    if (m) (headers[m[1]!] ??= []).push(m[2]!);
  }
  return { comments, headers, log: lines.slice(blank + 1) };
}

function writeFixture(file: string, f: Fixture): void {
  const titles = logTitles(f.log);
  const first = titles[0];
  const head = [...f.comments, `TITLE: ${first?.title ?? '-'}`, `KIND: ${first?.kind ?? '-'}`, `FRAME: ${first?.frame ?? '-'}`];
  if (first?.device) head.push(`DEVICE: ${first.device}`);
  for (const t of titles.slice(1)) head.push(`ALSO: ${t.title}`);
  writeFileSync(file, [...head, '', ...f.log].join('\n') + '\n');
}

/** every board id and "Hardware name:" string: a title must not carry any */
function boardNames(): string[] {
  const out: string[] = [];
  for (const f of readdirSync(path.join(ROOT, 'boards'))) {
    if (!f.endsWith('.yaml')) continue;
    const b = parse(readFileSync(path.join(ROOT, 'boards', f), 'utf8')) as { board: string; model: string };
    out.push(b.board, b.model);
  }
  return out;
}

describe('failure titles: fixtures (test/explore/titles)', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.log')).sort();
  const boards = boardNames();

  it('has fixtures in the arm64, arm and x86_64 formats, from the threads and from the model', () => {
    expect(files.filter((f) => f.startsWith('0')).length).to.be.greaterThanOrEqual(10);
    expect(files.filter((f) => f.startsWith('1')).length).to.be.greaterThanOrEqual(10);
  });

  for (const name of files) {
    const file = path.join(DIR, name);
    it(`${name}: ${readFixture(file).comments[0]?.replace(/^#\s*/, '').slice(0, 90) ?? ''}`, () => {
      const f = readFixture(file);
      if (UPDATE) writeFixture(file, f);
      const g = UPDATE ? readFixture(file) : f;
      const titles = logTitles(g.log);
      const first = titles[0];
      expect(first?.title ?? '-', 'TITLE').to.equal(g.headers['TITLE']?.[0]);
      expect(first?.kind ?? '-', 'KIND').to.equal(g.headers['KIND']?.[0]);
      expect(first?.frame ?? '-', 'FRAME').to.equal(g.headers['FRAME']?.[0]);
      expect(first?.device, 'DEVICE').to.equal(g.headers['DEVICE']?.[0]);
      expect(titles.slice(1).map((t) => t.title), 'ALSO').to.deep.equal(g.headers['ALSO'] ?? []);
      for (const t of titles) {
        expect(t.title.length).to.be.at.most(MAX_TITLE);
        expect(t.title, 'an address').to.not.match(/0x[0-9a-f]|\b[0-9a-f]{16}\b/i);
        expect(t.title, 'a pid, pfn or timestamp').to.not.match(/\bPID\b|\bpfn\b|\d+\.\d{6}/i);
        for (const b of boards) expect(t.title, 'a board name').to.not.include(b);
        if (t.frame) expect(isSkippedFrame(t.frame), 'a helper frame').to.equal(false);
        // syzkaller's invariants: from the report's start the same title, from its end another
        const again = logTitles(g.log.slice(t.start));
        expect(again[0]?.title).to.equal(t.title);
        const after = logTitles(g.log.slice(t.end));
        expect(after[0]?.start === 0 && after[0]?.title === t.title, 'the report ends where it says').to.equal(false);
      }
    });
  }
});

describe('failure titles: a log parsed in two parts (explore resumes from checkpoints)', () => {
  it('titlesPrefix() of any first lines, continued by logTitlesAfter(), gives logTitles() of the whole', () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.log')).sort();
    let reopened = 0;
    for (const name of files) {
      const log = readFixture(path.join(DIR, name)).log;
      const whole = logTitles(log);
      for (let k = 0; k <= log.length; k++) {
        const p = titlesPrefix(log.slice(0, k));
        if (p.at < k) reopened++;
        expect(logTitlesAfter(log, p), `${name} split at line ${k}`).to.deep.equal(whole);
      }
    }
    // a split inside a report leaves it open, to be read again with what follows
    expect(reopened).to.be.greaterThan(0);
  });
});

describe('failure titles: from state', () => {
  it('names leaks by what was allocated, of which device', () => {
    expect(checkTitle({ check: 'leaked-dma', device: 'ee300000.sata', resource: 'dma buffer 4096 bytes', message: '' })!.title).to.equal('leak: dma-alloc 4096 bytes of ee300000.sata');
    expect(checkTitle({ check: 'leaked-devres', device: 'ee300000.sata', resource: 'dmam 8192', message: '' })!.title).to.equal('leak: dmam-alloc 8192 bytes of ee300000.sata');
    expect(checkTitle({ check: 'leaked-devres', device: 'x', resource: 'irq 31', message: '' })!.title).to.equal('leak: request-irq 31 of x');
    expect(checkTitle({ check: 'no-iommu-ops', device: 'x', resource: 'y', message: '' })).to.include({ title: 'invariant: no-iommu-ops of x', kind: 'invariant' });
  });

  it('puts the log first, drops a foreign free the log already reports, and dedups', () => {
    const log = ['BUG: Bad page state in process sh  pfn:11356', 'Call trace:', ' bad_page+0xe4/0x13c', ' devres_release_all+0x34/0x54', 'Disabling lock debugging due to kernel taint'];
    const ts = titlesOf({
      log,
      checks: [
        { check: 'foreign-free', device: 'a', resource: 'dma buffer 8 bytes', message: '' },
        { check: 'leaked-dma', device: 'a', resource: 'dma buffer 8 bytes', message: '' },
        { check: 'leaked-dma', device: 'a', resource: 'dma buffer 8 bytes', message: '' },
      ],
      deferred: ['b'],
    });
    expect(ts.map((t) => t.title)).to.deep.equal(['BUG: Bad page state in devres_release_all', 'leak: dma-alloc 8 bytes of a', 'deferred probe never completed: b']);
    expect(titlesOf({ log: [], checks: [{ check: 'foreign-free', device: 'a', resource: 'r', message: '' }] })[0]!.title).to.equal('invariant: foreign-free of a');
  });

  it('sorts findings by kind (oops, bug, warning, panic, fault, leak, deferred, hang, invariant), then title', () => {
    const ts = [
      { kind: 'deferred' as const, title: 'deferred probe never completed: a' },
      { kind: 'warning' as const, title: 'WARNING in b' },
      { kind: 'oops' as const, title: 'Unable to handle kernel NULL pointer dereference in z' },
      { kind: 'warning' as const, title: 'WARNING in a' },
    ];
    expect(ts.sort(compareTitles).map((t) => t.title)).to.deep.equal([
      'Unable to handle kernel NULL pointer dereference in z', 'WARNING in a', 'WARNING in b', 'deferred probe never completed: a',
    ]);
  });

  describe('deferred: a settled deferral nothing in the scenario explains', () => {
    const board: ModelBoard = {
      id: 'b', model: 'm', arch: 'arm64', firmware: 'dt', memory: [{ base: 0, size: 0x1000000 }],
      iommus: [{ name: 'mmu', driver: 'ipmmu-vmsa', status: 'disabled', options: {} }],
      devices: [
        { name: 'dma', driver: 'dmac', bus: 'platform', iommus: [{ iommu: 'mmu', ids: [1] }], dmaBits: 32, status: 'okay', present: true },
        { name: 'phy', driver: 'phy', bus: 'platform', iommus: [], dmaBits: 32, status: 'okay', present: true },
        { name: 'ufs', driver: 'ufs', bus: 'platform', iommus: [], dmaBits: 32, status: 'okay', present: true },
      ],
      drivers: [
        { name: 'dmac', initcall: 'device', probe: [], remove: [], async: false, driverManagedDma: false },
        { name: 'phy', initcall: 'device', probe: [], remove: [], async: false, driverManagedDma: false },
        { name: 'ufs', initcall: 'device', probe: [{ kind: 'wait-for', device: 'phy' }], remove: [], async: false, driverManagedDma: false },
      ],
    };
    const settled = (names: string[]) => board.devices.map((d) => ({ name: d.name, added: true, bound: !names.includes(d.name), deferred: names.includes(d.name) }));

    it('a client of a disabled IOMMU that still defers is a finding', () => {
      expect(unexplainedDeferrals(board, [{ op: 'boot', hold: [] }], settled(['dma']))).to.deep.equal(['dma']);
    });
    it('an injected fault or unbind on a supplier explains the deferral', () => {
      expect(unexplainedDeferrals(board, [{ op: 'fail-probe', device: 'phy', errno: -12, times: 1 }, { op: 'boot', hold: [] }], settled(['ufs']))).to.deep.equal([]);
      expect(unexplainedDeferrals(board, [{ op: 'boot', hold: [] }, { op: 'unbind', device: 'phy' }], settled(['ufs']))).to.deep.equal([]);
      expect(unexplainedDeferrals(board, [{ op: 'boot', hold: ['phy'] }], settled(['ufs']))).to.deep.equal([]);
      expect(unexplainedDeferrals(board, [{ op: 'boot', hold: [] }], settled(['ufs']))).to.deep.equal(['ufs']);
    });
  });
});

describe('failure titles: `bringup run` names each failed run (executeRun → RunResult.titles)', function () {
  this.timeout(60_000);
  // every shipped known-bad run fails with the title of its story
  const STORY_TITLES: Record<string, string> = {
    'rcar-dma-teardown.unbind-releases-managed-dma': 'Unable to handle kernel paging request in devres_release_all',
    'rcar-dma-teardown.unbind-hisi-sas-v2': 'BUG: Bad page state in devres_release_all',
    'hisi-sas-probe-failure.failed-probe-releases-managed-dma': 'BUG: Bad page state in devres_release_all',
    'iommu-premature-warn.boot-without-warning': 'WARNING in __iommu_probe_device',
    'ipmmu-bus-dma-mask.no-dma-ranges-no-bus-limit': 'Unable to handle kernel NULL pointer dereference in ipmmu_domain_free',
    'ipmmu-bus-dma-mask.sata-group-add-failure-is-survivable': 'Unable to handle kernel NULL pointer dereference in ipmmu_domain_free',
    'ipmmu-late-probe-warn.sata-probed-by-ipmmu-registration': 'WARNING in __iommu_probe_device',
    'mtk-device-group.m4u-registration-groups-masters': 'Unable to handle kernel read from unreadable memory in mtk_iommu_device_group',
    'qcom-ufs-context-fault.ufs-dma-after-deferred-probe': 'arm-smmu: Unhandled context fault in ufshcd_async_scan',
    'rockchip-of-xlate.boot-groups-every-master': 'Unable to handle kernel NULL pointer dereference in rk_iommu_of_xlate',
    'of-iommu-probe-deferral.disabled-ipmmu-means-no-iommu': 'deferred probe never completed: e6700000.dma-controller',
    'of-iommu-probe-deferral.reprobe-after-deferral-sets-up-dma-ops': 'Unable to handle kernel NULL pointer dereference in rcar_dmac_probe',
  };

  it('each known-bad run of the shipped suites carries its story title; passing runs carry none', async () => {
    const dsl = await import('../../runner/dsl/index.js');
    const { executeAll } = await import('../../runner/exec/run-all.js');
    const cwd = process.cwd();
    process.chdir(ROOT);
    try {
      const { plan } = dsl.loadPlan(Object.keys(STORY_TITLES).map((id) => `suites/${id.split('.')[0]}.yaml`).filter((p, i, a) => a.indexOf(p) === i), {});
      const runs = plan.runs.filter((r) => STORY_TITLES[r.id] !== undefined);
      const results = await executeAll(runs, { target: 'model' });
      let knownBad = 0;
      for (const r of results) {
        if (r.status === 'XFAIL') {
          knownBad++;
          expect(r.titles?.[0], `${r.label}`).to.equal(STORY_TITLES[r.id]);
        } else {
          expect(r.status, r.label).to.equal('PASS');
          expect(r.titles, r.label).to.equal(undefined);
        }
      }
      expect(knownBad).to.equal(Object.keys(STORY_TITLES).length);
    } finally {
      process.chdir(cwd);
    }
  });
});
