// The shipped boards and suites as `npm start` runs them: valid, one bring-up suite per board,
// every reproducer XFAIL on its buggy profile(s) and ok on the others, exit code 0.

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CLI = path.join(ROOT, 'dist/runner/cli/main.js');

/** boards with no bring-up suite of their own, and why */
const NO_BRINGUP: Record<string, string> = {
  'qemu-virt-arm64': 'the QEMU target board; suites/qemu-virt-conformance.yaml covers it',
  'qemu-virt-viommu': 'a QEMU conformance board; conformance/qemu-virt-viommu-diff.yaml covers it',
  'qemu-virt-smmuv3': 'a QEMU conformance board; conformance/qemu-virt-smmuv3-diff.yaml covers it',
  'qemu-q35-intel': 'a QEMU conformance board; conformance/qemu-q35-intel-diff.yaml covers it',
  'qemu-q35-amd': 'a QEMU conformance board; conformance/qemu-q35-amd-diff.yaml covers it',
  'salvator-x-h3-32bit-bus': 'salvator-x-h3 as the v4.20-rc1 kernel saw it; only for that era',
  'qcs6490-rb3gen2': 'the CVE-2024-56568 race board; suites/arm-smmu-probe-race.yaml covers it',
  'dt-smmuv3-async': 'the da33e87bd2bf race board; suites/iommu-registration-race.yaml covers it',
};

interface KnownBad {
  kernel: string | { base: string; apply?: string[]; revert?: string[] };
  'fixed-by': string;
}
interface ScenarioDoc {
  name: string;
  boards?: string[];
  kernels?: KnownBad['kernel'][];
  'for-each'?: unknown;
  'known-bad'?: KnownBad[];
}
interface SuiteDoc {
  suite: string;
  reference?: string[];
  boards?: string[];
  kernels?: KnownBad['kernel'][];
  scenarios: ScenarioDoc[];
}

function label(k: KnownBad['kernel']): string {
  if (typeof k === 'string') return k;
  return [k.base, ...(k.apply ?? []).map((a) => `+${a}`), ...(k.revert ?? [])].join('-').replace(/-\+/g, '+');
}

function yamlFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir))
    .filter((f) => f.endsWith('.yaml'))
    .sort();
}

function bringup(args: string[]): { code: number; stdout: string; stderr: string } {
  const env = { ...process.env };
  delete env['KSFT_TAP_LEVEL'];
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const suites = yamlFiles('suites').map((f) => parse(readFileSync(path.join(ROOT, 'suites', f), 'utf8')) as SuiteDoc);
const reproducers = suites.filter((s) => s.scenarios.some((sc) => (sc['known-bad'] ?? []).length > 0));

describe('shipped boards and suites', () => {
  it('every board and suite file carries its schema modeline and validates', () => {
    for (const f of yamlFiles('boards')) {
      expect(readFileSync(path.join(ROOT, 'boards', f), 'utf8').split('\n')[0], `boards/${f}`).to.equal('# yaml-language-server: $schema=../dsl-schema/board.schema.json');
    }
    for (const f of yamlFiles('suites')) {
      expect(readFileSync(path.join(ROOT, 'suites', f), 'utf8').split('\n')[0], `suites/${f}`).to.equal('# yaml-language-server: $schema=../dsl-schema/suite.schema.json');
    }
    const r = bringup(['validate', 'boards/', 'suites/']);
    expect(r.code, r.stderr).to.equal(0);
  });

  it('every board has a bring-up suite on the newest profile', () => {
    for (const f of yamlFiles('boards')) {
      const id = f.replace(/\.yaml$/, '');
      if (NO_BRINGUP[id]) continue;
      const s = suites.find((x) => x.suite === `${id}-bringup`);
      expect(s, `suites/${id}-bringup.yaml`).to.not.equal(undefined);
      expect(s!.boards, `${id}-bringup boards`).to.deep.equal([id]);
      expect(s!.kernels, `${id}-bringup runs on the default (newest) profile`).to.equal(undefined);
      expect(s!.scenarios.map((sc) => sc.name)).to.include('boot');
      expect(s!.scenarios.some((sc) => sc['for-each'] !== undefined && sc.name.startsWith('unbind-bind')), `${id}: unbind/bind for-each`).to.equal(true);
      expect(s!.scenarios.some((sc) => sc.name.startsWith('failed-probe-')), `${id}: failed probes`).to.equal(true);
    }
  });

  it('every reproducer links its thread on lore.kernel.org', () => {
    expect(reproducers.length).to.be.greaterThan(8);
    for (const s of reproducers) expect((s.reference ?? []).some((u) => u.startsWith('https://lore.kernel.org/')), s.suite).to.equal(true);
  });

  describe('bringup run suites/ (npm start)', () => {
    let run: { code: number; stdout: string; stderr: string };
    before(() => {
      run = bringup(['run', 'suites/']);
    });

    it('exits 0 with nothing failed or XPASS', () => {
      expect(run.code, run.stdout.split('\n').filter((l) => l.startsWith('not ok')).join('\n')).to.equal(0);
      expect(run.stdout).to.match(/^# Totals: pass:\d+ fail:0 xfail:\d+ xpass:0 skip:0 error:0$/m);
    });

    it('shows each reproducer XFAIL on its buggy profile and ok on its fixed one', () => {
      const lines = run.stdout.split('\n');
      for (const s of reproducers) {
        for (const sc of s.scenarios) {
          const bad = sc['known-bad'] ?? [];
          if (bad.length === 0) continue;
          const kernels = (sc.kernels ?? s.kernels ?? []).map(label);
          expect(kernels.length, `${s.suite}.${sc.name}: kernels`).to.be.greaterThan(bad.length - 1);
          for (const k of kernels) {
            const kb = bad.find((b) => label(b.kernel) === k);
            const mine = lines.filter((l) => l.includes(` ${s.suite}.${sc.name} [`) && l.includes(` ${k}]`));
            expect(mine.length, `${s.suite}.${sc.name} on ${k}`).to.be.greaterThan(0);
            for (const l of mine) {
              if (kb) expect(l, `${s.suite}.${sc.name} on ${k}`).to.match(new RegExp(`^ok \\d+ .* # XFAIL ${kb['fixed-by']}$`));
              else expect(l, `${s.suite}.${sc.name} on ${k}`).to.match(/^ok \d+ [^#]*$/);
            }
          }
          expect(kernels.some((k) => !bad.some((b) => label(b.kernel) === k)), `${s.suite}.${sc.name} has a fixed profile`).to.equal(true);
        }
      }
    });
  });
});
