// Log patterns and ${device} substitution, shared by the checker and the compiler so
// both see exactly the same strings.

import type { Pattern } from './plan.js';
import type { PatternDoc } from './doc-types.js';

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

/** The JavaScript error message when a regex does not compile, else undefined. */
export function regexError(source: string): string | undefined {
  try {
    new RegExp(pythonToJsRegex(substitute(source, { device: 'dev' })));
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** A glob over device names: * any run, ? one character, [...] a class. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += '[' + glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\') + ']';
        i = end;
      }
    } else re += escapeRegex(c);
  }
  return new RegExp(`^${re}$`);
}
