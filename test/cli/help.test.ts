// `bringup help <command>` is a manual page with examples that really parse, and the
// bash and zsh completions offer the commands, options and values the tables declare.

import { expect } from 'chai';
import { execa } from 'execa';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { COMMANDS } from '../../runner/cli/registry.js';
import { parseOptions } from '../../runner/cli/options.js';
import { FORMATS } from '../../runner/report/index.js';
import { bringup, FIXTURES, ROOT } from './helpers.js';

/** Shell words of a command line (quotes removed), up to a pipe. */
function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) {
    const w = m[1] ?? m[2] ?? m[3]!;
    if (m[3] === '|' || m[3]?.startsWith('>')) break;
    out.push(w);
  }
  return out;
}

describe('cli: bringup help <command>', function () {
  this.timeout(120_000);

  for (const name of Object.keys(COMMANDS)) {
    it(`help ${name}: a manual page`, async () => {
      const cmd = await COMMANDS[name]!.load();
      const r = await bringup(['help', name]);
      expect(r.exitCode).to.equal(0);
      if (!cmd.doc) {
        // a command that only has help text gets it verbatim
        expect(r.stdout).to.equal(cmd.help);
        return;
      }
      const sections = r.stdout.split('\n').filter((l) => /^[A-Z][A-Z ]+$/.test(l));
      expect(sections).to.include.members(['NAME', 'SYNOPSIS', 'DESCRIPTION', 'OPTIONS', 'EXAMPLES', 'EXIT STATUS', 'SEE ALSO']);
      expect(r.stdout).to.include(`    bringup ${name} - ${cmd.doc.summary}\n`);
      for (const o of cmd.doc.options) expect(r.stdout, o.name).to.match(new RegExp(`^    (-${o.short}, )?--${o.name}\\b`, 'm'));
      expect(cmd.doc.examples.length).to.be.greaterThan(1);
      // every example is a command line bringup accepts
      for (const e of cmd.doc.examples) {
        const w = words(e.command.replace(/^.*?(bringup )/, '$1'));
        expect(w.slice(0, 2), e.command).to.deep.equal(['bringup', name]);
        expect(() => parseOptions(w.slice(2).filter((x) => !x.startsWith('<(')), cmd.doc!.options), e.command).to.not.throw();
      }
      // --help is the short form of the same table
      const short = await bringup([name, '--help']);
      expect(short.stdout).to.match(new RegExp(`^usage: bringup ${name}`));
      expect(short.stdout).to.include(`(more, with examples: bringup help ${name})`);
    });
  }

  it('help of an unknown command suggests the nearest', async () => {
    const r = await bringup(['help', 'valdate']);
    expect(r.exitCode).to.equal(2);
    expect(r.stderr).to.match(/^bringup: unknown command "valdate" \(did you mean "validate"\?\)/);
    const top = await bringup(['help']);
    expect(top.exitCode).to.equal(0);
    expect(top.stdout).to.include('`bringup help <command>` prints a command\'s manual page');
  });

  it('an unknown option of every command gets bringup\'s message with a did-you-mean', async () => {
    const cases: [string[], string][] = [
      [['run', '--lst'], 'Bail out! unknown option --lst (did you mean --list?)\n'],
      [['validate', '--diagnostic', 'json'], 'bringup validate: unknown option --diagnostic (did you mean --diagnostics?)\n'],
      [['plan', 'demo', '--kernal', 'v5.1'], 'bringup plan: unknown option --kernal (did you mean --kernel?)\n'],
      [['log', 'demo', '--scenrio', 'probe'], 'bringup log: unknown option --scenrio (did you mean --scenario?)\n'],
      [['kernels', '--jsn'], 'bringup kernels: unknown option --jsn (did you mean --json?)\n'],
      [['boards', '--jsno'], 'bringup boards: unknown option --jsno (did you mean --json?)\n'],
      [['compare', '--tagets', 'model'], 'bringup compare: unknown option --tagets (did you mean --targets?)\n'],
      [['completion', '--shel'], 'bringup completion: unknown option --shel\n'],
      [['explore', 'odroid-m1', '--dept', '2'], 'bringup explore: unknown option --dept (did you mean --depth?)\n'],
      [['merge', '--formt', 'tap', 'x.json'], 'bringup merge: unknown option --formt (did you mean --format?)\n'],
    ];
    for (const [args, first] of cases) {
      const r = await bringup(args);
      const out = args[0] === 'run' ? r.stdout : r.stderr;
      expect(out.startsWith(first), `${args.join(' ')}: ${out}`).to.equal(true);
      expect(r.stderr + r.stdout).to.not.match(/To specify a positional argument|Unknown option '/);
      expect(r.exitCode).to.equal(args[0] === 'run' ? 1 : 2);
    }
  });
});

describe('cli: bash and zsh completion', function () {
  this.timeout(120_000);
  let tmp: string;
  before(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), 'bringup-complete-'));
    writeFileSync(path.join(tmp, 'bringup.bash'), (await bringup(['completion', 'bash'])).stdout);
    writeFileSync(path.join(tmp, '_bringup'), (await bringup(['completion', 'zsh'])).stdout);
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  // what the shells offer, from the test fixtures' boards/ and suites/
  const CASES: [string, string[]][] = [
    ['ru', ['run']],
    ['help co', ['compare', 'completion']],
    ['completion ', ['bash', 'zsh']],
    ['run --fo', ['--format']],
    ['run --format ', [...FORMATS].sort()],
    ['run --format j', FORMATS.filter((f) => f.startsWith('j')).sort()],
    ['run --board ', ['demo-h3', 'demo-rk']],
    ['run --kernel v5.2', ['v5.2']],
    ['run --shard-t', ['--shard-total']],
    ['run dem', ['demo']],
    ['log --sc', ['--scenario']],
    ['validate --diagnostics ', ['json', 'text']],
  ];

  it('bash', async () => {
    for (const [line, want] of CASES) {
      const w = line.split(' ');
      const script = `source ${JSON.stringify(path.join(tmp, 'bringup.bash'))}; COMP_WORDS=(bringup ${w.map((x) => `'${x}'`).join(' ')}); COMP_CWORD=${w.length}; _bringup; printf '%s\\n' "\${COMPREPLY[@]}"`;
      const r = await execa('bash', ['--norc', '-c', script], { cwd: FIXTURES, reject: false });
      expect(r.stdout.split('\n').filter(Boolean).sort(), line).to.deep.equal(want);
    }
    // "--format=" is split at "=" by bash
    const r = await execa('bash', ['--norc', '-c', `source ${path.join(tmp, 'bringup.bash')}; COMP_WORDS=(bringup run --format = t); COMP_CWORD=4; _bringup; printf '%s\\n' "\${COMPREPLY[@]}"`], { cwd: FIXTURES });
    expect(r.stdout.split('\n').sort()).to.deep.equal(['tap', 'tap14']);
  });

  it('zsh', async function () {
    const zsh = await execa('zsh', ['--version'], { reject: false });
    if (zsh.exitCode !== 0) {
      console.log('      (skipped: zsh is not installed; .ci/run installs it)');
      this.skip();
    }
    const driver = path.join(ROOT, 'test/cli/shell/zsh-complete.zsh');
    for (const [line, want] of CASES) {
      const r = await execa('zsh', ['-f', driver, tmp, FIXTURES, line], { reject: false, timeout: 30_000 });
      expect(r.stdout.split('\n').filter(Boolean), `${line}: ${r.stderr}`).to.deep.equal(want);
    }
  });
});
