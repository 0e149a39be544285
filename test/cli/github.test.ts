// GitHub Actions: GITHUB_ACTIONS=true adds ::error workflow commands at the YAML lines of
// invalid input and failed assertions (on stderr: stdout stays the report), and a
// Markdown table in $GITHUB_STEP_SUMMARY.

import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { annotation } from '../../runner/cli/github.js';
import { bringup, lastLine } from './helpers.js';

const NO_GH = { GITHUB_ACTIONS: '', GITHUB_STEP_SUMMARY: '' };

describe('cli: GitHub Actions annotations and job summary', function () {
  this.timeout(180_000);
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(path.join(tmpdir(), 'bringup-gha-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('escapes data and properties as @actions/core does', () => {
    expect(annotation('error', { file: 'a,b:c.yaml', line: 3, col: 7, title: 'FAIL x [b k]' }, '50%\nnext\r')).to.equal(
      '::error file=a%2Cb%3Ac.yaml,line=3,col=7,title=FAIL x [b k]::50%25%0Anext%0D',
    );
    expect(annotation('warning', {}, 'plain')).to.equal('::warning::plain');
  });

  it('failed assertions and XPASS become ::error at their YAML line; stdout is unchanged', async () => {
    const summary = path.join(tmp, 'summary.md');
    const gh = await bringup(['run', '-q', 'suites'], { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary });
    const plain = await bringup(['run', '-q', 'suites'], NO_GH);
    expect(gh.exitCode).to.equal(1);
    expect(gh.stdout).to.equal(plain.stdout);
    expect(plain.stderr).to.not.include('::error');
    const notes = gh.stderr.split('\n').filter((l) => l.startsWith('::'));
    expect(notes).to.have.length(2);
    expect(notes[0]).to.match(
      /^::error file=suites\/demo\.yaml,line=22,col=38,title=FAIL demo\.missing-line \[demo-h3 v5\.1\]::log: no line matches "this line is never printed" after line \d+ \(pattern 2 of 2\)%0A/,
    );
    expect(notes[1]).to.equal(
      '::error file=suites/demo.yaml,line=45,col=9,title=XPASS demo.fixed-but-listed [demo-h3 v5.1]::passed although declared known-bad on v5.1 (fixed by 376991db4b64): the fix is in this kernel, or the scenario no longer reproduces the bug',
    );
    expect(lastLine(gh.stderr)).to.equal('3 passed, 2 failed, 0 skipped');
    const md = readFileSync(summary, 'utf8');
    expect(md).to.include('| pass | fail | xfail | xpass | skip | error |\n| ---: | ---: | ---: | ---: | ---: | ---: |\n| 2 | 1 | 1 | 1 | 0 | 0 |\n');
    expect(md).to.include('| FAIL | `demo.missing-line [demo-h3 v5.1]` | `suites/demo.yaml:22:38` | log: no line matches "this line is never printed"');
    expect(md).to.include('| XPASS | `demo.fixed-but-listed [demo-h3 v5.1]` | `suites/demo.yaml:45:9` | passed although known-bad (fixed by 376991db4b64) |');
    // a second step appends, as GitHub's summary file expects
    await bringup(['run', '-q', '--filter', 'demo.probe', 'suites'], { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary });
    const both = readFileSync(summary, 'utf8');
    expect(both.startsWith(md)).to.equal(true);
    expect(both.slice(md.length)).to.include('All 1 runs passed');
  });

  it('invalid input becomes ::error at the file, line and column (run and validate)', async () => {
    const expected = '::error file=bad/broken.yaml,line=8,col=7,title=bringup%3A invalid input::unknown key "lgo" (did you mean "log"?)';
    const run = await bringup(['run', 'bad'], { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: '' });
    expect(run.exitCode).to.equal(1);
    expect(run.stderr.split('\n')).to.include(expected);
    expect(run.stdout).to.equal('Bail out! invalid input: 1 error in 1 file\n');
    const validate = await bringup(['validate', 'bad'], { GITHUB_ACTIONS: 'true' });
    expect(validate.stderr.split('\n')).to.include(expected);
    expect((await bringup(['validate', 'bad'], NO_GH)).stderr).to.not.include('::error');
  });
});
