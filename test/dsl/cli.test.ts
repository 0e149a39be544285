import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { CLI, FIXTURES, ROOT } from './helpers.js';
import { PROFILES } from '../../runner/model/profiles/profiles.js';

const PROFILE_LIST = PROFILES.map((p) => p.name).join(', ');

function bringup(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const TEN = `suites/ten-mistakes.yaml:3:1: error: unknown key "descripton" (did you mean "description"?)
descripton: one of each
^~~~~~~~~~
suites/ten-mistakes.yaml:5:23: error: unknown kernel profile "v6.99" (did you mean "v7.0"?) (known: ${PROFILE_LIST})
kernels: [v5.0, v5.1, v6.99]
                      ^~~~~
suites/ten-mistakes.yaml:10:9: error: unknown step "unbnd" (did you mean "unbind"?)
      - unbnd: ee300000.sata
        ^~~~~
suites/ten-mistakes.yaml:11:17: error: unknown device "ee300000.sat" on board evb (did you mean "ee300000.sata"?)
      - unbind: ee300000.sat
                ^~~~~~~~~~~~
suites/ten-mistakes.yaml:12:53: error: unknown errno "-ENOMEN" (did you mean "-ENOMEM"?)
      - fail-probe: { device: ee300000.sata, error: -ENOMEN }
                                                    ^~~~~~~
suites/ten-mistakes.yaml:14:22: error: invalid regex /probe of (?<dev>[a-z/: Unterminated character class
      log: [{ regex: "probe of (?P<dev>[a-z" }]
                     ^~~~~~~~~~~~~~~~~~~~~~~
suites/ten-mistakes.yaml:16:43: error: "bound" must be a boolean (true or false), not the string "no"
        - { device: ee300000.sata, bound: no }
                                          ^~
suites/ten-mistakes.yaml:19:19: error: unknown behaviour "376991db4b6" (did you mean "376991db4b64"?)
        fixed-by: 376991db4b6
                  ^~~~~~~~~~~
suites/ten-mistakes.yaml:20:9: error: duplicate key "kernel" (first defined at line 18)
        kernel: v5.1
        ^~~~~~
suites/ten-mistakes.yaml:22:25: error: for-each pattern "*usb*" matches no device on evb
    for-each: { device: "*usb*" }
                        ^~~~~~~
10 errors in 1 file (2 files checked)
`;

describe('dsl/cli', function () {
  // each case starts node; CI machines shared with other jobs can be slow
  this.timeout(60000);

  it('validate: ten different mistakes → ten positioned errors in order, exit 1', () => {
    const r = bringup(['validate', 'suites/ten-mistakes.yaml'], path.join(FIXTURES, 'ten'));
    expect(r.code).to.equal(1);
    expect(r.stdout).to.equal('');
    expect(r.stderr).to.equal(TEN);
  });

  it('validate --diagnostics json: the same errors as objects', () => {
    const r = bringup(['validate', '--diagnostics', 'json', 'suites/ten-mistakes.yaml'], path.join(FIXTURES, 'ten'));
    expect(r.code).to.equal(1);
    expect(r.stderr).to.equal('');
    const diags = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(diags).to.have.length(10);
    expect(diags[0]).to.deep.equal({
      file: 'suites/ten-mistakes.yaml',
      line: 3,
      column: 1,
      severity: 'error',
      message: 'unknown key "descripton" (did you mean "description"?)',
      instancePath: '/descripton',
      schemaPath: '#/additionalProperties',
    });
    expect(diags.map((d) => `${d['line']}:${d['column']}`)).to.deep.equal([
      '3:1', '5:23', '10:9', '11:17', '12:53', '14:22', '16:43', '19:19', '20:9', '22:25',
    ]);
    expect(diags[3]).to.deep.include({ instancePath: '/scenarios/0/steps/2/unbind', schemaPath: '' });
  });

  it('validate passes on the shipped boards and suites (the default paths)', () => {
    const r = bringup(['validate']);
    expect(r.stderr).to.match(/^\d+ files OK\n$/);
    expect(r.code).to.equal(0);
  });

  it('validate: a missing path is an error, without a made-up file:line:column', () => {
    const r = bringup(['validate', 'no/such.yaml']);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.equal('bringup validate: no such file or directory "no/such.yaml"\n');
  });

  it('plan prints the compiled runs as JSON', () => {
    const out = execFileSync(process.execPath, [CLI, 'plan', 'suites/matrix.yaml', '--board', 'evb-b', '--kernel', 'v5.1'], {
      cwd: path.join(FIXTURES, 'matrix'),
      encoding: 'utf8',
    });
    const plan = JSON.parse(out) as { runs: { id: string; board: { id: string }; kernel: { name: string } }[] };
    expect(plan.runs.map((r) => `${r.id} ${r.board.id} ${r.kernel.name}`)).to.deep.equal([
      'matrix.plain evb-b v5.1',
      'matrix.per-mmc@ee160000.mmc evb-b v5.1',
      'matrix.per-mmc@ee100000.mmc evb-b v5.1',
    ]);
  });

  it('plan finds a suite by id in suites/, and fails with errors on invalid input', () => {
    const ok = bringup(['plan', 'matrix'], path.join(FIXTURES, 'matrix'));
    expect(ok.code).to.equal(0);
    expect((JSON.parse(ok.stdout) as { runs: unknown[] }).runs).to.have.length(10);
    const bad = bringup(['plan', 'suites/ten-mistakes.yaml'], path.join(FIXTURES, 'ten'));
    expect(bad.code).to.equal(1);
    expect(bad.stdout).to.equal('');
    expect(bad.stderr).to.equal(TEN.replace('10 errors in 1 file (2 files checked)\n', '10 errors in 1 file\n'));
  });

  it('plan rejects an unknown kernel with a suggestion', () => {
    const r = bringup(['plan', 'matrix', '--kernel', 'v5.01'], path.join(FIXTURES, 'matrix'));
    expect(r.code).to.equal(2);
    expect(r.stderr).to.equal(`bringup plan: unknown kernel "v5.01" (did you mean "v5.1"?) (known: ${PROFILE_LIST})\n`);
  });

  it('--help for both commands', () => {
    for (const cmd of ['validate', 'plan']) {
      const r = bringup([cmd, '--help']);
      expect(r.code).to.equal(0);
      expect(r.stdout).to.match(new RegExp(`^usage: bringup ${cmd} `));
      expect(r.stdout).to.include('--diagnostics');
    }
  });
});
