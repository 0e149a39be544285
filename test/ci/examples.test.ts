// examples/ci/ run for real, locally: each file's shard commands are taken from the file,
// run as N processes with the environment its CI engine would give them, and its merge
// commands are run on what they wrote. The merged TAP, JUnit and HTML must be the bytes a
// plain `bringup run` prints. Only `npx bringup` is replaced (by this checkout's CLI).

import { expect } from 'chai';
import { execa } from 'execa';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { MAIN, ROOT } from '../cli/helpers.js';

const EXAMPLES = path.join(ROOT, 'examples/ci');

/** The suites the examples run here: a few of the shipped ones (boards/ and suites/ of a user repo). */
const SUITES = ['hisi-sas-probe-failure.yaml', 'rcar-dma-teardown.yaml', 'rockchip-of-xlate.yaml', 'odroid-m1-bringup.yaml'];

/** and one that fails, since a failing run is what a CI report is for */
const FAILING = `suite: ci-demo
description: a run that fails, so that every example reports a failure
boards: [salvator-x-h3]
kernels: [v6.15]
scenarios:
  - name: passes
    steps: [boot]
    expect: { state: [{ device: ee300000.sata, bound: true }] }
  - name: expects-a-line-never-printed
    steps: [boot]
    expect: { log: ["this line is never printed"] }
`;

interface Workspace {
  dir: string;
  env: Record<string, string>;
}

