// User-defined kernel profiles (kernels/<name>.yaml, or <name>.yaml next to the suite):
// schema-checked, positioned errors, usable wherever a profile name is.

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { CLI, EVB, SUITE_HEADER, brief, load, tree } from './helpers.js';
import { compileSuites } from '../../runner/dsl/index.js';

const KERNEL_HEADER = '# yaml-language-server: $schema=../dsl-schema/kernel.schema.json\n';
const VENDOR = `${KERNEL_HEADER}kernel: vendor-5.0
description: a BSP on v5.0 that carries the unbind fix
base: v5.0
apply: [376991db4b64]
`;
const SUITE = `${SUITE_HEADER}suite: s
boards: [evb]
kernels: [v5.0, vendor-5.0, { base: vendor-5.0, revert: [376991db4b64] }]
scenarios:
  - name: one
    steps: [boot]
`;

describe('dsl/user kernel profiles', () => {
  it('a profile in kernels/ beside suites/ runs wherever a profile name is, with its own label', () => {
    const dir = tree({ 'boards/evb.yaml': EVB, 'kernels/vendor-5.0.yaml': VENDOR, 'suites/s.yaml': SUITE });
    const r = load(dir, ['suites/s.yaml']);
    expect(brief(r.diagnostics)).to.deep.equal([]);
    const runs = compileSuites(r.suites);
    expect(runs.map((x) => x.kernel.name)).to.deep.equal(['v5.0', 'vendor-5.0', 'vendor-5.0-376991db4b64']);
    const vendor = runs[1]!.kernel;
    expect(vendor.base).to.equal('v5.0');
    expect(vendor.behaviours).to.include('376991db4b64');
    expect(runs[2]!.kernel.behaviours).to.not.include('376991db4b64');
  });

  it('a profile file next to the suite is found by name', () => {
    const dir = tree({ 'boards/evb.yaml': EVB, 'suites/vendor-5.0.yaml': VENDOR.replace('../dsl-schema', '../dsl-schema'), 'suites/s.yaml': SUITE });
    const r = load(dir, ['suites/s.yaml']);
    expect(brief(r.diagnostics)).to.deep.equal([]);
    expect(compileSuites(r.suites).map((x) => x.kernel.name)).to.include('vendor-5.0');
    // and loading the whole directory takes it as a profile, not a broken suite
    expect(brief(load(dir, ['suites']).diagnostics)).to.deep.equal([]);
  });

  it('mistakes in a profile file are positioned, and the suites naming it say where it is', () => {
    const bad = VENDOR.replace('base: v5.0', 'base: v5.00').replace('[376991db4b64]', '[376991db4b6]').replace('description:', 'descripton:');
    const dir = tree({ 'boards/evb.yaml': EVB, 'kernels/vendor-5.0.yaml': bad, 'suites/s.yaml': SUITE });
    const errs = brief(load(dir, ['suites/s.yaml']).diagnostics);
    expect(errs[0]).to.equal('kernels/vendor-5.0.yaml:3:1: unknown key "descripton" (did you mean "description"?)');
    expect(errs[1]).to.match(/^kernels\/vendor-5\.0\.yaml:4:7: unknown kernel profile "v5\.00" \(did you mean "v5\.0"\?\) \(known: v4\.11, /);
    expect(errs[2]).to.equal('kernels/vendor-5.0.yaml:5:9: unknown behaviour "376991db4b6" (did you mean "376991db4b64"?)');
    expect(errs.slice(3).map((e) => e.replace(/ in .*kernels\//, ' in kernels/'))).to.deep.equal([
      'suites/s.yaml:4:17: kernel profile "vendor-5.0" is defined in kernels/vendor-5.0.yaml, which has errors',
      'suites/s.yaml:4:37: kernel profile "vendor-5.0" is defined in kernels/vendor-5.0.yaml, which has errors',
    ]);
  });

  it('a profile file whose name differs from its file, or shadows a built-in profile, is an error', () => {
    const dir = tree({ 'kernels/v6.1.yaml': `${KERNEL_HEADER}kernel: v6.1\nbase: v6.1\n`, 'kernels/other.yaml': `${KERNEL_HEADER}kernel: another\nbase: v6.1\n` });
    expect(brief(load(dir, ['kernels']).diagnostics)).to.deep.equal([
      'kernels/other.yaml:2:9: kernel name "another" does not match the file name (expected "other")',
      'kernels/v6.1.yaml:2:9: kernel name "v6.1" is a built-in profile; a user profile needs a name of its own',
    ]);
  });

  it('bringup run --kernel NAME takes a user profile; bringup kernels lists it', () => {
    const dir = tree({ 'boards/evb.yaml': EVB, 'kernels/vendor-5.0.yaml': VENDOR, 'suites/s.yaml': SUITE });
    const run = spawnSync(process.execPath, [CLI, 'run', '--kernel', 'vendor-5.0', 'suites'], { cwd: dir, encoding: 'utf8' });
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout).to.include('ok 1 s.one [evb vendor-5.0]');
    const k = spawnSync(process.execPath, [CLI, 'kernels'], { cwd: dir, encoding: 'utf8' });
    expect(k.status, k.stderr).to.equal(0);
    expect(k.stdout).to.match(/^ {2}vendor-5\.0 +a BSP on v5\.0 that carries the unbind fix$/m);
  });
});
