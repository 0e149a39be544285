import { expect } from 'chai';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseDocument, visit } from 'yaml';
import { compileSuites, validatePaths } from '../../runner/dsl/index.js';
import { brief, FIXTURES, load, tree } from './helpers.js';

describe('dsl/robustness', function () {
  this.timeout(120000);

  it('any node replaced by a wrong shape gives diagnostics or a plan, never a crash', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bringup-fuzz-'));
    mkdirSync(path.join(dir, 'boards'));
    mkdirSync(path.join(dir, 'suites'));
    const files = ['boards/evb-a.yaml', 'boards/evb-b.yaml', 'suites/matrix.yaml'];
    for (const f of files) copyFileSync(path.join(FIXTURES, 'matrix', f), path.join(dir, f));
    let cases = 0;
    let rejected = 0;
    for (const target of ['suites/matrix.yaml', 'boards/evb-a.yaml']) {
      const text = readFileSync(path.join(FIXTURES, 'matrix', target), 'utf8');
      let nodes = 0;
      visit(parseDocument(text), { Node: () => void nodes++ });
      for (let i = 0; i < nodes; i++) {
        // one wrong shape per node, rotating, keeps this fast on a busy machine
        for (const replacement of [[42, {}, null][i % 3]]) {
          const doc = parseDocument(text);
          let n = 0;
          visit(doc, { Node: () => (n++ === i ? doc.createNode(replacement) : undefined) });
          writeFileSync(path.join(dir, target), doc.toString());
          const result = validatePaths([path.join(dir, 'boards'), path.join(dir, 'suites')]);
          if (result.diagnostics.length) rejected++;
          else compileSuites(result.suites);
          cases++;
        }
      }
      writeFileSync(path.join(dir, target), text);
    }
    expect(cases).to.be.greaterThan(200);
    // most replacements are wrong; a few (a size of 42, an empty options map) are still valid
    expect(rejected / cases).to.be.greaterThan(0.9);
  });

  it('keys that are collections, and several missing keys, are one report each', () => {
    const dir = tree({ 'boards/b.yaml': 'board: b\n? [a]\n: 1\n' });
    expect(brief(load(dir, ['boards/b.yaml']).diagnostics)).to.deep.equal([
      'boards/b.yaml:1:1: missing required keys "model", "arch", "firmware" and "memory" in board',
      'boards/b.yaml:2:3: a key must be a name, not a list',
    ]);
  });

  it('a file that is not a board or a suite, an empty file, a list document', () => {
    const dir = tree({ 'x/a.yaml': 'foo: 1\n', 'boards/e.yaml': '', 'suites/l.yaml': '- 1\n' });
    expect(brief(load(dir, ['x/a.yaml', 'boards/e.yaml', 'suites/l.yaml']).diagnostics)).to.deep.equal([
      'x/a.yaml:1:1: not a board, a suite or a kernel: expected a top-level "board:", "suite:" or "kernel:" key',
      'boards/e.yaml:1:1: empty board file',
      'suites/l.yaml:1:1: document must be a map, not a list',
    ]);
  });
});
