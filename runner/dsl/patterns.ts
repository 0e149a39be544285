// Log patterns and ${device} substitution, shared by the checker and the compiler so
// both see exactly the same strings.

import type { Pattern } from './plan.js';
import type { PatternDoc } from './doc-types.js';
import { createRequire } from 'node:module';
import type { RE2JS } from 're2js';
import { MAX_REGEX_LENGTH } from './limits.js';

const VAR = /\$\{([^}]*)\}/g;

// re2js is loaded on first use: the patterns of most suites are literal chains (below),
// matched without it
const require = createRequire(import.meta.url);
let re2js: typeof import('re2js') | undefined;
function re2(): typeof RE2JS {
  return (re2js ??= require('re2js') as typeof import('re2js')).RE2JS;
}

// RE2 programs by RE2 source, shared by the checker and the matcher: a pattern without
// variables is compiled once for both (compiling is most of a cold run's regex cost).
// A program is immutable; bounded like the answers below.
const PROGRAMS = new Map<string, RE2JS>();
const MAX_PROGRAMS = 4096;

/** RE2's program for `pattern` (RE2 syntax), compiled at most once; throws RE2's syntax error. */
function program(pattern: string): RE2JS {
  let re = PROGRAMS.get(pattern);
  if (!re) {
    re = re2().compile(pattern);
    if (PROGRAMS.size >= MAX_PROGRAMS) PROGRAMS.clear();
    PROGRAMS.set(pattern, re);
  }
  return re;
}

/** Python's named groups, which twister and LAVA patterns use, in JavaScript spelling. */
export function pythonToJsRegex(source: string): string {
  return source.replace(/\(\?P</g, '(?<').replace(/\(\?P=([A-Za-z_][A-Za-z0-9_]*)\)/g, '\\k<$1>');
}

export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The variables a string uses, e.g. ["device"]. */
export function variablesIn(text: string): string[] {
  return [...text.matchAll(VAR)].map((m) => m[1]!);
}

export function substitute(text: string, vars: Record<string, string>, escape = false): string {
  return text.replace(VAR, (whole, name: string) => {
    const v = vars[name];
    if (v === undefined) return whole;
    return escape ? escapeRegex(v) : v;
  });
}

/**
 * Every string inside a plain value, replaced; regex sources get the value escaped. What
 * holds no variable is the value itself, not a copy: a for-each scenario is substituted once
 * per device, and most of it names none (the result is read, never written).
 */
export function substituteDeep<T>(value: T, vars: Record<string, string>): T {
  if (typeof value === 'string') return (value.includes('${') ? substitute(value, vars) : value) as T;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const s = substituteDeep(v, vars);
      if (s !== v) (out ??= value.slice())[i] = s;
    }
    return (out ?? value) as T;
  }
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    let out: Record<string, unknown> | undefined;
    const keys = Object.keys(obj);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const v = obj[k];
      const s = k === 'regex' && typeof v === 'string' ? (v.includes('${') ? substitute(v, vars, true) : v) : substituteDeep(v, vars);
      if (s !== v) (out ??= { ...obj })[k] = s;
    }
    return (out ?? value) as T;
  }
  return value;
}

export function toPattern(p: PatternDoc): Pattern {
  return typeof p === 'string' ? { kind: 'literal', text: p } : { kind: 'regex', source: pythonToJsRegex(p.regex) };
}

/** Why a user regex cannot be used: the message, and where in the source (UTF-16 offset) when one construct is to blame. */
export interface RegexProblem {
  message: string;
  /** JavaScript's syntax error, whose message already shows the source */
  js?: boolean;
  offset?: number;
  length?: number;
}

const LINEAR = 'bringup matches patterns in linear time (RE2) so that no pattern can hang a run';

/**
 * A user regex (JavaScript syntax, Python's (?P<name> too) in RE2 syntax, or why not.
 * Backreferences and lookaround are refused where they stand: only a backtracking engine
 * can match them, and backtracking is what makes a pattern like (a|a)*b take exponential
 * time. The JavaScript spellings RE2 writes differently (\uXXXX, \cX, [^], []) are rewritten.
 */
