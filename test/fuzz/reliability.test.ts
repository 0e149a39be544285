// Issue #22: no input can hang or crash bringup. One block per point of the issue, with
// the inputs quoted there. None of these is timed: each input is one whose exponential
// (or quadratic-in-memory) behaviour would not end for minutes, so a regression shows as
// this file's timeout, not as a flaky threshold.

import { expect } from 'chai';
import fc from 'fast-check';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatDiagnostic, loadBoards, loadPlan, validatePaths } from '../../runner/dsl/index.js';
import { escapeControls } from '../../runner/dsl/diagnostic.js';
import { compileGlob, compileUserRegex, MAX_GLOB_LENGTH, regexProblem } from '../../runner/dsl/patterns.js';
import { closest, editDistance } from '../../runner/dsl/suggest.js';
import { selectRuns } from '../../runner/exec/select.js';
import { executeAll } from '../../runner/exec/run-all.js';
import { createKernel, resolveKernel } from '../../runner/model/index.js';
import { logFileName, NAME_MAX, writeFileAtomic } from '../../runner/cli/result-files.js';
import { shq } from '../../runner/exec/targets/qemu/shell.js';
import { bringup, MAIN } from '../cli/helpers.js';
import { execa } from 'execa';
import { ROOT } from './lib/loader.js';

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

const A44 = 'a'.repeat(44);

