// The generated differential suites (conformance/generate.ts): at least 100 scenarios per QEMU
// board covering every mechanism the issue names, the committed suites are what the generator
// writes, and each passes on the model's newest profile (the expectations describe today's
// kernel; older eras are measured against them).

import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBoards, loadSuites, compileSuites } from '../../runner/dsl/index.js';
import { executeAll } from '../../runner/exec/run-all.js';
import { generate, FAIL_ERRNOS } from '../../conformance/generate.js';
import { BOARDS } from '../../conformance/matrix.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

describe('conformance: generated differential suites', () => {
  for (const id of BOARDS) {
    describe(id, () => {
      const loaded = loadBoards([path.join(ROOT, 'boards', `${id}.yaml`)]);
      const board = loaded.boards[0]!.board;
      const g = generate(board, `${id}-diff`);
      const names = g.scenarios.map((s) => String(s['name']));

      it('has at least 100 scenarios, uniquely named, covering every mechanism', () => {
        expect(names.length).to.be.at.least(100);
        expect(new Set(names).size).to.equal(names.length);
        expect(names).to.include('boot');
        const clients = board.devices.filter((d) => d.driver);
        for (const kind of ['unbind-bind', 'unbind-twice', 'bind-bound', 'hotplug']) expect(names.filter((n) => n.startsWith(`${kind}-`)), kind).to.have.length(clients.length);
        for (const e of FAIL_ERRNOS) {
          const slug = e.replace(/^-E/, '').toLowerCase().replace(/_/g, '-');
          expect(names.filter((n) => n.startsWith(`fail-bind-${slug}-at`)), e).to.have.length(4);
          expect(names.filter((n) => n.startsWith(`fail-load-${slug}-at`)), e).to.have.length(4);
        }
        for (const n of ['module-reload-probetest', 'module-held-probetest', 'defer-supplier-unbound', 'defer-timeout']) expect(names).to.include(n);
        expect(names.includes('late-iommu'), 'late IOMMU registration only where the IOMMU driver is a module').to.equal(board.iommus[0]!.driver === 'virtio-iommu');
      });

      it('is committed as generated', () => {
        expect(readFileSync(path.join(ROOT, 'conformance', `${id}-diff.yaml`), 'utf8')).to.equal(g.yaml);
      });

      it('passes on the model with the newest profile', async () => {
        const s = loadSuites([path.join(ROOT, 'conformance', `${id}-diff.yaml`)]);
        expect(s.diagnostics.filter((d) => d.severity === 'error')).to.deep.equal([]);
        const runs = compileSuites(s.suites);
        const rs = await executeAll(runs, { target: 'model' });
        expect(rs.filter((r) => r.status !== 'PASS').map((r) => r.id)).to.deep.equal([]);
      });
    });
  }
});
