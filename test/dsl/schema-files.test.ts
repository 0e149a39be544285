import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ERRNO_NAMES } from '../../runner/model/kernel/errno.js';
import { closest, didYouMean, editDistance } from '../../runner/dsl/suggest.js';
import { ROOT } from './helpers.js';

type Json = Record<string, unknown>;
const schema = (kind: string) => JSON.parse(readFileSync(path.join(ROOT, 'dsl-schema', `${kind}.schema.json`), 'utf8')) as Json;

/** Every schema object reachable from `node`, with its JSON path. */
function walk(node: unknown, at: string, fn: (n: Json, at: string) => void): void {
  if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${at}/${i}`, fn));
  else if (node && typeof node === 'object') {
    fn(node as Json, at);
    for (const [k, v] of Object.entries(node)) walk(v, `${at}/${k}`, fn);
  }
}

describe('dsl/schema files', () => {
  for (const kind of ['board', 'suite']) {
    it(`${kind}.schema.json: draft-07, $id, closed objects, described properties`, () => {
      const s = schema(kind);
      expect(s['$schema']).to.equal('http://json-schema.org/draft-07/schema#');
      expect(s['$id']).to.equal(`https://bringup.dev/schema/${kind}.schema.json`);
      const open: string[] = [];
      const undescribed: string[] = [];
      walk(s, '#', (n, at) => {
        if (n['type'] === 'object' && n['additionalProperties'] === undefined && !at.endsWith('/if')) open.push(at);
        const props = n['properties'] as Record<string, Json> | undefined;
        // "if" schemas only discriminate; their properties are never shown to a user
        if (props && !at.endsWith('/if')) {
          for (const [k, v] of Object.entries(props)) {
            if (typeof v !== 'object' || (v['description'] === undefined && v['$ref'] === undefined)) undescribed.push(`${at}/${k}`);
          }
        }
      });
      expect(open).to.deep.equal([]);
      expect(undescribed).to.deep.equal([]);
    });

    it(`${kind}.schema.json: the errno enum is the model's ERRNO table`, () => {
      const errno = (schema(kind)['definitions'] as Record<string, Json>)['errno']!;
      expect((errno['else'] as Json)['enum']).to.deep.equal(ERRNO_NAMES.map((n) => `-${n}`));
    });
  }

  it('every shipped YAML file starts with the yaml-language-server modeline', () => {
    for (const dir of ['boards', 'suites']) {
      const kind = dir.slice(0, -1);
      for (const f of readdirSync(path.join(ROOT, dir)).filter((f) => f.endsWith('.yaml'))) {
        const first = readFileSync(path.join(ROOT, dir, f), 'utf8').split('\n')[0];
        expect(first, `${dir}/${f}`).to.equal(`# yaml-language-server: $schema=../dsl-schema/${kind}.schema.json`);
      }
    }
  });
});

describe('dsl/did you mean', () => {
  it('edit distance counts transpositions as one edit', () => {
    expect(editDistance('iomus', 'iommus')).to.equal(1);
    expect(editDistance('unbnid', 'unbind')).to.equal(1);
    expect(editDistance('', 'abc')).to.equal(3);
  });

  it('suggests close names, truncations and case slips, nothing for unrelated words', () => {
    expect(didYouMean('iomus', ['iommus', 'devices'])).to.equal(' (did you mean "iommus"?)');
    expect(closest('x86', ['arm64', 'arm', 'x86_64'])).to.equal('x86_64');
    expect(closest('V5.1', ['v5.0', 'v5.1', 'v5.14'])).to.equal('v5.1');
    expect(closest('sata_rcr', ['sata_rcar', 'sdhi'])).to.equal('sata_rcar');
    expect(closest('bus', ['iommus', 'devices'])).to.equal(undefined);
    expect(didYouMean('zzzz', ['device'])).to.equal('');
    expect(didYouMean(42, ['device'])).to.equal('');
  });
});
