// Properties of the loader's fast paths against the slow paths they stand in for: the fast
// YAML parser against `yaml` (same value, same position of every node a diagnostic can
// point at), and the matcher of a user regex (literal prefilters, indexOf chains) against
// RE2 itself. A fast path that answers differently changes a verdict or a position
// without any error, which no other property would see.

import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { RE2JS } from 're2js';
import { fastParse } from '../../../runner/dsl/fast-yaml.js';
import { compileUserRegex, regexProblem, toRe2 } from '../../../runner/dsl/patterns.js';
import { SourceFile, type DataPath } from '../../../runner/dsl/source.js';
import { applyTextEdits, mutationCase, mutantText, type Workspace } from './loader.js';
import type { NamedProperty } from './loader.js';

/** every data path of a value (keys and indexes), plus a few that stop short */
function paths(value: unknown, at: (string | number)[] = [], out: DataPath[] = []): DataPath[] {
  out.push(at);
  if (Array.isArray(value)) {
    value.forEach((v, i) => paths(v, [...at, i], out));
    out.push([...at, value.length]);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out);
    out.push([...at, 'no-such-key']);
  } else if (at.length) out.push([...at, 'below-a-scalar']);
  return out;
}

/** undefined when the fast parser declined the text or read it as yaml does; else what differs */
export function parserDisagreement(text: string): string | undefined {
  if (!fastParse(text)) return undefined;
  const fast = new SourceFile('f.yaml', text);
  const slow = new SourceFile('f.yaml', text, 'yaml');
  if (fast.via !== 'fast') return 'the fast parser took it, the SourceFile did not use it';
  if (!slow.parsed || slow.diagnostics.length) return `the fast parser took it, yaml reports ${slow.diagnostics.map((d) => d.message).join('; ') || 'a failed parse'}`;
  if (!isDeepStrictEqual(fast.data, slow.data)) return `values differ: ${JSON.stringify(fast.data)} vs ${JSON.stringify(slow.data)}`;
  for (const p of paths(slow.data)) {
    for (const where of ['value', 'key'] as const) {
      const a = fast.span(p, where);
      const b = slow.span(p, where);
      if (!isDeepStrictEqual(a, b)) return `span of the ${where} at /${p.join('/')}: ${JSON.stringify(a)} (fast) vs ${JSON.stringify(b)} (yaml)`;
    }
    if (fast.hasKey(p) !== slow.hasKey(p)) return `hasKey /${p.join('/')}`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------
// user regexes

// pieces of a pattern: text (surrogate halves, a line break and RE2's metacharacters
// escaped among it), the ".*" joins of a literal chain, anchors, and what leaves a chain
const LITERAL = ['a', 'b', 'ab', 'x', '-', ' ', ':', '0', 'é', 'e\u0301', '😀', '\ud83d', '\ude00', '\\.', '\\(', '\\)', '\\*', '\\$', '\\^', '\\[', '\\\\', '\\/', '\\-', '\\{', '\\|'];
const OTHER = ['.', '.+', '.?', '.*?', '.{2}', 'a*', 'b?', 'a+', '[a-c]', '[^a]', '(a|b)', '(?:ab)', '\\d', '\\s', '\\w+', '\\b', '(?i)', '\\u00e9', '\\x41', '\\n', '$', '^', '[^]', '\\ud83d'];

const regexArb = fc
  .tuple(
    fc.boolean(),
    fc.array(fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...LITERAL) }, { weight: 3, arbitrary: fc.constant('.*') }, { weight: 1, arbitrary: fc.constantFrom(...OTHER) }), { minLength: 1, maxLength: 8 }),
    fc.boolean(),
  )
  .map(([start, parts, end]) => (start ? '^' : '') + parts.join('') + (end ? '$' : ''));

/** the text a pattern's literal pieces stand for (what a line must hold to match) */
function unescaped(source: string): string {
  return source.replace(/\\(.)/g, '$1').replace(/[\^$]|\.\*/g, '');
}

const LINE_BITS = ['a', 'b', 'x', ' ', '-', ':', '.', '0', 'é', 'e\u0301', '😀', '\ud83d', '\ude00', '\n', '\r', '(', ')', '*', '$', '^', '\\', 'A', '\u2028'];

const lineArb = (source: string) =>
  fc
    .array(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...LINE_BITS) }, { weight: 2, arbitrary: fc.constant(unescaped(source)) }, { weight: 1, arbitrary: fc.constant(source) }), { maxLength: 6 })
    .map((xs) => xs.join(''));

export interface DslStats {
  /** inputs the fast path took (the fast parser read the text; the checker accepted the regex) */
  taken: number;
  /** inputs it declined, which the slow path alone answers */
  declined: number;
  /** lines matched by both */
  lines: number;
}

export function dslProperties(ws: Workspace, stats: Record<string, DslStats> = {}): NamedProperty[] {
  const count = (name: string, taken: boolean, lines: number) => {
    const s = (stats[name] ??= { taken: 0, declined: 0, lines: 0 });
    if (taken) s.taken++;
    else s.declined++;
    s.lines += lines;
  };
  // the mutants of the loader properties, and character-level edits of them
  const fastYaml = fc.property(mutationCase(ws), (c) => {
    const f = ws.shipped[c.file % ws.shipped.length]!;
    const text = applyTextEdits(mutantText(f, { ...c, edits: [] }), c.edits);
    const why = parserDisagreement(text);
    if (why) throw new Error(`${why}\n--- the document:\n${text.length > 4000 ? `${text.slice(0, 4000)}...` : text}`);
    count('dsl: fast YAML parser agrees with yaml', fastParse(text) !== undefined, 0);
  });
  const userRegex = fc.property(
    regexArb.chain((source) => fc.tuple(fc.constant(source), fc.array(lineArb(source), { minLength: 1, maxLength: 8 }))),
    ([source, lines]) => {
      if (regexProblem(source)) return count('dsl: user regex matchers agree with RE2', false, 0);
      const t = toRe2(source);
      if (!('re2' in t)) throw new Error(`/${source}/: the checker accepted it, toRe2 did not: ${t.message}`);
      const oracle = RE2JS.compile(t.re2);
      const m = compileUserRegex(source);
      for (const line of lines) {
        const want = oracle.test(line);
        const got = m.test(line);
        if (got !== want) throw new Error(`/${source}/ on ${JSON.stringify(line)}: the matcher says ${got}, RE2 says ${want}`);
      }
      count('dsl: user regex matchers agree with RE2', true, lines.length);
    },
  );
  return [
    { name: 'dsl: fast YAML parser agrees with yaml', property: fastYaml },
    { name: 'dsl: user regex matchers agree with RE2', property: userRegex },
  ];
}
