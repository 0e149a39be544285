// Hostile input: each gets one clear, positioned error and nothing runs. The exact
// error text is part of the contract (CI logs and editors show it).

import { expect } from 'chai';
import { isUtf8 } from 'node:buffer';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatDiagnostic, loadPlan, validatePaths } from '../../runner/dsl/index.js';
import { MAX_FILE_BYTES } from '../../runner/dsl/limits.js';
import { invalidUtf8At } from '../../runner/dsl/load.js';
import { createKernel, resolveKernel } from '../../runner/model/index.js';
import { bringup } from '../cli/helpers.js';

const BOARD = `board: evb
model: ACME EVB (DT)
arch: arm64
firmware: dt
memory:
  - { base: 0x40000000, size: 0x40000000 }
iommus:
  - { name: e67b0000.mmu, driver: ipmmu-vmsa }
devices:
  - { name: ee300000.sata, driver: sata_rcar, iommus: [{ iommu: e67b0000.mmu, ids: [0] }] }
drivers:
  sata_rcar:
    probe:
      - dmam-alloc: 2048
`;

function suite(id: string, scenarios: string): string {
  return `suite: ${id}\nboards: [evb]\nkernels: [v5.1]\nscenarios:\n${scenarios}`;
}

describe('fuzz/hostile input', function () {
  this.timeout(60000);
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'bringup-hostile-'));
    mkdirSync(path.join(dir, 'boards'));
    mkdirSync(path.join(dir, 'suites'));
    writeFileSync(path.join(dir, 'boards/evb.yaml'), BOARD);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** every error of loading these paths, gcc-style without the excerpt, paths relative to dir */
  function errors(paths: string[]): string[] {
    const r = validatePaths(paths.map((p) => path.join(dir, p)));
    return r.diagnostics.map((d) => formatDiagnostic({ ...d, file: path.relative(dir, d.file) }).split('\n')[0]!);
  }

  function write(rel: string, text: string | Buffer): string {
    writeFileSync(path.join(dir, rel), text);
    return rel;
  }

  it('an alias bomb stops at the alias that crosses the expansion limit', () => {
    let bomb = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 10; i++) bomb += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]\n`;
    const f = write('suites/bomb.yaml', suite('bomb', '  - { name: s, steps: [boot] }\n') + bomb);
    const started = Date.now();
    expect(errors([f])).to.deep.equal(['suites/bomb.yaml:10:45: error: alias *a3 expands the document past 100000 values (the limit on YAML alias expansion)']);
    expect(Date.now() - started).to.be.below(5000);
  });

  it('an alias that nests the document too deeply, and plain deep nesting', () => {
    let chain = 'c0: &c0 [x]\n';
    for (let i = 1; i <= 70; i++) chain += `c${i}: &c${i} [*c${i - 1}]\n`;
    write('suites/chain.yaml', suite('chain', '  - { name: s, steps: [boot] }\n') + chain);
    expect(errors(['suites/chain.yaml'])).to.deep.equal(['suites/chain.yaml:69:12: error: alias *c62 nests the document deeper than 64 levels']);
    write('suites/deep.yaml', `suite: deep\nx: ${'['.repeat(100)}${']'.repeat(100)}\n`);
    expect(errors(['suites/deep.yaml'])).to.deep.equal(['suites/deep.yaml:2:67: error: nested deeper than 64 levels']);
    // deeper than the YAML parser's own stack: still an error, not a crash
    write('suites/deeper.yaml', `suite: deeper\nx: ${'['.repeat(200000)}${']'.repeat(200000)}\n`);
    expect(errors(['suites/deeper.yaml'])).to.deep.equal(['suites/deeper.yaml:2:67: error: nested deeper than 64 levels']);
  });

  it('a file over the size limit is not read', () => {
    const text = suite('big', '  - { name: s, steps: [boot] }\n') + '#'.repeat(MAX_FILE_BYTES);
    const f = write('suites/big.yaml', text);
    expect(text.length).to.equal(MAX_FILE_BYTES + 83);
    expect(errors([f])).to.deep.equal(['suites/big.yaml:1:1: error: file too large: 1048659 bytes (the limit is 1 MiB)']);
  });

  it('__proto__ and constructor are unknown keys where keys are fixed, and plain names where they are free', () => {
    const f = write('suites/proto.yaml', suite('proto', '  - { name: s, steps: [boot], __proto__: { polluted: 1 } }\n') + 'constructor: { polluted: 1 }\n');
    expect(errors([f])).to.deep.equal([
      'suites/proto.yaml:5:31: error: unknown key "__proto__"',
      'suites/proto.yaml:6:1: error: unknown key "constructor"; expected "suite", "description", "reference", "boards", "kernels" or "scenarios"',
    ]);
    expect(({} as Record<string, unknown>)['polluted']).to.equal(undefined);
    // driver names are free-form: "__proto__" and "constructor" are just names
    write(
      'boards/protob.yaml',
      BOARD.replace('board: evb', 'board: protob').replace(/sata_rcar/g, '__proto__') + '  constructor:\n    probe: [{ log: hi }]\n',
    );
    const r = validatePaths([path.join(dir, 'boards/protob.yaml')]);
    expect(r.diagnostics).to.deep.equal([]);
    const b = r.boards[0]!.board;
    expect(b.drivers.map((d) => d.name)).to.deep.equal(['__proto__', 'constructor']);
    const k = createKernel(b, resolveKernel('v6.15'));
    k.perform({ op: 'boot', hold: [] });
    expect(k.device('ee300000.sata')).to.include({ bound: true, driver: '__proto__' });
    expect(({} as Record<string, unknown>)['probe']).to.equal(undefined);
  });

  it('a regex with nested quantifiers validates and is matched in linear time (RE2), not backtracked', () => {
    const f = write(
      'suites/redos.yaml',
      suite('redos', '  - name: s\n    steps: [boot, { expect: { no-log: [{ regex: "^(a+)+$" }, { regex: "(\\\\w*\\\\s?)*x" }, { regex: "(\\\\d+\\\\.){3}" }] } }]\n'),
    );
    expect(errors([f])).to.deep.equal([]);
  });

  it('10,000 scenarios in one file: one error, quickly', () => {
    const scenarios = Array.from({ length: 10000 }, (_, i) => `  - { name: s${i}, steps: [boot] }\n`).join('');
    const f = write('suites/many.yaml', suite('many', scenarios));
    const started = Date.now();
    expect(errors([f])).to.deep.equal(['suites/many.yaml:1005:5: error: too many scenarios: 10000 in one suite (the limit is 1000); split the suite into several files']);
    expect(loadPlan([path.join(dir, f)]).plan.runs).to.deep.equal([]);
    // parsing ~300 KiB of YAML dominates; the checks stop at the limit
    expect(Date.now() - started).to.be.below(20000);
  });

  it('for-each expansion past the runs limit', () => {
    const devices = Array.from({ length: 700 }, (_, i) => `  - { name: d${i}.dev }\n`).join('');
    write('boards/wide.yaml', BOARD.replace('board: evb', 'board: wide').replace('drivers:', devices + 'drivers:'));
    const kernels = '[v4.11, v4.12-rc1, v4.12, v4.20-rc1, v4.20, v5.0, v5.1, v5.2, v5.14, v6.9, next-20240430, v6.10, v6.14, next-20250312, v6.15-rc1, v6.15]';
    const f = write('suites/wide.yaml', `suite: wide\nboards: [wide]\nkernels: ${kernels}\nscenarios:\n  - name: each\n    for-each: { device: "*" }\n    steps: [boot]\n`);
    expect(errors([f])).to.deep.equal([
      'suites/wide.yaml:5:11: error: scenario "each" brings the suite to 11216 runs (the limit is 10000 per suite); narrow its boards, kernels or for-each, or split the suite',
    ]);
  });

  it('non-UTF-8 bytes: the first one, positioned', () => {
    const text = Buffer.concat([Buffer.from(suite('latin1', '  - name: caf')), Buffer.from([0xe9]), Buffer.from('\n    steps: [boot]\n')]);
    const f = write('suites/latin1.yaml', text);
    expect(errors([f])).to.deep.equal(['suites/latin1.yaml:5:14: error: invalid UTF-8: byte 0xe9 at byte offset 68 (boards and suites are UTF-8 text)']);
    // an overlong encoding and a lone surrogate are invalid too
    write('suites/overlong.yaml', Buffer.from([0x73, 0x3a, 0x20, 0xc0, 0xaf, 0x0a]));
    write('suites/surrogate.yaml', Buffer.from([0x73, 0x3a, 0x20, 0xed, 0xa0, 0x80, 0x0a]));
    expect(errors(['suites/overlong.yaml', 'suites/surrogate.yaml'])).to.deep.equal([
      'suites/overlong.yaml:1:4: error: invalid UTF-8: byte 0xc0 at byte offset 3 (boards and suites are UTF-8 text)',
      'suites/surrogate.yaml:1:4: error: invalid UTF-8: byte 0xed at byte offset 3 (boards and suites are UTF-8 text)',
    ]);
  });

  it('UTF-8: Node\'s validator (the fast path) and invalidUtf8At (the position) agree on every short byte string', () => {
    // the loader trusts buffer.isUtf8 to say "valid" and asks invalidUtf8At only where it said no:
    // one that accepted what the other refuses would let bad text through or refuse good text
    const edges = [0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff];
    let seed = 7;
    const next = (n: number): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
    const disagree: string[] = [];
    for (let t = 0; t < 50_000; t++) {
      const b = Uint8Array.from({ length: next(7) }, () => edges[next(edges.length)]!);
      if (isUtf8(b) !== invalidUtf8At(b) < 0) disagree.push(Buffer.from(b).toString('hex'));
    }
    expect(disagree).to.deep.equal([]);
  });

  it('a directory loop in PATH arguments is found, not followed forever', () => {
    write('suites/ok.yaml', suite('ok', '  - { name: s, steps: [boot] }\n'));
    symlinkSync('..', path.join(dir, 'suites/up'));
    symlinkSync('self', path.join(dir, 'self'));
    // suites/up leads to the parent, whose suites/ is the directory being searched
    expect(errors(['suites', 'self'])).to.deep.equal([
      `suites/up/suites:1:1: error: directory loop: "${path.join(dir, 'suites/up/suites')}" is "${path.join(dir, 'suites')}" again; not searched twice`,
      'self:1:1: error: symbolic link loop',
    ]);
  });

  it('an empty PATH argument', () => {
    const r = validatePaths(['']);
    expect(r.diagnostics.map((d) => formatDiagnostic(d))).to.deep.equal(['"":1:1: error: empty path']);
  });

  it('a FIFO is not read (it would block forever)', function () {
    try {
      execFileSync('mkfifo', [path.join(dir, 'suites/pipe.yaml')]);
    } catch {
      this.skip();
    }
    expect(errors(['suites/pipe.yaml'])).to.deep.equal(['suites/pipe.yaml:1:1: error: not a regular file']);
  });

  it('an allocation the model cannot page in is a board error', () => {
    write('boards/huge.yaml', BOARD.replace('board: evb', 'board: huge').replace('dmam-alloc: 2048', 'dmam-alloc: 1099511627776'));
    expect(errors(['boards/huge.yaml'])).to.deep.equal([
      "boards/huge.yaml:14:21: error: dmam-alloc of 1099511627776 bytes is over the model's limit of 64 MiB (67108864 bytes) for one action",
    ]);
  });

  it('through the CLI: the error, exit 1, and nothing run', async () => {
    let bomb = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 10; i++) bomb += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]\n`;
    write('suites/bomb.yaml', suite('bomb', '  - { name: s, steps: [boot] }\n') + bomb);
    const v = await bringup(['validate', 'suites/bomb.yaml'], {}, dir);
    expect(v.exitCode).to.equal(1);
    expect(v.stderr.split('\n')[0]).to.equal('suites/bomb.yaml:10:45: error: alias *a3 expands the document past 100000 values (the limit on YAML alias expansion)');
    const r = await bringup(['run', 'suites/bomb.yaml'], {}, dir);
    expect(r.exitCode).to.equal(1);
    expect(r.stdout).to.not.match(/^(not )?ok /m);
    expect(r.stderr).to.include('alias *a3 expands the document past 100000 values');
    const h = await bringup(['validate', '--help'], {}, dir);
    expect(h.stdout).to.include('a file is at most 1 MiB');
  });
});
