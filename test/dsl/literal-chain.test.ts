// Literal chains ("text.*more text$"), matched with indexOf instead of RE2: the same
// answer as RE2 on every line, and only patterns that really are chains are taken.

import { expect } from 'chai';
import fc from 'fast-check';
import { RE2JS } from 're2js';
import { chainTest, compileUserRegex, literalChain, regexProblem, toRe2 } from '../../runner/dsl/patterns.js';

function re2Test(source: string, line: string): boolean {
  const t = toRe2(source);
  if (!('re2' in t)) throw new Error(t.message);
  return RE2JS.compile(t.re2).test(line);
}

describe('dsl/literal-chain', () => {
  it('takes literal text joined by .* with optional anchors, and nothing else', () => {
    expect(literalChain('ee300000\\.sata.* failed with error -12$')).to.deep.equal({ start: false, end: true, parts: ['ee300000.sata', ' failed with error -12'] });
    expect(literalChain('^a.*b.*c')).to.deep.equal({ start: true, end: false, parts: ['a', 'b', 'c'] });
    expect(literalChain('plain')).to.deep.equal({ start: false, end: false, parts: ['plain'] });
    for (const no of ['a+', 'a*', 'x\\.*', '.+', '.*?', '.*+', '\\d', '[ab]', '(a)', 'a|b', 'a{2}', 'a^b', 'a$b', '\\x{41}', '\\_', '\\ ', '.', 'a.b']) {
      expect(literalChain(no), no).to.equal(undefined);
    }
  });

  it('answers as RE2 does', () => {
    const piece = fc.constantFrom('a', 'b', 'ab', '.', ' ', '-12', 'ee300000\\.sata', '\\(', '\\$', ':', 'é', '');
    const pattern = fc.tuple(fc.boolean(), fc.array(piece, { minLength: 1, maxLength: 4 }), fc.boolean()).map(([s, ps, e]) => `${s ? '^' : ''}${ps.map((p) => (p === '.' ? '\\.' : p)).join('.*')}${e ? '$' : ''}`);
    const line = fc.array(fc.constantFrom('a', 'b', 'ab', '.', ' ', '-12', 'ee300000.sata', '(', '$', ':', 'é', 'x'), { maxLength: 8 }).map((xs) => xs.join(''));
    fc.assert(
      fc.property(pattern, line, (p, l) => {
        const chain = literalChain(toRe2(p) && (toRe2(p) as { re2: string }).re2);
        expect(chain, p).to.not.equal(undefined);
        expect(chainTest(chain!, l), `/${p}/ on "${l}"`).to.equal(re2Test(p, l));
        expect(compileUserRegex(p).test(l)).to.equal(re2Test(p, l));
        expect(regexProblem(p)).to.equal(undefined);
      }),
      { numRuns: 2000, seed: 19 },
    );
  });

  it('leaves a line with a line break to RE2, whose "." stops at it', () => {
    expect(compileUserRegex('a.*b').test('a\nb')).to.equal(false);
    expect(compileUserRegex('a.*b').test('a\nab')).to.equal(true);
  });
});