export function toRe2(source: string): { re2: string } | RegexProblem {
  let out = '';
  let i = 0;
  const n = source.length;
  while (i < n) {
    const c = source[i]!;
    if (c === '\\') {
      const d = source[i + 1];
      if (d !== undefined && d >= '1' && d <= '9') {
        const m = /^\\\d+/.exec(source.slice(i))![0];
        return { message: `the backreference ${m} is not in RE2 syntax: ${LINEAR}, and a backreference cannot be matched in linear time; write the repeated text out`, offset: i, length: m.length };
      }
      if (d === 'k' && source[i + 2] === '<') {
        const end = source.indexOf('>', i);
        const m = end < 0 ? '\\k<' : source.slice(i, end + 1);
        return { message: `the named backreference ${m} is not in RE2 syntax: ${LINEAR}, and a backreference cannot be matched in linear time; write the repeated text out`, offset: i, length: m.length };
      }
      if (d === 'u' && /^[0-9A-Fa-f]{4}$/.test(source.slice(i + 2, i + 6))) {
        out += `\\x{${source.slice(i + 2, i + 6)}}`;
        i += 6;
        continue;
      }
      if (d === 'c' && /^[A-Za-z]$/.test(source[i + 2] ?? '')) {
        out += `\\x{${(source.charCodeAt(i + 2) % 32).toString(16)}}`;
        i += 3;
        continue;
      }
      out += source.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (c === '[') {
      // JavaScript classes: ] always closes (RE2 reads a leading ] as a member)
      if (source.startsWith('[^]', i)) {
        out += '[\\x{0}-\\x{10FFFF}]';
        i += 3;
        continue;
      }
      if (source.startsWith('[]', i)) {
        out += '[^\\x{0}-\\x{10FFFF}]';
        i += 2;
        continue;
      }
      let j = i + 1;
      let cls = '[';
      while (j < n && source[j] !== ']') {
        if (source[j] === '\\' && source[j + 1] === 'u' && /^[0-9A-Fa-f]{4}$/.test(source.slice(j + 2, j + 6))) {
          cls += `\\x{${source.slice(j + 2, j + 6)}}`;
          j += 6;
        } else if (source[j] === '\\') {
          cls += source.slice(j, j + 2);
          j += 2;
        } else cls += source[j++];
      }
      out += cls + (j < n ? ']' : '');
      i = j + 1;
      continue;
    }
    if (c === '(' && source[i + 1] === '?') {
      const look = /^\(\?(=|!|<=|<!)/.exec(source.slice(i));
      if (look) {
        const what = look[1]!.startsWith('<') ? 'lookbehind' : 'lookahead';
        return { message: `the ${what} ${look[0]} is not in RE2 syntax: ${LINEAR}, and RE2 has no lookaround; match the text itself, or put what must not appear in a no-log pattern`, offset: i, length: look[0].length };
      }
      const named = /^\(\?P=[A-Za-z_][A-Za-z0-9_]*\)/.exec(source.slice(i));
      if (named) {
        return { message: `the named backreference ${named[0]} is not in RE2 syntax: ${LINEAR}, and a backreference cannot be matched in linear time; write the repeated text out`, offset: i, length: named[0].length };
      }
    }
    out += c;
    i++;
  }
  return { re2: out };
}

// the answers for sources seen before: a suite repeats its patterns across scenarios and
// runs, and RE2's compile is most of a check (a fuzz run checks the same few hundred)
const PROBLEMS = new Map<string, Readonly<RegexProblem> | null>();
const MAX_PROBLEMS = 4096;

/** Why a user regex cannot be used (its JavaScript syntax error, or what RE2 cannot express), else undefined. */
export function regexProblem(source: string): Readonly<RegexProblem> | undefined {
  let p = PROBLEMS.get(source);
  if (p === undefined) {
    const found = findRegexProblem(source);
    p = found ? Object.freeze(found) : null;
    if (PROBLEMS.size >= MAX_PROBLEMS) PROBLEMS.clear();
    PROBLEMS.set(source, p);
  }
  return p ?? undefined;
}

function findRegexProblem(source: string): RegexProblem | undefined {
  if (source.length > MAX_REGEX_LENGTH) return { message: `longer than ${MAX_REGEX_LENGTH} characters` };
  try {
    // JavaScript's own syntax errors first, in its words; only constructed, never run
    new RegExp(pythonToJsRegex(substitute(source, { device: 'dev' })));
  } catch (e) {
    return { message: (e instanceof Error ? e.message : String(e)).replace(/^Invalid regular expression: /, ''), js: true };
  }
  // a placeholder of the same length keeps offsets pointing into what the user wrote
  const probe = source.replace(VAR, (whole) => 'x'.repeat(whole.length));
  const t = toRe2(probe);
  if (!('re2' in t)) return t;
  // a chain of literal text is valid RE2 whatever the text
  if (literalChain(t.re2)) return undefined;
  try {
    program(t.re2);
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).replace(/^error parsing regexp: /, '');
    return { message: `not supported by the linear-time engine (RE2): ${why}` };
  }
  return undefined;
}

/** The message a diagnostic shows: /source/ and why. */
export function regexError(source: string): string | undefined {
  const p = regexProblem(source);
  if (!p) return undefined;
  if (p.js) return p.message;
  const shown = source.length > MAX_REGEX_LENGTH ? `${source.slice(0, 40)}...` : source;
  return `/${shown}/: ${p.message}`;
}

/** A compiled user pattern: RE2 (linear time), never a backtracking JavaScript RegExp. */
export interface UserRegex {
  test(line: string): boolean;
}

export class RegexError extends Error {}

/** Compile a (substituted) user regex for matching; throws RegexError when the checker would have refused it. */
export function compileUserRegex(source: string): UserRegex {
  const t = toRe2(source);
  if (!('re2' in t)) throw new RegexError(`/${source}/: ${t.message}`);
  const chain = literalChain(t.re2);
  if (chain) {
    // RE2's "." stops at a line break: a line holding one (never a kernel log line) goes to RE2
    let full: UserRegex | undefined;
    return { test: (line) => (line.includes('\n') ? (full ??= compileRe2(source, t.re2)).test(line) : chainTest(chain, line)) };
  }
  return compileRe2(source, t.re2);
}

function compileRe2(source: string, pattern: string): UserRegex {
  const t = { re2: pattern };
  let re: RE2JS;
  try {
    re = program(t.re2);
  } catch (e) {
    throw new RegexError(`/${source}/: ${e instanceof Error ? e.message : String(e)}`);
  }
  // most lines lack the pattern's fixed text: String.includes rules them out at a tenth of the cost
  const lit = requiredLiteral(t.re2);
  return lit.length >= 2 ? { test: (line) => line.includes(lit) && re.test(line) } : { test: (line) => re.test(line) };
}

/**
 * A pattern that is literal text joined by ".*", optionally anchored (^ first, $ last), as
 * most log patterns are ("ee300000\\.sata.* failed with error -12$"): its parts, else
 * undefined. Escapes of ASCII punctuation are the character itself; anything else — a class,
 * a group, a quantifier on a character, \d — is not a chain.
 */
export interface LiteralChain {
  start: boolean;
  end: boolean;
  parts: string[];
}

const CHAIN_ESCAPABLE = '!"#$%&\'()*+,-./:;<=>?@[\\]^`{|}~';

function isQuantifier(c: string | undefined): boolean {
  return c === '*' || c === '+' || c === '?' || c === '{';
}

export function literalChain(re2: string): LiteralChain | undefined {
  // RE2 matches code points: a lone surrogate in the pattern never matches half of a pair,
  // as indexOf would (the fuzzer's matcher property found /^\ud83d/ matching an emoji)
  if (/[\ud800-\udfff]/.test(re2)) return undefined;
  let i = 0;
  const n = re2.length;
  const start = re2[0] === '^';
  if (start) i = 1;
  const parts: string[] = [];
  let cur = '';
  let end = false;
  while (i < n) {
    const c = re2[i]!;
    if (c === '\\') {
      const d = re2[i + 1];
      if (d === undefined || !CHAIN_ESCAPABLE.includes(d)) return undefined;
      cur += d;
      i += 2;
    } else if (c === '.') {
      if (re2[i + 1] !== '*' || isQuantifier(re2[i + 2])) return undefined;
      parts.push(cur);
      cur = '';
      i += 2;
    } else if (c === '$' && i === n - 1) {
      end = true;
      i++;
    } else if ('^$*+?()[]{}|'.includes(c)) return undefined;
    else {
      cur += c;
      i++;
    }
    // a quantifier after a character applies to it alone: not a chain
    if (isQuantifier(re2[i])) return undefined;
  }
  parts.push(cur);
  return { start, end, parts };
}

/** Whether a line (without a line break) has a match of the chain: each part at its first place after the one before. */
export function chainTest(chain: LiteralChain, line: string): boolean {
  const { parts } = chain;
  const last = parts.length - 1;
  if (last === 0) {
    const only = parts[0]!;
    if (chain.start && chain.end) return line === only;
    if (chain.start) return line.startsWith(only);
    if (chain.end) return line.endsWith(only);
    return line.includes(only);
  }
  let at: number;
  if (chain.start) {
    if (!line.startsWith(parts[0]!)) return false;
    at = parts[0]!.length;
  } else {
    const i = line.indexOf(parts[0]!);
    if (i < 0) return false;
    at = i + parts[0]!.length;
  }
  for (let k = 1; k < last; k++) {
    const i = line.indexOf(parts[k]!, at);
    if (i < 0) return false;
    at = i + parts[k]!.length;
  }
  const tail = parts[last]!;
  if (chain.end) return line.length - tail.length >= at && line.endsWith(tail);
  return line.indexOf(tail, at) >= 0;
}

/**
 * The longest run of plain characters every match must contain, from the top level of an
 * RE2 source (nothing under a group, class, escape of a letter or optional quantifier);
 * '' when there is an alternation or a flag group at the top level.
 */
export function requiredLiteral(re2: string): string {
  let best = '';
  let run = '';
  let depth = 0;
  const end = () => {
    if (run.length > best.length) best = run;
    run = '';
  };
  for (let i = 0; i < re2.length; i++) {
    const c = re2[i]!;
    if (c === '\\') {
      const d = re2[i + 1] ?? '';
      i++;
      if (depth > 0) continue;
      if (/[A-Za-z0-9]/.test(d)) {
        // a class or a character by its code: its argument (\x41, \x{1F600}, \pL, \p{Greek},
        // \101) is not text of the pattern (the fuzzer's matcher property found \x41 read as "41")
        if (d === 'Q') return '';
        const rest = re2.slice(i + 1);
        const braced = /^\{[^}]*\}?/.exec(rest)?.[0];
        if (d === 'x') i += (braced ?? /^[0-9A-Fa-f]{0,2}/.exec(rest)![0]).length;
        else if (d === 'p' || d === 'P') i += braced?.length ?? 1;
        else if (d >= '0' && d <= '7') i += /^[0-7]{0,2}/.exec(rest)![0].length;
        end();
        continue;
      }
      const q = re2[i + 1];
      if (q === '?' || q === '*' || q === '{') end();
      else {
        run += d;
        if (q === '+') end();
      }
      continue;
    }
    if (c === '[') {
      // a class: skip to its end (RE2 reads a leading ] as a member)
      let j = i + 1;
      if (re2[j] === '^') j++;
      if (re2[j] === ']') j++;
      while (j < re2.length && re2[j] !== ']') j += re2[j] === '\\' ? 2 : 1;
      i = j;
      if (depth === 0) end();
      continue;
    }
    if (c === '(') {
      if (depth === 0 && re2[i + 1] === '?' && re2[i + 2] !== ':' && re2[i + 2] !== 'P' && re2[i + 2] !== '<') return '';
      depth++;
      if (depth === 1) end();
      continue;
    }
    if (c === ')') {
      depth = Math.max(0, depth - 1);
      continue;
    }
    if (depth > 0) continue;
    if (c === '|') return '';
    if (c === '{') {
      // a counted repetition's digits are not text
      const m = /^\{\d*(,\d*)?\}/.exec(re2.slice(i));
      if (m) i += m[0].length - 1;
      end();
      continue;
    }
    if ('.^$*+?}'.includes(c)) {
      end();
      continue;
    }
    const q = re2[i + 1];
    if (q === '?' || q === '*' || q === '{') end();
    else {
      run += c;
      if (q === '+') end();
    }
  }
  end();
  return best;
}

