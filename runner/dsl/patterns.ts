// Log patterns and ${device} substitution, shared by the checker and the compiler so
// both see exactly the same strings.

import type { Pattern } from './plan.js';
import type { PatternDoc } from './doc-types.js';
import { MAX_REGEX_LENGTH } from './limits.js';

const VAR = /\$\{([^}]*)\}/g;

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

/** Every string inside a plain value, replaced; regex sources get the value escaped. */
export function substituteDeep<T>(value: T, vars: Record<string, string>): T {
  if (typeof value === 'string') return substitute(value, vars) as T;
  if (Array.isArray(value)) return value.map((v) => substituteDeep(v, vars)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = k === 'regex' && typeof v === 'string' ? substitute(v, vars, true) : substituteDeep(v, vars);
    }
    return out as T;
  }
  return value;
}

export function toPattern(p: PatternDoc): Pattern {
  return typeof p === 'string' ? { kind: 'literal', text: p } : { kind: 'regex', source: pythonToJsRegex(p.regex) };
}

/** The JavaScript error message when a regex does not compile or could backtrack catastrophically, else undefined. */
export function regexError(source: string): string | undefined {
  if (source.length > MAX_REGEX_LENGTH) return `/${source.slice(0, 40)}.../: longer than ${MAX_REGEX_LENGTH} characters`;
  const js = pythonToJsRegex(substitute(source, { device: 'dev' }));
  try {
    new RegExp(js);
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  const nested = nestedQuantifier(js);
  if (nested) return `/${source}/: the nested quantifier "${nested}" can backtrack catastrophically (a repeated group that itself repeats without bound); write it without the outer repetition`;
  return undefined;
}

/**
 * The first group that repeats without bound (*, +, {n,} or {n,m} with m > 10) and
 * contains an unbounded repetition itself, as in (a+)+ or (\w*\s?)*: the shape of
 * regexes whose backtracking grows exponentially with the line. Undefined if none.
 * Patterns are checked statically, not time-boxed: JavaScript cannot interrupt a match.
 */
export function nestedQuantifier(re: string): string | undefined {
  // each open group: where it starts, and whether it holds an unbounded repetition
  const stack: { start: number; unbounded: boolean }[] = [{ start: 0, unbounded: false }];
  const quantifierAt = (i: number): { end: number; unbounded: boolean; max: number } | undefined => {
    const c = re[i];
    if (c === '*' || c === '+') return { end: i + 1, unbounded: true, max: Infinity };
    if (c === '?') return { end: i + 1, unbounded: false, max: 1 };
    if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(re.slice(i));
      if (!m) return undefined;
      const max = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]);
      return { end: i + m[0].length, unbounded: max === Infinity, max };
    }
    return undefined;
  };
  let i = 0;
  while (i < re.length) {
    const c = re[i]!;
    let atomEnd: number;
    let group: { start: number; unbounded: boolean } | undefined;
    if (c === '\\') atomEnd = i + 2;
    else if (c === '[') {
      let j = i + 1;
      if (re[j] === '^') j++;
      if (re[j] === ']') j++;
      while (j < re.length && re[j] !== ']') j += re[j] === '\\' ? 2 : 1;
      atomEnd = j + 1;
    } else if (c === '(') {
      stack.push({ start: i, unbounded: false });
      i++;
      continue;
    } else if (c === ')') {
      group = stack.length > 1 ? stack.pop()! : undefined;
      atomEnd = i + 1;
    } else atomEnd = i + 1;
    const q = quantifierAt(atomEnd);
    if (q) {
      const repeats = q.unbounded || q.max > 10;
      if (group && group.unbounded && repeats) return re.slice(group.start, q.end);
      if (q.unbounded) stack[stack.length - 1]!.unbounded = true;
      i = q.end;
      if (re[i] === '?') i++;
    } else i = atomEnd;
    // a closed group's repetition makes its parent hold one too
    if (group?.unbounded) stack[stack.length - 1]!.unbounded = true;
  }
  return undefined;
}

/**
 * A glob over device names: * any run, ? one character, [...] a class. Never throws: a
 * class that is not a valid regex class (such as [z-a]) matches its characters literally.
 */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      const cls = end < 0 ? undefined : '[' + glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\') + ']';
      if (cls === undefined || !validRegex(cls)) re += '\\[';
      else {
        re += cls;
        i = end;
      }
    } else re += escapeRegex(c);
  }
  return new RegExp(`^${re}$`);
}

function validRegex(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}
