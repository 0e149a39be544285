// Bad command-line usage is answered, never a crash: every command names the option it
// does not know and points at its help.

import { expect } from 'chai';
import { bringup } from './helpers.js';

describe('cli usage errors', () => {
  for (const cmd of ['validate', 'plan', 'log', 'kernels', 'boards', 'compare']) {
    it(`${cmd} --bogus exits 2 with the option named`, async () => {
      const r = await bringup([cmd, '--bogus']);
      expect(r.exitCode).to.equal(2);
      expect(r.stderr).to.include(`bringup ${cmd}: unknown option --bogus\n(see bringup help ${cmd})\n`);
      expect(r.stderr).to.not.include('To specify a positional argument');
      expect(r.stderr).to.not.include('internal error');
    });
  }

  it('run --bogus is invalid input: Bail out! and exit 1, as kselftest', async () => {
    const r = await bringup(['run', '--bogus']);
    expect(r.exitCode).to.equal(1);
    expect(r.stdout).to.equal('Bail out! unknown option --bogus\n');
  });

  it('run with a --log-dir that cannot be a directory: Bail out!, exit 1, nothing run', async () => {
    const r = await bringup(['run', '--log-dir', '/dev/null']);
    expect(r.exitCode).to.equal(1);
    expect(r.stdout).to.equal("Bail out! cannot use --log-dir /dev/null: EEXIST: file already exists, mkdir '/dev/null'\n");
    expect(r.stderr).to.not.include('internal error');
    expect(r.stderr).to.not.match(/passed|PASS/);
  });

  it('run whose --output cannot be written says so and exits 1', async () => {
    const r = await bringup(['run', '--output', '/dev/full']);
    expect(r.exitCode).to.equal(1);
    expect(r.stderr).to.include('bringup run: cannot write the results: ENOSPC: no space left on device');
    expect(r.stderr).to.not.include('internal error');
  });

  it('an unknown command lists the commands and exits 2', async () => {
    const r = await bringup(['frobnicate']);
    expect(r.exitCode).to.equal(2);
    expect(r.stderr).to.include('bringup: unknown command "frobnicate"');
    expect(r.stderr).to.include('commands:');
  });
});
