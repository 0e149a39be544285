// The fast parser (runner/dsl/fast-yaml.ts) against the `yaml` package: whenever it takes
// a document, the value and every position a diagnostic or an assertion can ask for
// (span of each value and key, hasKey, paths that stop short) are yaml's. Shipped files,
// every YAML file of the tests, generated documents of the subset and character-level
// mutations of the shipped files (which mostly leave the subset or break the YAML: then
// the fast parser must say no).

import { expect } from 'chai';
import fc from 'fast-check';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fastParse } from '../../runner/dsl/fast-yaml.js';
import { ROOT } from '../fuzz/lib/loader.js';
import { parserDisagreement as disagreement } from '../fuzz/lib/dsl.js';

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const n of readdirSync(dir).sort()) {
    const p = path.join(dir, n);
    if (statSync(p).isDirectory()) out.push(...yamlFiles(p));
    else if (/\.ya?ml$/.test(n)) out.push(p);
  }
  return out;
}

const shipped = [...yamlFiles(path.join(ROOT, 'boards')), ...yamlFiles(path.join(ROOT, 'suites'))];
const fixtures = yamlFiles(path.join(ROOT, 'test'));

describe('dsl/fast-yaml', function () {
  this.timeout(60000);

  it('reads every shipped file, exactly as yaml does', () => {
    let taken = 0;
    for (const f of shipped) {
      const text = readFileSync(f, 'utf8');
      expect(disagreement(text), f).to.equal(undefined);
      if (fastParse(text)) taken++;
    }
    expect(taken).to.equal(shipped.length);
  });

  it('agrees with yaml on every YAML file of the tests', () => {
    for (const f of fixtures) expect(disagreement(readFileSync(f, 'utf8')), f).to.equal(undefined);
  });

  it('declines what it does not handle, and yaml then decides', () => {
    const declined = [
      'a: &x\n  b: 1\nc: *x\n', // an anchor on a block collection
      'a: *x\n', // an alias to nothing (an error)
      'a: &x 1\nb: &x 2\n', // an anchor defined twice
      'a: !!str 1\n', // tags
      'a: 1.5\n', // floats
      'a: b\n  c\n', // a plain scalar over two lines
      'a: "b\n  c"\n', // a quoted one
      'a:\tb\n', // tabs
      'a: b\r\nc: d\r\n', // CRs
      'a: 1\na: 2\n', // a duplicate key
      '--- \na: 1\n', // document markers
      'a: [b, c,]\n', // a trailing comma
      'a: b: c\n', // a compact nested map (an error)
      'a:\n- b\n', // a list at its key's indentation
      'a: |+\n  x\n\n', // keep chomping
      'a: >2\n   x\n', // an explicit indentation
      'a: "\\q"\n', // an unknown escape (an error)
      'a: [1, 2\n', // unclosed (an error)
      '- - a\n', // a compact nested list
      '? a\n: b\n', // an explicit key
      '', // empty
      '# only a comment\n',
      'a\n', // a bare scalar document
    ];
    for (const t of declined) expect(fastParse(t), JSON.stringify(t)).to.equal(undefined);
  });

  it('takes the common shapes', () => {
    const taken: [string, unknown][] = [
      ['a: 1\nb: x\n', { a: 1, b: 'x' }],
      ['a:\n  - x\n  - { y: 0x10, z: [true, null, ~] }\n', { a: ['x', { y: 16, z: [true, null, null] }] }],
      ['a: >\n  one\n  two\n\n  three\nb: |-\n  x\n  y\n', { a: 'one two\nthree\n', b: 'x\ny' }],
      ["a: 'it''s'\nb: \"\\u00e9\\x41\\\\\"\n", { a: "it's", b: 'éA\\' }],
      ['a:   # nothing\nb: -12\n', { a: null, b: -12 }],
      ['a: [\n    x, y,\n    z]\n', { a: ['x', 'y', 'z'] }],
      ['- name: n\n  steps:\n    - boot\n    - unbind: a:b\n', [{ name: 'n', steps: ['boot', { unbind: 'a:b' }] }]],
      ['a: &o { m: x, l: [y] }\nb: *o\nc: [*o, &s "q", *s]\n', { a: { m: 'x', l: ['y'] }, b: { m: 'x', l: ['y'] }, c: [{ m: 'x', l: ['y'] }, 'q', 'q'] }],
    ];
    for (const [t, v] of taken) {
      expect(fastParse(t)?.data, JSON.stringify(t)).to.deep.equal(v);
      expect(disagreement(t), JSON.stringify(t)).to.equal(undefined);
    }
  });

  // documents of the subset, written in its various spellings
  const key = fc.constantFrom('a', 'name', 'devices', 'x-y', 'k2', '"quoted key"', "'single'", 'has space', 'dot.ted', 'c:olon');
  const plain = fc.constantFrom('*a', '&a x', '&b [1]', 'x', 'boot', 'ee300000.sata', 'HISI0162:01', '-12', '0x40', '0o17', '42', 'true', 'False', 'null', '~', 'a b  c', 'x#y', 'v6.15', '1.5', 'é ü', '[x]y');
  const quoted = fc.oneof(
    fc.string({ maxLength: 6 }).map((s) => JSON.stringify(s)),
    fc.string({ maxLength: 6 }).map((s) => `'${s.replace(/'/g, "''")}'`),
  );
  const comment = fc.constantFrom('', '', ' # c', '   #x');
  type Gen = (indent: number, depth: number) => fc.Arbitrary<string>;
  const scalar = fc.oneof(plain, quoted);
  const flow: fc.Arbitrary<string> = fc.letrec<{ f: string }>((tie) => ({
    f: fc.oneof(
      { depthSize: 'small' },
      scalar,
      fc.array(tie('f'), { maxLength: 3 }).map((xs) => `[${xs.join(', ')}]`),
      fc.array(fc.tuple(key, tie('f')), { maxLength: 3 }).map((ps) => `{ ${ps.map(([k, v]) => `${k}: ${v}`).join(', ')} }`),
    ),
  })).f;
  const block: Gen = (indent, depth) => {
    const pad = ' '.repeat(indent);
    const inline = fc.oneof(scalar, flow);
    const child = depth > 2 ? inline.map((v) => ` ${v}`) : fc.oneof(inline.map((v) => ` ${v}`), fc.constantFrom(2, 4).chain((d) => block(indent + d, depth + 1).map((b) => `\n${b.replace(/\n$/, '')}`)));
    const text = fc.tuple(fc.constantFrom('>', '>-', '|', '|-'), fc.array(fc.constantFrom('one', 'two words', '', 'x: y', '# not a comment'), { minLength: 1, maxLength: 4 })).map(([h, ls]) => {
      const lines = ls[0] === '' ? ['first', ...ls.slice(1)] : ls;
      return ` ${h}\n${lines.map((l) => (l ? `${pad}  ${l}` : '')).join('\n')}`;
    });
    const value = fc.oneof({ weight: 4, arbitrary: child }, { weight: 1, arbitrary: text }, { weight: 1, arbitrary: fc.constant('') });
    const map = fc.uniqueArray(fc.tuple(key, value, comment), { minLength: 1, maxLength: 4, selector: ([k]) => k }).map((es) => es.map(([k, v, c]) => `${pad}${k}:${v}${v.includes('\n') ? '' : c}`).join('\n') + '\n');
    const seq = fc.array(fc.tuple(fc.oneof(inline, fc.constant('')), comment), { minLength: 1, maxLength: 4 }).map((xs) => xs.map(([v, c]) => `${pad}- ${v || 'x'}${c}`).join('\n') + '\n');
    return indent === 0 ? map : fc.oneof(map, seq);
  };

  it('agrees with yaml on generated documents of the subset', () => {
    fc.assert(
      fc.property(block(0, 0), (text) => {
        const why = disagreement(text);
        if (why) throw new Error(`${why}\n${text}`);
      }),
      { numRuns: 300, seed: 19 },
    );
  });

  it('agrees with yaml on character-level mutations of the shipped files', () => {
    const texts = shipped.map((f) => readFileSync(f, 'utf8'));
    const edit = fc.record({
      file: fc.nat(texts.length - 1),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      del: fc.nat(3),
      ins: fc.constantFrom('', ' ', '\n', '  ', '-', ':', ': ', '#', ' #', '"', "'", '[', ']', '{', '}', ',', '>', '|', '&a ', '*a', '!', 'x', '\n  ', '\n- '),
    });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
        let text = texts[edits[0]!.file]!;
        for (const e of edits) {
          const i = Math.floor(e.at * text.length);
          text = text.slice(0, i) + e.ins + text.slice(i + e.del);
        }
        const why = disagreement(text);
        if (why) throw new Error(`${why}\n${text}`);
      }),
      { numRuns: 300, seed: 19 },
    );
  });
});
