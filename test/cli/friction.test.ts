// The friction points a new user hit, reading only the README (issue #21), each with the
// message or behaviour that now answers it. (Board ids next to a suite and the profile
// list for an unknown profile are #22's and #17's, tested there.)

import { expect } from 'chai';
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bringup, FIXTURES, resultLines, ROOT } from './helpers.js';

describe('cli: friction points of a first-time user', function () {
  this.timeout(180_000);
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(path.join(tmpdir(), 'bringup-friction-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  /** a scratch tree with its own suites/ and the given boards/ */
  function tree(name: string, boards: string, suites: Record<string, string>): string {
    const dir = path.join(tmp, name);
    mkdirSync(path.join(dir, 'suites'), { recursive: true });
    symlinkSync(boards, path.join(dir, 'boards'));
    for (const [f, text] of Object.entries(suites)) writeFileSync(path.join(dir, 'suites', f), text);
    return dir;
  }

  it('run --list is an option (not parseArgs text with an unbalanced quote)', async () => {
    const r = await bringup(['run', '--list']);
    expect(r.exitCode).to.equal(0);
    expect(r.stdout.split('\n')[0]).to.equal('demo.probe [demo-h3 v5.1]');
    const other = await bringup(['validate', '--list']);
    expect(other.stderr).to.equal('bringup validate: unknown option --list\n(see bringup help validate)\n');
  });

  it('a mistyped suite id: no made-up position, the nearest suites/<id>.yaml suggested', async () => {
    const r = await bringup(['run', 'dmeo']);
    expect(r.exitCode).to.equal(1);
    expect(r.stdout).to.equal('Bail out! no such file, directory or suite id "dmeo" (did you mean suites/demo.yaml?)\n');
    expect(r.stderr).to.not.match(/:1:1:/);
    for (const cmd of ['plan', 'log', 'validate']) {
      const c = await bringup([cmd, 'dmeo']);
      expect(c.exitCode, cmd).to.equal(1);
      expect(c.stderr).to.equal(`bringup ${cmd}: no such file, directory or suite id "dmeo" (did you mean suites/demo.yaml?)\n`);
    }
    const shipped = await bringup(['run', 'hisi-sas-probe-failur'], {}, ROOT);
    expect(shipped.stdout).to.equal('Bail out! no such file, directory or suite id "hisi-sas-probe-failur" (did you mean suites/hisi-sas-probe-failure.yaml?)\n');
    const far = await bringup(['run', 'suites/zzzzzz.yaml']);
    expect(far.stdout).to.equal('Bail out! no such file or directory "suites/zzzzzz.yaml"\n');
  });

  it('a YAML error for an unclosed [ points at the [', async () => {
    const text = readFileSync(path.join(FIXTURES, 'suites/demo.yaml'), 'utf8').replace('kernels: [v5.1]\n', 'kernels: [v5.1\n');
    const dir = tree('yaml', path.join(FIXTURES, 'boards'), { 'demo.yaml': text });
    const r = await bringup(['validate', 'suites/demo.yaml'], {}, dir);
    expect(r.exitCode).to.equal(1);
    const line = text.split('\n').findIndex((l) => l.startsWith('kernels: [')) + 1;
    expect(r.stderr.split('\n').slice(0, 3)).to.deep.equal([
      `suites/demo.yaml:${line}:10: error: unclosed "[": a flow sequence must end with "]" (the parser was still looking for it at line ${line + 1})`,
      'kernels: [v5.1',
      '         ^',
    ]);
    const quote = tree('quote', path.join(FIXTURES, 'boards'), { 'q.yaml': 'suite: q\nboards: [demo-h3, "x]\n' });
    const q = await bringup(['validate', 'suites/q.yaml'], {}, quote);
    expect(q.stderr).to.match(/^suites\/q\.yaml:2:19: error: unclosed " quote: the string never ends/);
  });

  it('known-bad log lines are matched in order: the schema, the docs and the failure say so', async () => {
    const schema = JSON.parse(readFileSync(path.join(ROOT, 'dsl-schema/suite.schema.json'), 'utf8'));
    expect(schema.definitions.knownBad.properties.log.description).to.match(/in order/);
    expect(readFileSync(path.join(ROOT, 'README.md'), 'utf8')).to.match(/`known-bad` lines are matched in order/);
    expect(readFileSync(path.join(ROOT, 'docs/DSL.md'), 'utf8')).to.match(/`known-bad` `log:` lines are matched \*\*in order\*\*/);
    const text = readFileSync(path.join(FIXTURES, 'suites/demo.yaml'), 'utf8').replace(
      '        log: ["Unable to handle kernel paging request"]\n\n',
      '        log: ["Unable to handle kernel paging request", "Machine model:"]\n\n',
    );
    const dir = tree('order', path.join(FIXTURES, 'boards'), { 'demo.yaml': text });
    const r = await bringup(['run', '--filter', 'demo.unbind', 'suites'], {}, dir);
    expect(resultLines(r.stdout)[0]).to.equal('not ok 1 demo.unbind [demo-h3 v5.0]');
    expect(r.stdout).to.match(/# {3}"Machine model:" appears at line 2 \[ *[0-9.]+\], before the previous signature line: known-bad log lines are matched in order\n/);
  });

  it('era device prefixes: explained, with a pattern that matches either era', async () => {
    const suite = `suite: era
boards: [salvator-x-h3]
kernels: [v6.14, v6.15]
scenarios:
  - name: copied-from-v6.14
    steps: [{ boot: { hold: [ipmmu-vmsa] } }, { register-iommu-late: e67b0000.mmu }]
    expect: { log: ["sata_rcar ee300000.sata: Adding to iommu group 0"] }
  - name: from-the-device-name
    steps: [{ boot: { hold: [ipmmu-vmsa] } }, { register-iommu-late: e67b0000.mmu }]
    expect: { log: ["ee300000.sata: Adding to iommu group 0"] }
`;
    const dir = tree('era', path.join(ROOT, 'boards'), { 'era.yaml': suite });
    const r = await bringup(['run', 'suites'], {}, dir);
    expect(resultLines(r.stdout)).to.deep.equal([
      'ok 1 era.copied-from-v6.14 [salvator-x-h3 v6.14]',
      'not ok 2 era.copied-from-v6.14 [salvator-x-h3 v6.15]',
      'ok 3 era.from-the-device-name [salvator-x-h3 v6.14]',
      'ok 4 era.from-the-device-name [salvator-x-h3 v6.15]',
    ]);
    expect(r.stdout).to.include(
      '#   the line starts "platform ee300000.sata:" where the pattern says "sata_rcar ee300000.sata:" — the kernel prints the bus name before a driver is bound and the driver\'s name after, and which one a line gets depends on the kernel era; start the pattern at the device name ("ee300000.sata: Adding to iommu group 0") to match either\n',
    );
    const schema = JSON.parse(readFileSync(path.join(ROOT, 'dsl-schema/suite.schema.json'), 'utf8'));
    expect(schema.definitions.pattern.description).to.match(/start a literal at the device name/);
    expect(readFileSync(path.join(ROOT, 'docs/DSL.md'), 'utf8')).to.include('**Device prefixes change between kernel eras.**');
  });

  it('npm start > x.tap is clean TAP (no npm banner on stdout)', async function () {
    const env: Record<string, string> = {};
    // as a user's shell has it, not as `npm test` left it for its children
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^npm_/i.test(k) && k !== 'INIT_CWD') env[k] = v;
    const r = await execa('npm', ['start', '--', '-q', '--filter', 'hisi-sas-probe-failure.*'], { cwd: ROOT, env, extendEnv: false, reject: false });
    if (r.exitCode === undefined || (r.failed && /ENOENT/.test(String(r.message)))) {
      console.log('      (skipped: npm is not on PATH)');
      this.skip();
    }
    expect(r.exitCode, r.stderr).to.equal(0);
    expect(r.stdout.split('\n').slice(0, 2)).to.deep.equal(['TAP version 13', '1..2']);
    expect(r.stdout).to.not.match(/^> /m);
  });

  it('every document the schemas and the README point to is in the repository', () => {
    const pointers = new Set<string>();
    for (const f of readdirSync(path.join(ROOT, 'dsl-schema'))) {
      for (const m of readFileSync(path.join(ROOT, 'dsl-schema', f), 'utf8').matchAll(/[\w./-]+\.md\b/g)) pointers.add(m[0]);
    }
    expect([...pointers].sort()).to.deep.equal(['docs/DSL.md', 'docs/MODEL.md']);
    for (const m of readFileSync(path.join(ROOT, 'README.md'), 'utf8').matchAll(/\]\(((?:docs|examples)\/[^)#]+)\)/g)) pointers.add(m[1]!);
    for (const p of pointers) expect(() => readFileSync(path.join(ROOT, p)), p).to.not.throw();
  });
});