/** characters in one glob (for-each device patterns and --filter) */
export const MAX_GLOB_LENGTH = 1000;

type GlobToken = { kind: 'star' } | { kind: 'any' } | { kind: 'char'; cp: number } | { kind: 'class'; negate: boolean; ranges: [number, number][] };

/** A compiled glob: test() runs in O(glob × name) time and constant extra space, whatever the input. */
export interface Glob {
  test(name: string): boolean;
  readonly source: string;
}

export class GlobError extends Error {}

function globTokens(glob: string): GlobToken[] {
  const cps = Array.from(glob, (c) => c.codePointAt(0)!);
  const out: GlobToken[] = [];
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i]!;
    if (c === 0x2a) {
      // ** is *
      if (out[out.length - 1]?.kind !== 'star') out.push({ kind: 'star' });
    } else if (c === 0x3f) out.push({ kind: 'any' });
    else if (c === 0x5b) {
      const end = cps.indexOf(0x5d, i + 1);
      const cls = end < 0 ? undefined : globClass(cps.slice(i + 1, end));
      if (!cls) out.push({ kind: 'char', cp: c });
      else {
        out.push(cls);
        i = end;
      }
    } else out.push({ kind: 'char', cp: c });
  }
  return out;
}

/** [...] with ! or ^ to negate and a-z ranges; undefined (a literal "[") when a range is reversed. */
function globClass(body: number[]): GlobToken | undefined {
  let k = 0;
  const negate = body[0] === 0x21 || body[0] === 0x5e;
  if (negate) k = 1;
  const ranges: [number, number][] = [];
  while (k < body.length) {
    const lo = body[k]!;
    if (body[k + 1] === 0x2d && k + 2 < body.length) {
      const hi = body[k + 2]!;
      if (hi < lo) return undefined;
      ranges.push([lo, hi]);
      k += 3;
    } else {
      ranges.push([lo, lo]);
      k++;
    }
  }
  return { kind: 'class', negate, ranges };
}