describe('fuzz/reliability (issue #22)', function () {
  this.timeout(60000);
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'bringup-reliability-'));
    mkdirSync(path.join(dir, 'boards'));
    mkdirSync(path.join(dir, 'suites'));
    writeFileSync(path.join(dir, 'boards/evb.yaml'), BOARD);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function write(rel: string, text: string): string {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
    return rel;
  }

  /** every error of loading these paths, gcc-style first lines, paths relative to dir */
  function errors(paths: string[], boardsDirs: string[] = []): string[] {
    const r = validatePaths(paths.map((p) => path.join(dir, p)), { boardsDirs: boardsDirs.map((d) => path.join(dir, d)) });
    return r.diagnostics.map((d) => formatDiagnostic({ ...d, file: path.relative(dir, d.file) }).split('\n')[0]!.replaceAll(dir + '/', ''));
  }

  describe('1. assertion regexes: linear time (RE2), refusals positioned', () => {
    it('the ReDoS patterns of the issue validate and match in linear time: .*.*.*.*.*.*= on the D06 boot log, the rest on 44 a\'s', () => {
      const d06 = loadBoards([path.join(ROOT, 'boards/huawei-d06.yaml')]).boards[0]!;
      const k = createKernel(d06.board, resolveKernel('v6.15'));
      k.perform({ op: 'boot', hold: [] });
      const lines = k.log.map((l) => l.text);
      expect(lines.length).to.be.greaterThan(10);
      const dots = compileUserRegex('.*.*.*.*.*.*=');
      expect(lines.filter((l) => dots.test(l)).length).to.equal(lines.filter((l) => l.includes('=')).length);
      expect(compileUserRegex('(a|a)*b').test(A44)).to.equal(false);
      expect(compileUserRegex('(a|aa)*b').test(A44)).to.equal(false);
      expect(compileUserRegex('(?:a|a)+$').test(A44)).to.equal(true);
      expect(compileUserRegex('((a{1,9}){1,9}){1,9}!').test(A44)).to.equal(false);
      for (const p of ['.*.*.*.*.*.*=', '(a|a)*b', '(a|aa)*b', '(?:a|a)+$', '((a{1,9}){1,9}){1,9}!']) expect(regexProblem(p), p).to.equal(undefined);
    });

    it('a suite using them runs on the D06 to a verdict (the hang of the issue), never ERROR', async () => {
      write(
        'suites/redos.yaml',
        `suite: redos
boards: [huawei-d06]
kernels: [v6.15]
scenarios:
  - name: dots
    steps: [boot, { expect: { no-log: [{ regex: ".*.*.*.*.*.*=" }, { regex: "(a|a)*b" }, { regex: "(a|aa)*b" }, { regex: "((a{1,9}){1,9}){1,9}!" }] } }]
    checks: off
`,
      );
      const { plan, diagnostics } = loadPlan([path.join(dir, 'suites/redos.yaml')], { boardsDirs: [path.join(ROOT, 'boards')] });
      expect(diagnostics).to.deep.equal([]);
      const [r] = await executeAll(plan.runs, { target: 'model' });
      // the D06 log has "=" lines, so the no-log fails: a verdict, reached
      expect(r!.status).to.equal('FAIL');
    });

    it('backreferences and lookaround are refused at the construct, saying why; (?P<name> is accepted', () => {
      const f = write(
        'suites/refused.yaml',
        `suite: refused
boards: [evb]
scenarios:
  - name: s
    steps:
      - boot
      - expect:
          log:
            - { regex: "(\\\\w+) \\\\1" }
            - { regex: 'probe of (?P<dev>\\S+) (?P=dev)' }
            - { regex: "sata(?=[0-9])" }
            - regex: x(?<!y)z
            - { regex: "(?P<dev>[a-z0-9.]+): probe" }
            - { regex: "\\\\k<n>" }
`,
      );
      const why = 'bringup matches patterns in linear time (RE2) so that no pattern can hang a run';
      expect(errors([f])).to.deep.equal([
        `suites/refused.yaml:9:32: error: invalid regex /(\\w+) \\1/: the backreference \\1 is not in RE2 syntax: ${why}, and a backreference cannot be matched in linear time; write the repeated text out`,
        `suites/refused.yaml:10:47: error: invalid regex /probe of (?P<dev>\\S+) (?P=dev)/: the named backreference (?P=dev) is not in RE2 syntax: ${why}, and a backreference cannot be matched in linear time; write the repeated text out`,
        `suites/refused.yaml:11:29: error: invalid regex /sata(?=[0-9])/: the lookahead (?= is not in RE2 syntax: ${why}, and RE2 has no lookaround; match the text itself, or put what must not appear in a no-log pattern`,
        `suites/refused.yaml:12:23: error: invalid regex /x(?<!y)z/: the lookbehind (?<! is not in RE2 syntax: ${why}, and RE2 has no lookaround; match the text itself, or put what must not appear in a no-log pattern`,
        `suites/refused.yaml:14:25: error: invalid regex /\\k<n>/: the named backreference \\k<n> is not in RE2 syntax: ${why}, and a backreference cannot be matched in linear time; write the repeated text out`,
      ]);
      // the caret stands under the construct
      const d = validatePaths([path.join(dir, f)]).diagnostics[2]!;
      expect(formatDiagnostic(d).split('\n').slice(1)).to.deep.equal(['            - { regex: "sata(?=[0-9])" }', '                            ^~~']);
      expect(compileUserRegex('(?P<dev>[a-z0-9.]+): probe').test('ee300000.sata: probe')).to.equal(true);
      // JavaScript spellings RE2 writes differently still mean what they mean in JavaScript
      expect(compileUserRegex('\\u0041[^]\\cJ').test('AB\n')).to.equal(true);
      expect(compileUserRegex('x[]').test('x')).to.equal(false);
    });
  });

  describe('2. globs: linear matching, length limit', () => {
    const STARS = '*'.repeat(30) + 'Z';

    it('for-each: { device: 30 stars then Z } validates (it matches no device), and --filter with it selects nothing', () => {
      const f = write('suites/stars.yaml', `suite: stars\nboards: [evb]\nscenarios:\n  - name: s\n    for-each: { device: "${STARS}" }\n    steps: [boot]\n`);
      expect(errors([f])).to.deep.equal([`suites/stars.yaml:5:25: error: for-each pattern "${STARS}" matches no device on evb`]);
      expect(compileGlob(STARS).test('a'.repeat(200))).to.equal(false);
      expect(compileGlob(STARS).test('a'.repeat(200) + 'Z')).to.equal(true);
      const { plan } = loadPlan([path.join(ROOT, 'suites/huawei-d06-bringup.yaml')]);
      expect(selectRuns(plan.runs, { filters: [STARS] })).to.deep.equal([]);
      expect(loadPlan([path.join(ROOT, 'suites/huawei-d06-bringup.yaml')], { filter: STARS }).plan.runs).to.deep.equal([]);
    });

    it('a glob past the limit: a positioned error, and a usage error for --filter', async () => {
      const long = 'a*'.repeat(MAX_GLOB_LENGTH);
      const f = write('suites/long.yaml', `suite: long\nboards: [evb]\nscenarios:\n  - name: s\n    for-each: { device: "${long}" }\n    steps: [boot]\n`);
      expect(errors([f])).to.deep.equal(['suites/long.yaml:5:25: error: "device" is 2000 characters long (the limit is 1000)']);
      expect(() => compileGlob(long)).to.throw(/longer than 1000 characters/);
      const r = await bringup(['run', '--filter', long, 'suites/demo.yaml']);
      expect(r.exitCode).to.equal(1);
      expect(r.stdout).to.equal('Bail out! --filter is 2000 characters long (the limit is 1000)\n');
    });

    it('selects exactly what the regex translation it replaced selected', () => {
      // the old implementation, on globs short enough for it to finish
      const old = (glob: string): RegExp => {
        let re = '';
        for (let i = 0; i < glob.length; i++) {
          const c = glob[i]!;
          if (c === '*') re += '.*';
          else if (c === '?') re += '.';
          else if (c === '[') {
            const end = glob.indexOf(']', i + 1);
            const cls = end < 0 ? undefined : '[' + glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\') + ']';
            let ok = cls !== undefined;
            try {
              if (cls) new RegExp(cls);
            } catch {
              ok = false;
            }
            if (!ok) re += '\\[';
            else {
              re += cls;
              i = end;
            }
          } else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        }
        return new RegExp(`^${re}$`, 's');
      };
      const ch = fc.constantFrom('a', 'b', 'z', '.', '-', '*', '?', '[', ']', '!', '^', '\\');
      fc.assert(
        fc.property(fc.array(ch, { maxLength: 8 }).map((x) => x.join('')), fc.array(ch, { maxLength: 10 }).map((x) => x.join('')), (glob, name) => {
          // [] and [!] are classes of nothing and of everything to RegExp; a glob has no such class
          fc.pre(!/\[!?\]/.test(glob) && !/\[\^/.test(glob));
          expect(compileGlob(glob).test(name), `${glob} ~ ${name}`).to.equal(old(glob).test(name));
        }),
        { numRuns: 3000, seed: 22 },
      );
    });
  });

  describe('3. did-you-mean: bounded edit distance', () => {
    it('a 200,000-character device name with a dangling wait-for: positioned errors, no out-of-memory', () => {
      const name = 'd'.repeat(200000);
      write('boards/huge.yaml', BOARD.replace('board: evb', 'board: huge').replace('      - dmam-alloc: 2048', `      - dmam-alloc: 2048\n      - wait-for: ${name}x`).replace('ee300000.sata', name));
      expect(errors(['boards/huge.yaml'])).to.deep.equal([
        `boards/huge.yaml:10:13: error: "name" is 200000 characters long (the limit is 256)`,
        `boards/huge.yaml:15:19: error: "wait-for" is 200001 characters long (the limit is 256)`,
      ]);
      // and the suggestion itself, past the schema, costs nothing
      expect(closest(name + 'x', [name, 'ee300000.sata'])).to.equal(undefined);
    });

    it('the banded distance equals the full one wherever it is at most the bound', () => {
      const full = (a: string, b: string): number => editDistance(a, b);
      fc.assert(
        fc.property(fc.string({ maxLength: 12, unit: fc.constantFrom('a', 'b', 'c') }), fc.string({ maxLength: 12, unit: fc.constantFrom('a', 'b', 'c') }), fc.nat(4), (a, b, max) => {
          const d = full(a, b);
          expect(editDistance(a, b, max)).to.equal(d <= max ? d : max + 1);
        }),
        { numRuns: 3000, seed: 22 },
      );
      // at most 5,000 candidates are compared, and none longer than 256 characters
      expect(closest('abcdef', [...Array<string>(5000).fill('zzzzzz'), 'abcdeg'])).to.equal(undefined);
      expect(closest('abcdef', [...Array<string>(4999).fill('zzzzzz'), 'abcdeg'])).to.equal('abcdeg');
      expect(closest('a'.repeat(257), ['a'.repeat(256)])).to.equal(undefined);
      expect(editDistance('kitten', 'sitting')).to.equal(3);
      expect(editDistance('abcd', 'acbd')).to.equal(1);
      expect(closest('iomus', ['iommus', 'bus'])).to.equal('iommus');
    });
  });

  describe('4. control characters in diagnostics', () => {
    it('are escaped as git and the kernel do: the terminal title and screen are left alone', () => {
      const f = write('suites/ctl.yaml', 'suite: ctl\nboards: [evb]\nscenarios:\n  - name: s\n    steps: [boot, { unbind: "\\e]0;pwned\\a\\e[2J\\x9b" }]\n');
      const diags = validatePaths([path.join(dir, f)]).diagnostics;
      expect(diags).to.have.length(1);
      const text = formatDiagnostic({ ...diags[0]!, file: 'suites/ctl.yaml' });
      expect(text.split('\n')[0]).to.equal('suites/ctl.yaml:5:29: error: unknown device "\\033]0;pwned\\a\\033[2J\\302\\233" on board evb');
      // eslint-disable-next-line no-control-regex
      expect(text).to.not.match(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
      // a raw escape in the source line, and the caret still under the mistake
      const raw = formatDiagnostic({ file: 'x\x1b.yaml', line: 1, column: 4, severity: 'error', message: 'm', instancePath: '', schemaPath: '', sourceLine: '\x1b[2Jab\tc', length: 2 });
      expect(raw.split('\n')).to.deep.equal(['x\\033.yaml:1:4: error: m', '\\033[2Jab\tc', '      ^~']);
      expect(escapeControls('\x00\x7f\u0085\t\r\n')).to.equal('\\000\\177\\302\\205\\t\\r\\n');
      // a long line is quoted as a 160-character window around the caret
      const long = formatDiagnostic({ file: 'f', line: 1, column: 1001, severity: 'error', message: 'm', instancePath: '', schemaPath: '', sourceLine: 'x'.repeat(1000) + 'BAD' + 'y'.repeat(1000), length: 3 });
      const [, src, caret] = long.split('\n') as [string, string, string];
      expect(src).to.equal(`...${'x'.repeat(40)}BAD${'y'.repeat(117)}...`);
      expect(caret).to.equal(`${' '.repeat(43)}^~~`);
    });
  });

  describe('5. board paths', () => {
    it('boards: ["../../../../etc/passwd"] is refused unread and unquoted; a .yaml outside the tree too', () => {
      const f = write('suites/evil.yaml', 'suite: evil\nboards: ["../../../../etc/passwd", "../../../../etc/x.yaml"]\nscenarios:\n  - { name: s, steps: [boot] }\n');
      const errs = errors([f]);
      expect(errs).to.deep.equal([
        'suites/evil.yaml:2:10: error: board file "../../../../etc/passwd" is not a .yaml or .yml file (a board is a YAML file; not read)',
        `suites/evil.yaml:2:36: error: board file "../../../../etc/x.yaml" is outside the suite's directory, the boards/ beside it and every --boards-dir (${path.join(dir, 'suites', '../../../../etc/x.yaml')}; not read)`,
      ]);
      expect(validatePaths([path.join(dir, f)]).files).to.deep.equal([path.join(dir, f)]);
      expect(errs.join('\n')).to.not.include('root:');
    });

    it('a suite outside suites/ finds a board beside it by id: ./<id>.yaml, ./boards/<id>.yaml, ../boards/<id>.yaml, --boards-dir first', () => {
      const mek = BOARD.replace('board: evb', 'board: imx8qm-mek');
      const suite = (id: string) => `suite: ${id}\nboards: [imx8qm-mek]\nscenarios:\n  - { name: s, steps: [boot] }\n`;
      write('p1/a/imx8qm-mek.yaml', mek);
      write('p1/a/s1.yaml', suite('s1'));
      write('p2/b/boards/imx8qm-mek.yaml', mek);
      write('p2/b/s2.yaml', suite('s2'));
      write('proj/boards/imx8qm-mek.yaml', mek);
      write('proj/c/s3.yaml', suite('s3'));
      for (const [s, board] of [
        ['p1/a/s1.yaml', 'p1/a/imx8qm-mek.yaml'],
        ['p2/b/s2.yaml', 'p2/b/boards/imx8qm-mek.yaml'],
        ['proj/c/s3.yaml', 'proj/boards/imx8qm-mek.yaml'],
      ]) {
        const r = validatePaths([path.join(dir, s)]);
        expect(r.diagnostics, s).to.deep.equal([]);
        expect(r.boards.map((b) => path.relative(dir, b.file))).to.deep.equal([board]);
      }
      // ../boards is the repository layout and wins over a copy beside the suite; --boards-dir wins over both
      write('proj/c/imx8qm-mek.yaml', mek);
      expect(validatePaths([path.join(dir, 'proj/c/s3.yaml')]).boards.map((b) => path.relative(dir, b.file))).to.deep.equal(['proj/boards/imx8qm-mek.yaml']);
      write('elsewhere/imx8qm-mek.yaml', mek);
      const r = validatePaths([path.join(dir, 'proj/c/s3.yaml')], { boardsDirs: [path.join(dir, 'elsewhere')] });
      expect(r.boards.map((b) => path.relative(dir, b.file))).to.deep.equal(['elsewhere/imx8qm-mek.yaml']);
    });

    it('an unknown id says where it looked and the near match', () => {
      write('proj/a/imx8qm-mek.yaml', BOARD.replace('board: evb', 'board: imx8qm-mek'));
      write('proj/a/s.yaml', 'suite: s\nboards: [imx8qm-mk]\nscenarios:\n  - { name: s, steps: [boot] }\n');
      expect(errors(['proj/a/s.yaml'], ['bsp'])).to.deep.equal([
        'proj/a/s.yaml:2:10: error: unknown board "imx8qm-mk": no imx8qm-mk.yaml in bsp/, proj/boards/, proj/a/boards/ or proj/a/ (did you mean "imx8qm-mek"?)',
      ]);
    });

    it('bringup validate --boards-dir', async () => {
      write('bsp/imx8qm-mek.yaml', BOARD.replace('board: evb', 'board: imx8qm-mek'));
      write('work/s.yaml', 'suite: s\nboards: [imx8qm-mek]\nscenarios:\n  - { name: s, steps: [boot] }\n');
      const without = await bringup(['validate', 'work/s.yaml'], {}, dir);
      expect(without.exitCode).to.equal(1);
      const r = await bringup(['validate', '--boards-dir', 'bsp', 'work/s.yaml'], {}, dir);
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(r.stderr).to.equal('2 files OK\n');
    });
  });

  describe('7. a 10,000-device board under for-each: { device: "*" }', () => {
    // 380 KB of board and 10,000 runs: every run carrying its own copy was 4.3 GB
    const HEAP_MB = 256;
    const node = (args: string[]) => execa(process.execPath, [`--max-old-space-size=${HEAP_MB}`, MAIN, ...args], { cwd: dir, reject: false, stripFinalNewline: false });

    beforeEach(() => {
      const devices = Array.from({ length: 10000 }, (_, i) => `  - { name: ${(0x10000000 + i * 0x1000).toString(16)}.dev${i}, driver: drv }`).join('\n');
      write('boards/wide.yaml', `board: wide\nmodel: ACME Wide (DT)\narch: arm64\nfirmware: dt\nmemory:\n  - { base: 0x40000000, size: 0x40000000 }\ndevices:\n${devices}\ndrivers:\n  drv:\n    probe:\n      - devm-alloc: 64\n`);
      write('suites/each.yaml', 'suite: each\nboards: [wide]\nkernels: [v6.15]\nscenarios:\n  - name: s\n    for-each: { device: "*" }\n    steps: [boot]\n');
    });

    it(`plans its 10,000 runs under a ${HEAP_MB} MB heap, the board printed once`, async () => {
      const r = await node(['plan', 'suites/each.yaml']);
      expect(r.exitCode, String(r.stderr)).to.equal(0);
      const plan = JSON.parse(String(r.stdout)) as { boards: { id: string; devices: unknown[] }[]; runs: { id: string; board: unknown }[] };
      expect(plan.boards.map((b) => [b.id, b.devices.length])).to.deep.equal([['wide', 10000]]);
      expect(plan.runs).to.have.length(10000);
      expect(plan.runs[9999]).to.deep.include({ id: 'each.s@1270f000.dev9999', board: { id: 'wide', $ref: '#/boards/0' } });
    });

    it(`compiles all 10,000 runs and runs a shard of them under a ${HEAP_MB} MB heap`, async () => {
      // executing all 10,000 boots of 10,000 devices takes minutes: a shard runs, all compile
      const r = await node(['run', '-q', '--shard', '1/1000', 'suites/each.yaml']);
      expect(r.exitCode, String(r.stderr)).to.equal(0);
      expect(String(r.stdout)).to.match(/^1\.\.\d+$/m);
      expect(String(r.stdout)).to.match(/^# Totals: pass:\d+ fail:0 xfail:0 xpass:0 skip:0 error:0$/m);
    });
  });

  describe('8. --log-dir', () => {
    const devBoard = (names: string[]) =>
      BOARD.replace('board: evb', 'board: names').replace(
        '  - { name: ee300000.sata, driver: sata_rcar, iommus: [{ iommu: e67b0000.mmu, ids: [0] }] }',
        names.map((n) => `  - { name: ${JSON.stringify(n)}, driver: sata_rcar }`).join('\n'),
      );
    const eachSuite = 'suite: each\nboards: [names]\nkernels: [v6.15]\nscenarios:\n  - name: s\n    for-each: { device: "*" }\n    steps: [boot]\n';

    it('a 240-character device name: a file name within NAME_MAX, exit 0, the report written', async () => {
      const long = 'x'.repeat(240);
      write('boards/names.yaml', devBoard([long]));
      write('suites/each.yaml', eachSuite);
      const r = await bringup(['run', '--log-dir', 'logs', '--output', 'out.tap', 'suites/each.yaml'], {}, dir);
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(readFileSync(path.join(dir, 'out.tap'), 'utf8')).to.match(/^ok 1 each\.s@x{240} \[names v6\.15\]$/m);
      const files = readdirSync(path.join(dir, 'logs'));
      expect(files).to.have.length(1);
      expect(Buffer.byteLength(files[0]!)).to.be.at.most(NAME_MAX);
      expect(files[0]).to.match(/^each\.s@x+~[0-9a-f]{32}\.log$/);
      expect(readFileSync(path.join(dir, 'logs', files[0]!), 'utf8')).to.include('Linux version');
    });

    it('devices a/b, a_b and a\\b write three files', async () => {
      write('boards/names.yaml', devBoard(['a/b', 'a_b', 'a\\b']));
      write('suites/each.yaml', eachSuite);
      const r = await bringup(['run', '--log-dir', 'logs', 'suites/each.yaml'], {}, dir);
      expect(r.exitCode, r.stderr).to.equal(0);
      expect(readdirSync(path.join(dir, 'logs')).sort()).to.deep.equal(['each.s@a%2Fb.names.v6.15.log', 'each.s@a%5Cb.names.v6.15.log', 'each.s@a_b.names.v6.15.log']);
      const names = new Set<string>();
      fc.assert(
        fc.property(fc.string({ maxLength: 300, unit: fc.constantFrom('a', '/', '\\', '_', '%', '~', '\x01', 'é', '😀') }), (dev) => {
          const n = logFileName({ id: `each.s@${dev}`, board: 'names', kernel: 'v6.15' });
          expect(Buffer.byteLength(n)).to.be.at.most(NAME_MAX);
          expect(n).to.not.match(/[/\\\x00-\x1f]/);
          names.add(`${dev}\0${n}`);
        }),
        { numRuns: 2000, seed: 22 },
      );
      // injective: no two devices share a name
      const byName = new Map<string, string>();
      for (const pair of names) {
        const [dev, n] = pair.split('\0') as [string, string];
        expect(byName.get(n) ?? dev, n).to.equal(dev);
        byName.set(n, dev);
      }
    });

    it('an unusable --log-dir is found before anything runs, for run and for compare', async () => {
      write('afile', 'x');
      const r = await bringup(['run', '--log-dir', 'afile/logs', path.join(ROOT, 'test/cli/fixtures/suites/demo.yaml')], {}, dir);
      expect(r.exitCode).to.equal(1);
      expect(r.stdout).to.equal("Bail out! cannot use --log-dir afile/logs: ENOTDIR: not a directory, mkdir 'afile/logs'\n");
      expect(r.stderr).to.not.match(/PASS|FAIL|passed/);
      const c = await bringup(['compare', '--targets', 'model', '--log-dir', 'afile', path.join(ROOT, 'suites/qemu-virt-conformance.yaml')], {}, dir);
      expect(c.exitCode).to.equal(1);
      expect(c.stderr).to.equal("bringup compare: cannot use --log-dir afile: ENOTDIR: not a directory, mkdir 'afile/model'\n");
    });
  });

  describe('9. --output', () => {
    it('a write that fails half way leaves the previous report whole and no temporary file', () => {
      const out = path.join(dir, 'report.tap');
      writeFileSync(out, 'the previous report\n');
      expect(() =>
        writeFileAtomic(out, 'a new report that does not fit\n', {
          write: (fd) => {
            writeFileSync(fd, 'a new rep');
            throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
          },
        }),
      ).to.throw(/ENOSPC/);
      expect(readFileSync(out, 'utf8')).to.equal('the previous report\n');
      expect(readdirSync(dir).sort()).to.deep.equal(['boards', 'report.tap', 'suites']);
      writeFileAtomic(out, 'the new report\n');
      expect(readFileSync(out, 'utf8')).to.equal('the new report\n');
      expect(readdirSync(dir).sort()).to.deep.equal(['boards', 'report.tap', 'suites']);
    });

    it('an unusable target is found before anything runs', async () => {
      write('afile', 'x');
      mkdirSync(path.join(dir, 'adir'));
      for (const [target, why] of [
        ['adir', 'is a directory'],
        ['afile/report.tap', "ENOTDIR: not a directory, stat 'afile/report.tap'"],
      ]) {
        const r = await bringup(['run', '--output', target!, path.join(ROOT, 'test/cli/fixtures/suites/demo.yaml')], {}, dir);
        expect(r.exitCode).to.equal(1);
        expect(r.stdout).to.equal(`Bail out! cannot use --output ${target}: ${why}\n`);
        expect(r.stderr).to.not.match(/PASS|FAIL|passed/);
      }
      expect(existsSync(path.join(dir, 'adir/.adir'))).to.equal(false);
    });
  });

  describe('11. console quoting, CR-only lines, the 65th level, a BOM', () => {
    it('the QEMU console quoting refuses control characters itself (Ctrl-C, Ctrl-D, Ctrl-U, ...)', () => {
      expect(() => shq('a\x03b')).to.throw("refusing to type control character 0x03 (Ctrl-C) on the guest console");
      expect(() => shq('a\x04')).to.throw('0x04 (Ctrl-D)');
      expect(() => shq('\x15x')).to.throw('0x15 (Ctrl-U)');
      for (const c of ['\0', '\t', '\n', '\r', '\x1b', '\x7f', '\x9b']) expect(() => shq(`x${c}y`), JSON.stringify(c)).to.throw(/refusing to type control character/);
      expect(shq("ee300000.sata'; reboot")).to.equal(`'ee300000.sata'\\''; reboot'`);
    });

    it('CR-only line endings are line breaks: positions and excerpts as an editor shows them', () => {
      const f = write('suites/cr.yaml', 'suite: cr\rboards: [evb]\rscenarios:\r  - { name: s, steps: [boot], bogus: 1 }\r');
      const d = validatePaths([path.join(dir, f)]).diagnostics;
      expect(d.map((x) => formatDiagnostic({ ...x, file: 'suites/cr.yaml' }))).to.deep.equal(['suites/cr.yaml:4:31: error: unknown key "bogus"\n  - { name: s, steps: [boot], bogus: 1 }\n                              ^~~~~']);
      writeFileSync(path.join(dir, f), Buffer.concat([Buffer.from('suite: cr\rboards: [evb]\rx: caf'), Buffer.from([0xe9]), Buffer.from('\r')]));
      expect(errors([f])).to.deep.equal(['suites/cr.yaml:3:7: error: invalid UTF-8: byte 0xe9 at byte offset 30 (boards and suites are UTF-8 text)']);
    });

    it('nesting past 64 levels is reported at the 65th level, however deep the file goes', () => {
      write('suites/deep.yaml', `suite: deep\nx: ${'['.repeat(5000)}${']'.repeat(5000)}\n`);
      write('suites/dash.yaml', `suite: dash\nx:\n  ${'- '.repeat(5000)}a\n`);
      write('suites/shallow.yaml', `suite: shallow\nx:\n  ${'- '.repeat(70)}a\n`);
      expect(errors(['suites/deep.yaml', 'suites/dash.yaml', 'suites/shallow.yaml'])).to.deep.equal([
        'suites/deep.yaml:2:67: error: nested deeper than 64 levels',
        'suites/dash.yaml:3:129: error: nested deeper than 64 levels',
        'suites/shallow.yaml:3:129: error: nested deeper than 64 levels',
      ]);
    });

    it('the column after a byte-order mark counts from the first character, not the mark', () => {
      writeFileSync(path.join(dir, 'suites/bom.yaml'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('suite: bom caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
      expect(errors(['suites/bom.yaml'])).to.deep.equal(['suites/bom.yaml:1:15: error: invalid UTF-8: byte 0xe9 at byte offset 17 (boards and suites are UTF-8 text)']);
      writeFileSync(path.join(dir, 'suites/bom.yaml'), '\ufeffsuite: bom\nboards: [evb]\nscenarios: [{ name: s, steps: [boot] }]\nbogus: 1\n');
      writeFileSync(path.join(dir, 'suites/bom1.yaml'), '\ufeffsuite: bomx\nboards: [evb]\nscenarios: [{ name: s, steps: [boot] }]\n');
      expect(errors(['suites/bom.yaml', 'suites/bom1.yaml'])).to.deep.equal([
        'suites/bom.yaml:4:1: error: unknown key "bogus"; expected "suite", "description", "reference", "boards", "kernels" or "scenarios"',
        'suites/bom1.yaml:1:8: error: suite id "bomx" does not match the file name (expected "bom1")',
      ]);
    });
  });

  describe('10. out-of-range values', () => {
    it('every other bound of the schema: ids, names, log text, stream ids, IRQs, counts, fail-probe times', () => {
      const id = 'b'.repeat(129);
      write(`boards/${id}.yaml`, BOARD.replace('board: evb', `board: ${id}`));
      write('boards/bounds.yaml', BOARD.replace('board: evb', 'board: bounds').replace('ids: [0]', 'ids: [4294967296]').replace('      - dmam-alloc: 2048', `      - dmam-alloc: 2048\n      - request-irq: 4294967296\n      - log: ${'l'.repeat(1025)}`));
      write('suites/counts.yaml', 'suite: counts\nboards: [evb]\nscenarios:\n  - name: s\n    steps:\n      - fail-probe: { device: ee300000.sata, error: -ENOMEM, times: 1000001 }\n      - boot\n    expect: { count: [{ pattern: x, times: 1000001 }] }\n');
      expect(errors([`boards/${id}.yaml`, 'boards/bounds.yaml', 'suites/counts.yaml'])).to.deep.equal([
        `boards/${id}.yaml:1:8: error: board id is 129 characters long (the limit is 128)`,
        'boards/bounds.yaml:10:85: error: "ids" item must be at most 4294967295, not 4294967296',
        'boards/bounds.yaml:15:22: error: "request-irq" must be at most 4294967295, not 4294967296',
        'boards/bounds.yaml:16:14: error: "log" is 1025 characters long (the limit is 1024)',
        'suites/counts.yaml:6:69: error: "times" must be at most 1000000, not 1000001',
        'suites/counts.yaml:8:44: error: "times" must be at most 1000000, not 1000001',
      ]);
    });

    // +1 is refused with the others: a probe returns a negative errno, and the issue names +1 out of range
    it('a memory base of 2^64, a size of 1e308, fail-probe errors of -10^9, 0 and +1', () => {
      write('boards/wide.yaml', BOARD.replace('board: evb', 'board: wide').replace('  - { base: 0x40000000, size: 0x40000000 }', '  - { base: 18446744073709551616, size: 0x40000000 }\n  - { base: 0x40000000, size: 1e308 }\n  - { base: 0xfffffffff0000, size: 0x100000 }'));
      write(
        'suites/errnos.yaml',
        'suite: errnos\nboards: [evb]\nscenarios:\n  - name: s\n    steps:\n      - fail-probe: { device: ee300000.sata, error: -1000000000 }\n      - fail-probe: { device: ee300000.sata, error: 0 }\n      - fail-probe: { device: ee300000.sata, error: +1 }\n      - boot\n',
      );
      expect(errors(['boards/wide.yaml', 'suites/errnos.yaml'])).to.deep.equal([
        'boards/wide.yaml:6:13: error: "base" must be at most 4503599627370495, not 18446744073709552000',
        'boards/wide.yaml:7:31: error: "size" must be at most 4503599627370496, not 1e+308',
        'boards/wide.yaml:8:36: error: the bank ends at 0x100000000f0000, past 2^52 (the widest physical address of arm64 and x86-64)',
        'suites/errnos.yaml:6:53: error: "error" must be an errno from -4095 (-MAX_ERRNO) to -1, as the kernel returns it, such as -ENOMEM or -5, not -1000000000',
        'suites/errnos.yaml:7:53: error: "error" must be an errno from -4095 (-MAX_ERRNO) to -1, as the kernel returns it, such as -ENOMEM or -5, not 0',
        'suites/errnos.yaml:8:53: error: "error" must be an errno from -4095 (-MAX_ERRNO) to -1, as the kernel returns it, such as -ENOMEM or -5, not 1',
      ]);
    });
  });
});
