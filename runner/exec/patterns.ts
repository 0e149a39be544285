// Log patterns compiled once and reused: a literal is a substring test, a regex an
// RE2 program built once. Matching never sees the timestamp, only the message.

import type { Pattern } from '../dsl/plan.js';
import { compileUserRegex } from '../dsl/patterns.js';

export interface Matcher {
  test(text: string): boolean;
  /** how the pattern reads in a diagnostic: "text" or /source/ */
  readonly display: string;
  /** the words a near miss should share with a line (computed on first use: failures only) */
  readonly words: readonly string[];
}

// The compiler gives every run its own pattern objects (${device} is substituted per
// run), so matchers are shared by text: one RegExp per distinct source for the whole
// process. Bounded, because a long-lived library user may feed endless patterns.
const byText = new Map<string, Matcher>();
const MAX_SHARED = 4096;
const byObject = new WeakMap<Pattern, Matcher>();

export function compilePattern(p: Pattern): Matcher {
  let m = byObject.get(p);
  if (m) return m;
  const key = p.kind === 'literal' ? `L${p.text}` : `R${p.source}`;
  m = byText.get(key);
  if (!m) {
    m = p.kind === 'literal' ? literalMatcher(p.text) : regexMatcher(p.source);
    if (byText.size >= MAX_SHARED) byText.clear();
    byText.set(key, m);
  }
  byObject.set(p, m);
  return m;
}

function lazyWords(source: () => string): { readonly words: readonly string[] } {
  let words: string[] | undefined;
  return {
    get words() {
      return (words ??= wordsOf(source()));
    },
  };
}

export function literalMatcher(text: string): Matcher {
  const w = lazyWords(() => text);
  return {
    test: (line) => line.includes(text),
    display: JSON.stringify(text),
    get words() {
      return w.words;
    },
  };
}

function regexMatcher(source: string): Matcher {
  // RE2 (linear time): a user pattern can never hang a run, whatever the line
  const re = compileUserRegex(source);
  // the literal runs of the source are what a person meant to see in the line
  const w = lazyWords(() => source.replace(/\\[dDwWsSbB]|[\\^$.*+?()[\]{}|]/g, ' '));
  return {
    // test() keeps no state, so one program serves every run
    test: (line) => re.test(line),
    display: `/${source}/`,
    get words() {
      return w.words;
    },
  };
}

export function wordsOf(text: string): string[] {
  return text.split(/[^A-Za-z0-9_:.-]+/).filter((w) => w.length > 0);
}
