// Each seed bug, found from its shipped board file alone (no suite), with the default bounds:
// its title on the buggy profile, not on the profile that fixes it; and the reproducer written
// for it validates and, run with `bringup run`'s executor, fails with that title on the buggy
// profile and not on the fixed one.
//
// R-Car and D05 are the unbind half of story 000 (376991db4b64, v5.1): explored with faults
// off, because the same title through a failed probe is the D06 half, which only
// 0b777eee88d7 (v5.2) fixes — v5.1's really_probe() still tears the DMA ops down at
// probe_failed before devres_release_all() (see the D06 row).

import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ExploreOptions } from '../../runner/explore/options.js';
import { boardCopies, reproducers } from '../../runner/explore/finding-suite.js';
import { loadPlan } from '../../runner/dsl/index.js';
import { executeAll } from '../../runner/exec/run-all.js';
import { ROOT, run, titles } from './helpers.js';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';

interface Story {
  story: string;
  board: string;
  buggy: string;
  fixed: string;
  title: string;
  options?: Partial<ExploreOptions>;
}

const STORIES: Story[] = [
  { story: 'R-Car H3 unbind (000)', board: 'salvator-x-h3', buggy: 'v5.0', fixed: 'v5.1', title: 'Unable to handle kernel paging request in devres_release_all', options: { faults: [] } },
  { story: 'D05 unbind (000)', board: 'taishan-2280-d05', buggy: 'v5.0', fixed: 'v5.1', title: 'BUG: Bad page state in devres_release_all', options: { faults: [] } },
  { story: 'D06 failed probe (000)', board: 'huawei-d06', buggy: 'v5.1', fixed: 'v5.2', title: 'BUG: Bad page state in devres_release_all' },
  { story: 'M3-N late IOMMU probe (002)', board: 'salvator-xs-m3n', buggy: 'v6.15-rc1', fixed: 'v6.15', title: 'WARNING in __iommu_probe_device' },
  { story: 'ODROID-M1 rk_iommu_of_xlate (002)', board: 'odroid-m1', buggy: 'next-20250312', fixed: 'v6.15-rc1', title: 'Unable to handle kernel NULL pointer dereference in rk_iommu_of_xlate' },
  { story: 'MT8183 mtk_iommu_device_group (002)', board: 'mt8183-juniper', buggy: 'v6.15-rc1', fixed: 'v6.15', title: 'Unable to handle kernel read from unreadable memory in mtk_iommu_device_group' },
  { story: 'X470 premature WARN (002)', board: 'prime-x470-pro', buggy: 'next-20250312', fixed: 'v6.15-rc1', title: 'WARNING in __iommu_probe_device' },
  { story: 'SC8180X context fault (003)', board: 'sc8180x-primus', buggy: 'next-20240430', fixed: 'v6.10', title: 'arm-smmu: Unhandled context fault in ufshcd_async_scan' },
  { story: 'IPMMU 32-bit bus (001)', board: 'salvator-x-h3-32bit-bus', buggy: 'v4.20-rc1', fixed: 'v4.20', title: 'Unable to handle kernel NULL pointer dereference in ipmmu_domain_free' },
  { story: 'arm32 deferral that never completes (004)', board: 'lager-r8a7790', buggy: 'v4.12-rc1', fixed: 'v4.12', title: 'deferred probe never completed: ec700000.dma-controller' },
];

describe('explore: the seed bugs from their board files alone', function () {
  this.timeout(180_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'bringup-explore-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const s of STORIES) {
    it(`${s.story}: "${s.title}" on ${s.board} ${s.buggy}, not on ${s.fixed}; its reproducer fails with it on ${s.buggy} only`, async () => {
      const buggy = await run(s.board, s.buggy, s.options ?? {});
      expect(buggy.stats.complete, 'the default bounds complete').to.equal(true);
      expect(titles(buggy)).to.include(s.title);
      const fixed = await run(s.board, s.fixed, s.options ?? {});
      expect(fixed.stats.complete).to.equal(true);
      expect(titles(fixed)).to.not.include(s.title);

      // the reproducer, in a directory of its own with a copy of the board
      const f = buggy.findings.find((x) => x.title === s.title)!;
      const boardFiles = new Map([[s.board, path.join(ROOT, 'boards', `${s.board}.yaml`)]]);
      const [file] = reproducers([f], dir, boardFiles, new Map([[s.buggy, s.buggy]]));
      writeFileSync(file!.file, file!.text);
      for (const c of boardCopies([f], dir, boardFiles, (x) => (existsSync(x) ? readFileSync(x, 'utf8') : undefined))) {
        mkdirSync(path.dirname(c.to), { recursive: true });
        copyFileSync(c.from, c.to);
      }
      for (const [kernel, expectTitle] of [[s.buggy, true], [s.fixed, false]] as const) {
        const { plan, diagnostics } = loadPlan([file!.file], { kernels: [kernel] });
        expect(diagnostics.filter((d) => d.severity === 'error'), file!.text).to.deep.equal([]);
        expect(plan.runs.length).to.equal(1);
        const [res] = await executeAll(plan.runs, { target: 'model' });
        if (expectTitle) {
          expect(res!.status, file!.text).to.equal('FAIL');
          expect(res!.titles ?? [], file!.text).to.include(s.title);
        } else {
          expect(res!.titles ?? [], file!.text).to.not.include(s.title);
        }
      }
    });
  }
});
