// `bringup run` selection a CI user expects: --list (kselftest's run_kselftest.sh -l),
// --rerun-failed FILE, --bail, and --shard auto from the CI engine's environment.

import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bringup, lastLine, resultLines } from './helpers.js';

const ALL = [
  'demo.probe [demo-h3 v5.1]',
  'demo.missing-line [demo-h3 v5.1]',
  'demo.unbind [demo-h3 v5.0]',
  'demo.unbind [demo-h3 v5.1]',
  'demo.fixed-but-listed [demo-h3 v5.1]',
];

describe('cli: bringup run --list, --rerun-failed, --bail, --shard auto', function () {
  this.timeout(180_000);
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(path.join(tmpdir(), 'bringup-select-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('--list prints the TAP descriptions of the runs, one a line, and runs nothing', async () => {
    const r = await bringup(['run', '--list', 'suites']);
    expect(r.exitCode).to.equal(0);
    expect(r.stdout).to.equal(ALL.join('\n') + '\n');
    expect(r.stderr).to.equal('');
    // the same descriptions a real run prints, in the same order
    const run = await bringup(['run', 'suites']);
    expect(resultLines(run.stdout).map((l) => l.replace(/^(not )?ok \d+ /, '').replace(/ # .*$/, ''))).to.deep.equal(ALL);
    const filtered = await bringup(['run', '--list', '--filter', 'demo.unbind', 'demo']);
    expect(filtered.stdout).to.equal('demo.unbind [demo-h3 v5.0]\ndemo.unbind [demo-h3 v5.1]\n');
  });

  it('--list --format json: what each run is and where it is declared', async () => {
    const r = await bringup(['run', '--list', '--format', 'json', '--filter', 'demo.probe', 'suites']);
    expect(r.exitCode).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal([
      { name: 'demo.probe [demo-h3 v5.1]', id: 'demo.probe', suite: 'demo', scenario: 'probe', board: 'demo-h3', kernel: 'v5.1', file: 'suites/demo.yaml', line: 7 },
    ]);
    const bad = await bringup(['run', '--list', '--format', 'junit', 'suites']);
    expect(bad.exitCode).to.equal(1);
    expect(bad.stdout).to.equal('Bail out! --list prints one run a line, or a JSON array with --format json; not --format junit\n');
  });

  it('--list per shard: the shards are disjoint and together the whole list', async () => {
    const seen: string[] = [];
    for (let k = 1; k <= 3; k++) {
      const r = await bringup(['run', '--list', '--shard', `${k}/3`, 'suites']);
      seen.push(...r.stdout.split('\n').filter(Boolean));
    }
    expect([...seen].sort()).to.deep.equal([...ALL].sort());
  });

  it('--rerun-failed FILE runs the FAIL, XPASS and ERROR runs of a previous JSON report', async () => {
    const json = path.join(tmp, 'first.json');
    const first = await bringup(['run', '--format', 'json', '--output', json, 'suites']);
    expect(first.exitCode).to.equal(1);
    const again = await bringup(['run', '--rerun-failed', json, 'suites']);
    expect(again.exitCode).to.equal(1);
    expect(resultLines(again.stdout)).to.deep.equal(['not ok 1 demo.missing-line [demo-h3 v5.1]', 'not ok 2 demo.fixed-but-listed [demo-h3 v5.1] # XPASS 376991db4b64']);
    expect(again.stderr).to.include(`bringup run: --rerun-failed ${json}: 2 failed or errored runs, 2 selected\n`);
    // combined with --list: what a retry job would run
    const list = await bringup(['run', '--list', '--rerun-failed', json, 'suites']);
    expect(list.stdout).to.equal('demo.missing-line [demo-h3 v5.1]\ndemo.fixed-but-listed [demo-h3 v5.1]\n');
    // a failure no longer in the plan is named
    const narrowed = await bringup(['run', '--rerun-failed', json, '--filter', 'demo.missing-line', 'suites']);
    expect(narrowed.stderr).to.include('2 failed or errored runs, 1 selected; not in this plan (renamed, or left out by PATH/--board/--kernel/--filter): demo.fixed-but-listed [demo-h3 v5.1]');
  });

  it('--rerun-failed of a green report runs nothing and succeeds', async () => {
    const json = path.join(tmp, 'green.json');
    await bringup(['run', '--format', 'json', '--output', json, '--filter', 'demo.probe', 'suites']);
    const r = await bringup(['run', '--rerun-failed', json, 'suites']);
    expect(r.exitCode).to.equal(0);
    expect(resultLines(r.stdout)).to.deep.equal([]);
    expect(r.stderr).to.include('0 failed or errored runs, 0 selected');
  });

  it('--rerun-failed of a missing or broken file is invalid input, with a position', async () => {
    const missing = await bringup(['run', '--rerun-failed', path.join(tmp, 'nope.json'), 'suites']);
    expect(missing.exitCode).to.equal(1);
    expect(missing.stdout).to.equal(`Bail out! --rerun-failed ${path.join(tmp, 'nope.json')}: no such file\n`);
    const broken = path.join(tmp, 'broken.json');
    writeFileSync(broken, '{\n  "sub_groups": [\n    oops\n  ]\n}\n');
    const b = await bringup(['run', '--rerun-failed', broken, 'suites']);
    expect(b.exitCode).to.equal(1);
    expect(b.stdout).to.match(new RegExp(`^Bail out! ${broken.replace(/[.]/g, '\\.')}:3:5: error: not JSON`));
    const other = path.join(tmp, 'other.json');
    writeFileSync(other, '[1, 2]\n');
    expect((await bringup(['run', '--rerun-failed', other, 'suites'])).stdout).to.equal(
      `Bail out! ${other}: error: not a bringup JSON result (--rerun-failed wants the output of bringup run --format json or bringup merge)\n`,
    );
  });

  it('--bail stops after the first failed run, the same for any --jobs', async () => {
    const one = await bringup(['run', '--bail', 'suites']);
    expect(one.exitCode).to.equal(1);
    expect(resultLines(one.stdout)).to.deep.equal(['ok 1 demo.probe [demo-h3 v5.1]', 'not ok 2 demo.missing-line [demo-h3 v5.1]']);
    expect(one.stdout).to.include('1..2\n');
    expect(one.stderr).to.include('bringup run: --bail: stopped after the first failure, demo.missing-line [demo-h3 v5.1]; 3 of 5 runs not run\n');
    expect(lastLine(one.stderr)).to.equal('1 passed, 1 failed, 0 skipped');
    const three = await bringup(['run', '--bail', '--jobs', '3', 'suites']);
    expect(three.stdout).to.equal(one.stdout);
    expect(lastLine(three.stderr)).to.equal('1 passed, 1 failed, 0 skipped');
    // nothing fails: --bail changes nothing
    const green = await bringup(['run', '--bail', '--filter', 'demo.unbind', 'suites']);
    expect(green.exitCode).to.equal(0);
    expect(resultLines(green.stdout)).to.have.length(2);
  });

  it('--shard auto reads GitLab (1-based) and Kubernetes (0-based) indices; errors are clear', async () => {
    for (let k = 1; k <= 2; k++) {
      const explicit = await bringup(['run', '--shard', `${k}/2`, 'suites']);
      const gitlab = await bringup(['run', '--shard', 'auto', 'suites'], { CI_NODE_INDEX: String(k), CI_NODE_TOTAL: '2' });
      const k8s = await bringup(['run', '--shard', 'auto', '--shard-total', '2', 'suites'], { JOB_COMPLETION_INDEX: String(k - 1) });
      expect(gitlab.stdout).to.equal(explicit.stdout);
      expect(k8s.stdout).to.equal(explicit.stdout);
    }
    const none = await bringup(['run', '--shard', 'auto', 'suites'], { CI_NODE_INDEX: '', CI_NODE_TOTAL: '', JOB_COMPLETION_INDEX: '' });
    expect(none.exitCode).to.equal(1);
    expect(none.stdout).to.match(/^Bail out! --shard auto: no shard index in the environment/);
    const k8s = await bringup(['run', '--shard', 'auto', 'suites'], { JOB_COMPLETION_INDEX: '1', CI_NODE_INDEX: '', CI_NODE_TOTAL: '' });
    expect(k8s.stderr).to.include('pass --shard-total N');
  });
});
