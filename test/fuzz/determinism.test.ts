// The same input gives the same bytes, end to end: every shipped suite through the
// built CLI twice (in-process, then on two worker threads), and the plan twice.

import { expect } from 'chai';
import { bringup } from '../cli/helpers.js';
import { ROOT } from './lib/loader.js';

describe('fuzz/determinism of the shipped suites', function () {
  this.timeout(120000);

  it('bringup run prints the same bytes twice, with --jobs 1 and --jobs 2, in json', async () => {
    for (const format of ['json']) {
      const a = await bringup(['run', '--format', format, '--no-error-on-fail'], {}, ROOT);
      const b = await bringup(['run', '--format', format, '--no-error-on-fail', '--jobs', '2'], {}, ROOT);
      expect(a.exitCode, a.stderr).to.equal(0);
      expect(a.stdout.length).to.be.greaterThan(1000);
      expect(b.stdout === a.stdout, `${format} output differs between two runs`).to.equal(true);
    }
  });

  it('bringup plan prints the same bytes twice', async () => {
    const a = await bringup(['plan', 'suites'], {}, ROOT);
    const b = await bringup(['plan', 'suites'], {}, ROOT);
    expect(a.exitCode, a.stderr).to.equal(0);
    expect(b.stdout === a.stdout).to.equal(true);
  });
});
