// The V8 tier-up policy of runner/cli/tier-up.ts: every command starts with late
// optimisation, a long one returns to V8's default after a second of CPU, and a user's own
// V8 setting wins. (Its speed is a bench row, not a test.)

import { expect } from 'chai';
import { execa } from 'execa';
import { settleIfLongLived, SETTLE_AFTER_CPU_MS, tierUpIsLate, tierUpLate, userChoseBudget } from '../../runner/cli/tier-up.js';
import { MAIN, ROOT } from './helpers.js';

describe('V8 tier-up policy of the commands', () => {
  it('late at the start; back to V8\'s default only once the process has used a second of CPU', () => {
    // mocha is not started with --interrupt-budget, so the policy applies here
    tierUpLate();
    expect(tierUpIsLate()).to.equal(true);
    settleIfLongLived(() => SETTLE_AFTER_CPU_MS - 1);
    expect(tierUpIsLate()).to.equal(true);
    settleIfLongLived(() => SETTLE_AFTER_CPU_MS);
    expect(tierUpIsLate()).to.equal(false);
    // settling twice, or before any start, changes nothing
    settleIfLongLived(() => 10 * SETTLE_AFTER_CPU_MS);
    expect(tierUpIsLate()).to.equal(false);
  });

  it('a budget the user gave node (argument or NODE_OPTIONS, either spelling) is left alone', () => {
    expect(userChoseBudget(['--interrupt-budget=1000'], '')).to.equal(true);
    expect(userChoseBudget([], '--max-old-space-size=100 --interrupt_budget=5')).to.equal(true);
    expect(userChoseBudget(['--interrupt-budget', '7'], '')).to.equal(true);
    expect(userChoseBudget(['--interrupt-budget-for-feedback-allocation=9'], '--no-opt')).to.equal(false);
    expect(userChoseBudget([], '')).to.equal(false);
  });

  it('the same output with and without the policy (node --interrupt-budget set by hand turns it off)', async () => {
    const args = ['run', '--no-cache', 'suites/hisi-sas-probe-failure.yaml', 'suites/ipmmu-late-probe-warn.yaml'];
    const policy = await execa('node', [MAIN, ...args], { cwd: ROOT, reject: false });
    const plain = await execa('node', ['--interrupt-budget=67584', MAIN, ...args], { cwd: ROOT, reject: false });
    expect(policy.exitCode).to.equal(0);
    expect({ out: policy.stdout, code: policy.exitCode }).to.deep.equal({ out: plain.stdout, code: plain.exitCode });
  });
});
