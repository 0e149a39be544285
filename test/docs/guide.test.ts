// docs/adding-kernel-history.md is built by this test: its code blocks that quote the
// repository must be in the files they name, its YAML example (board, suite, user kernel)
// must validate and reproduce the bug on the profile before the fix and pass after it.

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CLI = path.join(ROOT, 'dist/runner/cli/main.js');
const GUIDE = path.join(ROOT, 'docs/adding-kernel-history.md');

interface Block {
  lang: string;
  file: string;
  body: string[];
}

function blocks(): Block[] {
  const text = readFileSync(GUIDE, 'utf8');
  const out: Block[] = [];
  for (const m of text.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)) {
    const lines = m[2]!.replace(/\n$/, '').split('\n');
    const head = /^(?:\/\/|#) file: (\S+)$/.exec(lines[0] ?? '');
    if (head) out.push({ lang: m[1]!, file: head[1]!, body: lines.slice(1) });
  }
  return out;
}

function bringup(cwd: string, args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('docs/adding-kernel-history.md (the guide builds)', () => {
  const all = blocks();

  it('has the worked example: the table entry, the model branch, the test, board, suite and a user kernel', () => {
    expect(all.map((b) => b.file)).to.deep.equal([
      'runner/model/profiles/behaviours.ts',
      'runner/model/drivers/arm-smmu.ts',
      'test/model/behaviours-history.test.ts',
      'boards/qcs6490-rb3gen2.yaml',
      'suites/arm-smmu-probe-race.yaml',
      'kernels/vendor-6.12.yaml',
    ]);
  });

  it('every TypeScript excerpt is in the file it names, line for line', () => {
    for (const b of all.filter((x) => x.lang === 'ts')) {
      const lines = readFileSync(path.join(ROOT, b.file), 'utf8').split('\n');
      const at = lines.findIndex((_, i) => b.body.every((l, j) => lines[i + j] === l));
      expect(at, `${b.file} does not contain:\n${b.body.join('\n')}`).to.be.greaterThan(-1);
    }
  });

  it('every repository path it names exists', () => {
    const text = readFileSync(GUIDE, 'utf8');
    const paths = [...text.matchAll(/`((?:runner|test|dsl-schema|docs)\/[\w./-]+)`/g)].map((m) => m[1]!).filter((p) => !p.includes('<'));
    expect(paths.length).to.be.greaterThan(5);
    for (const p of paths) expect(existsSync(path.join(ROOT, p)), p).to.equal(true);
  });

  it('its board, suite and kernel file validate, and the suite fails before the fix and passes after', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bringup-guide-'));
    for (const b of all.filter((x) => x.lang === 'yaml')) {
      mkdirSync(path.join(dir, path.dirname(b.file)), { recursive: true });
      writeFileSync(path.join(dir, b.file), b.body.join('\n') + '\n');
    }
    const v = bringup(dir, ['validate', 'boards', 'suites', 'kernels']);
    expect(v.code, v.stderr).to.equal(0);
    const r = bringup(dir, ['run', 'suites']);
    expect(r.code, r.stdout).to.equal(0);
    const results = r.stdout.split('\n').filter((l) => /^(not )?ok /.test(l));
    expect(results).to.deep.equal([
      'ok 1 arm-smmu-probe-race.client-probes-inside-the-registration-window [qcs6490-rb3gen2 v6.12] # XFAIL 229e6ee43d2a',
      'ok 2 arm-smmu-probe-race.client-probes-inside-the-registration-window [qcs6490-rb3gen2 v6.12.y]',
      'ok 3 arm-smmu-probe-race.client-probes-inside-the-registration-window [qcs6490-rb3gen2 v6.13]',
    ]);
    // the user kernel runs where a profile does
    const k = bringup(dir, ['run', '--kernel', 'vendor-6.12', 'suites']);
    expect(k.code, k.stdout).to.equal(0);
    expect(k.stdout).to.include('[qcs6490-rb3gen2 vendor-6.12]');
  });
});