function tokenMatches(t: GlobToken, cp: number): boolean {
  switch (t.kind) {
    case 'any':
      return true;
    case 'char':
      return t.cp === cp;
    case 'class':
      return t.ranges.some(([lo, hi]) => cp >= lo && cp <= hi) !== t.negate;
    default:
      return false;
  }
}

/**
 * A glob over names: * any run, ? one character, [...] a class (! or ^ negates; a class
 * with a reversed range such as [z-a] is a literal "["), everything else literal. Matched
 * by the star-restart algorithm (only the latest * is ever retried), so a glob of 30 stars
 * costs what one does instead of backtracking through every split. Throws GlobError past
 * MAX_GLOB_LENGTH characters.
 */
export function compileGlob(glob: string): Glob {
  if (glob.length > MAX_GLOB_LENGTH) throw new GlobError(`glob "${glob.slice(0, 40)}..." is longer than ${MAX_GLOB_LENGTH} characters`);
  const tokens = globTokens(glob);
  return {
    source: glob,
    test(name: string): boolean {
      const s = Array.from(name, (c) => c.codePointAt(0)!);
      let p = 0;
      let i = 0;
      // where to resume after the latest star: the token after it, and the name position it has swallowed up to
      let starP = -1;
      let starI = 0;
      while (i < s.length) {
        const t = tokens[p];
        if (t?.kind === 'star') {
          starP = p++;
          starI = i;
        } else if (t && tokenMatches(t, s[i]!)) {
          p++;
          i++;
        } else if (starP >= 0) {
          p = starP + 1;
          i = ++starI;
        } else return false;
      }
      while (tokens[p]?.kind === 'star') p++;
      return p === tokens.length;
    },
  };
}

/** @deprecated the name of old: a glob is no longer a RegExp. */
export const globToRegExp = compileGlob;
