// Which commands start with the late tier-up of runner/cli/tier-up.ts, and that a user's own
// V8 setting wins. (Its speed is a bench row, not a test.)

import { expect } from 'chai';
import { COMMANDS } from '../../runner/cli/registry.js';
import { userChoseBudget } from '../../runner/cli/tier-up.js';

describe('V8 tier-up policy of the commands', () => {
  it('only the search (explore) keeps V8\'s default: it runs for seconds, where early optimisation pays', () => {
    const longLived = Object.entries(COMMANDS).filter(([, c]) => c.longLived).map(([name]) => name);
    expect(longLived).to.deep.equal(['explore']);
  });

  it('a budget the user gave node (argument or NODE_OPTIONS, either spelling) is left alone', () => {
    expect(userChoseBudget(['--interrupt-budget=1000'], '')).to.equal(true);
    expect(userChoseBudget([], '--max-old-space-size=100 --interrupt_budget=5')).to.equal(true);
    expect(userChoseBudget(['--interrupt-budget', '7'], '')).to.equal(true);
    expect(userChoseBudget(['--interrupt-budget-for-feedback-allocation=9'], '--no-opt')).to.equal(false);
    expect(userChoseBudget([], '')).to.equal(false);
  });
});
