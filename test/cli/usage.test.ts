// Bad command-line usage is answered, never a crash: every command names the option it
// does not know and points at its help.

import { expect } from 'chai';
import { bringup } from './helpers.js';

describe('cli usage errors', () => {
  for (const cmd of ['validate', 'plan', 'log', 'kernels', 'boards', 'compare']) {
    it(`${cmd} --bogus exits 2 with the option named`, async () => {
      const r = await bringup([cmd, '--bogus']);
      expect(r.exitCode).to.equal(2);
      expect(r.stderr).to.include(`bringup ${cmd}: Unknown option '--bogus'`);
      expect(r.stderr).to.not.include('internal error');
    });
  }

  it('run --bogus is invalid input: Bail out! and exit 1, as kselftest', async () => {
    const r = await bringup(['run', '--bogus']);
    expect(r.exitCode).to.equal(1);
    expect(r.stdout).to.match(/^Bail out! Unknown option '--bogus'/);
  });

  it('an unknown command lists the commands and exits 2', async () => {
    const r = await bringup(['frobnicate']);
    expect(r.exitCode).to.equal(2);
    expect(r.stderr).to.include('bringup: unknown command "frobnicate"');
    expect(r.stderr).to.include('commands:');
  });
});
