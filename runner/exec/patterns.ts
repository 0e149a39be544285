// Log patterns compiled once per run: a literal is a substring test, a regex is a
// RegExp built once. Matching never sees the timestamp, only the message.

import type { Pattern } from '../dsl/plan.js';

export interface Matcher {
  test(text: string): boolean;
  /** how the pattern reads in a diagnostic: "text" or /source/ */
  readonly display: string;
  /** the words a near miss should share with a line */
  readonly words: readonly string[];
}

// Plans of one scenario expanded over boards × kernels often share pattern objects,
// so a compiled matcher is reused for as long as its pattern lives.
const cache = new WeakMap<Pattern, Matcher>();

export function compilePattern(p: Pattern): Matcher {
  let m = cache.get(p);
  if (!m) {
    m = p.kind === 'literal' ? literalMatcher(p.text) : regexMatcher(p.source);
    cache.set(p, m);
  }
  return m;
}

export function literalMatcher(text: string): Matcher {
  return {
    test: (line) => line.includes(text),
    display: JSON.stringify(text),
    words: wordsOf(text),
  };
}

function regexMatcher(source: string): Matcher {
  // Python's (?P<name> is rewritten by the compiler; accept it here too for hand-made plans.
  const re = new RegExp(source.replace(/\(\?P</g, '(?<'));
  return {
    test: (line) => re.test(line),
    display: `/${source}/`,
    // the literal runs of the source are what a person meant to see in the line
    words: wordsOf(source.replace(/\\[dDwWsSbB]|[\\^$.*+?()[\]{}|]/g, ' ')),
  };
}

export function wordsOf(text: string): string[] {
  return text.split(/[^A-Za-z0-9_:.-]+/).filter((w) => w.length > 0);
}