/** A user's repository: boards/, suites/, and `bringup` on PATH. */
function workspace(root: string, name: string): Workspace {
  const dir = path.join(root, name);
  mkdirSync(path.join(dir, 'suites'), { recursive: true });
  symlinkSync(path.join(ROOT, 'boards'), path.join(dir, 'boards'));
  for (const s of SUITES) cpSync(path.join(ROOT, 'suites', s), path.join(dir, 'suites', s));
  writeFileSync(path.join(dir, 'suites', 'ci-demo.yaml'), FAILING);
  const bin = path.join(dir, '.bin');
  mkdirSync(bin);
  writeFileSync(path.join(bin, 'bringup'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(MAIN)} "$@"\n`);
  chmodSync(path.join(bin, 'bringup'), 0o755);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    // as a CI machine has it: none of the engines' variables leak in from this test's runner
    if (v !== undefined && !/^(GITHUB_|CI_|JOB_COMPLETION_INDEX$|KSFT_TAP_LEVEL$)/.test(k)) env[k] = v;
  }
  env['PATH'] = `${bin}:${env['PATH'] ?? ''}`;
  return { dir, env };
}

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run a script of a CI file with the shell its engine uses (GitHub's `run:` is
 * `bash --noprofile --norc -eo pipefail`, a Kubernetes `sh -c` is plain sh); `npx bringup`
 * is the local CLI and `npm ci` has been done.
 */
async function sh(ws: Workspace, script: string, extra: Record<string, string> = {}, shell: string[] = ['sh', '-c']): Promise<Ran> {
  const local = script.replace(/\bnpx bringup\b/g, 'bringup').replace(/^\s*npm ci\s*$/gm, 'true');
  const r = await execa(shell[0]!, [...shell.slice(1), local], { cwd: ws.dir, env: { ...ws.env, ...extra }, extendEnv: false, reject: false, stripFinalNewline: false });
  return { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

const GITHUB_SHELL = ['bash', '--noprofile', '--norc', '-eo', 'pipefail', '-c'];

interface Step {
  run?: string;
  uses?: string;
  if?: string;
  with?: Record<string, string>;
}

/** A GitHub job's run steps in order: after a failed step only `if: always()` steps run. */
async function githubJob(ws: Workspace, steps: Step[], env: Record<string, string>, expand: (s: string) => string = (s) => s): Promise<Ran[]> {
  const out: Ran[] = [];
  let failed = false;
  for (const step of steps) {
    if (!step.run) continue;
    if (failed && !/always\(\)/.test(step.if ?? '')) continue;
    const r = await sh(ws, expand(step.run), env, GITHUB_SHELL);
    out.push(r);
    if (r.code !== 0) failed = true;
  }
  return out;
}

/** A GitLab job's script: the lines in order, the job stops at the first that fails. */
async function gitlabJob(ws: Workspace, script: string[], env: Record<string, string>): Promise<Ran[]> {
  const out: Ran[] = [];
  for (const line of script) {
    const r = await sh(ws, line, env, ['bash', '-eo', 'pipefail', '-c']);
    out.push(r);
    if (r.code !== 0) break;
  }
  return out;
}

// every workspace holds the same suites: a plain run's report per format is computed once
const plainRuns = new Map<string, Promise<string>>();

function plain(ws: Workspace, format: string): Promise<string> {
  let p = plainRuns.get(format);
  if (!p) {
    p = sh(ws, `bringup run -q --format ${format}`).then((r) => {
      expect(r.code, r.stderr).to.equal(1);
      return r.stdout;
    });
    plainRuns.set(format, p);
  }
  return p;
}

/** Byte equality, failing with the first line that differs (reports are too long to diff whole). */
function sameBytes(actual: string, expected: string, what: string): void {
  if (actual === expected) return;
  const a = actual.split('\n');
  const e = expected.split('\n');
  let i = 0;
  while (i < a.length && i < e.length && a[i] === e[i]) i++;
  const cut = (s: string | undefined) => (s === undefined ? '(end)' : s.length > 300 ? s.slice(0, 300) + '...' : s);
  expect.fail(`${what}: differs from the plain run at line ${i + 1}:\n  merged: ${cut(a[i])}\n  plain:  ${cut(e[i])}`);
}

/** The merged reports a merge step wrote, against a plain run of the same suites. */
async function expectSameAsPlain(ws: Workspace, files: Record<string, string>): Promise<void> {
  for (const [format, file] of Object.entries(files)) sameBytes(readFileSync(file, 'utf8'), await plain(ws, format), `${format} (${path.basename(file)})`);
}

describe('examples/ci: each CI file, run locally as its engine would', function () {
  this.timeout(300_000);
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(path.join(tmpdir(), 'bringup-ci-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('GitHub Actions: a matrix of shards, an artifact each, a merge job', async () => {
    const wf = parse(readFileSync(path.join(EXAMPLES, 'github-actions.yml'), 'utf8'));
    const shardJob = wf.jobs.shards;
    const shards: number[] = shardJob.strategy.matrix.shard;
    expect(shards.length).to.be.greaterThan(1);
    expect(shardJob.strategy['fail-fast']).to.equal(false);
    const ws = workspace(tmp, 'github');
    const upload: Step = shardJob.steps.find((s: Step) => s.uses?.startsWith('actions/upload-artifact'));
    expect(upload.if).to.equal('always()');
    // each matrix job, with GitHub's expressions expanded; the upload-artifact and
    // download-artifact (merge-multiple) pair puts every shard's file in shards/
    const artifacts = path.join(ws.dir, 'shards');
    mkdirSync(artifacts);
    await Promise.all(
      shards.map(async (k) => {
        const expand = (s: string) => s.replace(/\$\{\{\s*matrix\.shard\s*\}\}/g, String(k)).replace(/\$\{\{\s*strategy\.job-total\s*\}\}/g, String(shards.length));
        const ran = await githubJob(ws, shardJob.steps, { GITHUB_ACTIONS: 'true', CI: 'true' }, expand);
        for (const r of ran) expect([0, 1], r.stderr).to.include(r.code);
        const file = expand(upload.with!['path']!);
        cpSync(path.join(ws.dir, file), path.join(artifacts, path.basename(file)));
      }),
    );
    expect(readdirSync(artifacts)).to.have.length(shards.length);
    const report = wf.jobs.report;
    expect(report.needs).to.equal('shards');
    expect(report.if).to.equal('always()');
    const download: Step = report.steps.find((s: Step) => s.uses?.startsWith('actions/download-artifact'));
    expect(download.with).to.deep.include({ path: 'shards', 'merge-multiple': true });
    const ran = await githubJob(ws, report.steps, { GITHUB_ACTIONS: 'true', CI: 'true' });
    // a run failed, so the job is red; every report was still published
    expect(ran.map((r) => r.code)).to.include(1);
    await expectSameAsPlain(ws, { tap: path.join(ws.dir, 'bringup.tap'), junit: path.join(ws.dir, 'bringup.xml'), html: path.join(ws.dir, 'bringup.html') });
  });

  it('GitLab CI: parallel: N with CI_NODE_INDEX/CI_NODE_TOTAL, a merge job', async () => {
    const ci = parse(readFileSync(path.join(EXAMPLES, 'gitlab-ci.yml'), 'utf8'));
    const job = ci.bringup;
    const n: number = job.parallel;
    expect(n).to.be.greaterThan(1);
    expect(job.script.join('\n')).to.include('--shard auto');
    expect(job.artifacts.when).to.equal('always');
    const ws = workspace(tmp, 'gitlab');
    await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const ran = await gitlabJob(ws, job.script, { GITLAB_CI: 'true', CI: 'true', CI_NODE_INDEX: String(i + 1), CI_NODE_TOTAL: String(n) });
        for (const r of ran) expect([0, 1], r.stderr).to.include(r.code);
      }),
    );
    expect(readdirSync(ws.dir).filter((f) => /^shard-\d+\.json$/.test(f))).to.have.length(n);
    const report = ci['bringup-report'];
    expect(report.needs).to.deep.equal(['bringup']);
    expect(report.when).to.equal('always');
    expect(report.artifacts.reports.junit).to.equal('bringup.xml');
    const ran = await gitlabJob(ws, report.script, { GITLAB_CI: 'true', CI: 'true', CI_NODE_TOTAL: '1' });
    expect(ran.map((r) => r.code)).to.deep.equal([0, 0, 0, 1]);
    await expectSameAsPlain(ws, { tap: path.join(ws.dir, 'bringup.tap'), junit: path.join(ws.dir, 'bringup.xml'), html: path.join(ws.dir, 'bringup.html') });
  });

  it('Kubernetes: an Indexed Job (JOB_COMPLETION_INDEX from 0, --shard-total) and a merge Job', async () => {
    const docs = parseAllDocuments(readFileSync(path.join(EXAMPLES, 'kubernetes-indexed-job.yaml'), 'utf8')).map((d) => d.toJS());
    const jobs = docs.filter((d) => d.kind === 'Job');
    const indexed = jobs.find((j) => j.spec.completionMode === 'Indexed');
    const merge = jobs.find((j) => j !== indexed);
    expect(indexed.metadata.labels.step).to.equal('shards');
    expect(merge.metadata.labels.step).to.equal('merge');
    const n: number = indexed.spec.completions;
    expect(indexed.spec.parallelism).to.equal(n);
    const container = indexed.spec.template.spec.containers[0];
    expect(container.command).to.deep.equal(['sh', '-c']);
    const mount = container.volumeMounts[0].mountPath as string;
    const ws = workspace(tmp, 'k8s');
    const results = path.join(ws.dir, 'results');
    mkdirSync(results);
    // the shared volume is a directory here
    const local = (s: string) => s.split(mount).join(results);
    const script = local(container.args.join('\n'));
    expect(script).to.include(`--shard-total ${n}`);
    await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const r = await sh(ws, script, { JOB_COMPLETION_INDEX: String(i) });
        // a pod that did its work succeeds: the merge gives the verdict
        expect(r.code, r.stderr).to.equal(0);
      }),
    );
    expect(readdirSync(results).filter((f) => f.endsWith('.json'))).to.have.length(n);
    const m = merge.spec.template.spec.containers[0];
    const r = await sh(ws, local(m.args.join('\n')));
    expect(r.code, r.stderr).to.equal(1);
    // the merge job's log is the TAP
    sameBytes(r.stdout, await plain(ws, 'tap'), 'tap (the merge job\'s log)');
    await expectSameAsPlain(ws, { junit: path.join(results, 'bringup.xml'), html: path.join(results, 'bringup.html') });
  });
});

describe('bringup merge of run shards: byte-identical to the unsharded run', function () {
  this.timeout(300_000);
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(path.join(tmpdir(), 'bringup-merge-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('for 1, 2, 4 and 8 shards, in TAP, KTAP, JUnit, JSON and HTML', async () => {
    const ws = workspace(tmp, 'shards');
    const formats = ['tap', 'ktap', 'junit', 'json', 'html'];
    const want: Record<string, string> = {};
    for (const f of formats) want[f] = await plain(ws, f);
    let runs = 0;
    for (const n of [1, 2, 4, 8]) {
      const files = await Promise.all(
        Array.from({ length: n }, async (_, i) => {
          const file = path.join(ws.dir, `n${n}-shard-${i + 1}.json`);
          const r = await sh(ws, `bringup run -q --shard ${i + 1}/${n} --format json --output ${file}`);
          expect([0, 1, 4], r.stderr).to.include(r.code);
          return file;
        }),
      );
      // every shard holds some runs, and together each run once
      const counts = files.map((f) => (JSON.parse(readFileSync(f, 'utf8')) as { misc: { total: number } }).misc.total);
      if (n === 1) runs = counts[0]!;
      expect(counts.reduce((a, b) => a + b, 0)).to.equal(runs);
      await Promise.all(
        formats.map(async (f) => {
          // shards in any order give the same report
          const r = await sh(ws, `bringup merge --format ${f} ${[...files].reverse().join(' ')}`);
          expect(r.code, r.stderr).to.equal(1);
          sameBytes(r.stdout, want[f]!, `${n} shards, ${f}`);
        }),
      );
    }
  });
});

describe('bringup merge of explore shards: the unsharded result', function () {
  this.timeout(300_000);
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(path.join(tmpdir(), 'bringup-explore-merge-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  // the one field that may differ: wall time, which the merge adds up over the shards
  const noSeconds = (s: string) => s.replace(/"seconds": [0-9.]+/g, '"seconds": S').replace(/, [0-9.]+ s;/g, ', S s;');

  it('for 1, 2, 4 and 8 shards, as JSON and as text', async () => {
    const ws = workspace(tmp, 'explore');
    const explore = 'bringup explore huawei-d06 --kernel v5.1 --depth 1';
    const plainJson = await sh(ws, `${explore} --format json`);
    const plainText = await sh(ws, explore);
    expect(plainJson.code, plainJson.stderr).to.equal(1);
    expect((JSON.parse(plainJson.stdout) as { findings: unknown[] }).findings.length).to.be.greaterThan(1);
    for (const n of [1, 2, 4, 8]) {
      const files = await Promise.all(
        Array.from({ length: n }, async (_, i) => {
          const file = path.join(ws.dir, `explore-n${n}-${i + 1}.json`);
          // the shard index from a Kubernetes Indexed Job's environment, as run does
          const r = await sh(ws, `${explore} --shard auto --shard-total ${n} --format json > ${file}`, { JOB_COMPLETION_INDEX: String(i) });
          expect([0, 1], r.stderr).to.include(r.code);
          return file;
        }),
      );
      const json = await sh(ws, `bringup merge ${[...files].reverse().join(' ')}`);
      expect(json.code, json.stderr).to.equal(1);
      sameBytes(noSeconds(json.stdout), noSeconds(plainJson.stdout), `explore, ${n} shards, json`);
      // the findings read the same; the last line names the search's options, which a merge
      // of JSON files does not know (it says "merged")
      const text = await sh(ws, `bringup merge --format text ${files.join(' ')}`);
      const findings = (t: string) => noSeconds(t).replace(/\n[^\n]*\n$/, '\n');
      sameBytes(findings(text.stdout), findings(plainText.stdout), `explore, ${n} shards, text`);
      // 45 + 8 runs cut part-way: units start knowing the default execution's states, and a
      // fault after a devm-alloc is the fault before it (runner/explore/search.ts)
      expect(text.stdout.split('\n').at(-2)).to.match(/^\d+ findings on huawei-d06 with v5\.1: 45 executions, 49 states, 8 pruned, [0-9.]+ s; complete within bounds/);
    }
  });
});

describe('README: the CI section points to every example', () => {
  it('links each file of examples/ci/', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const ci = readme.slice(readme.indexOf('\n## CI\n'), readme.indexOf('\n## ', readme.indexOf('\n## CI\n') + 1));
    for (const f of readdirSync(EXAMPLES)) expect(ci, f).to.include(`(examples/ci/${f})`);
  });
});
