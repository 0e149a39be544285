// Every machine-read format is valid against the schema its consumer checks, on the
// all-kinds fixture and on the default run: JUnit against Jenkins' junit-10.xsd and
// Ant's JUnit.xsd (xmllint, as CI systems validate), JSON against
// dsl-schema/result.schema.json and KCIDB against kcidb-io's v5.3 schema (ajv).
// The schemas under test/fixtures/report/ are the upstream texts (see its README).

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { readJson, render } from '../../runner/report/index.js';
import type { Format } from '../../runner/report/index.js';
import type { Outputs } from './outputs.js';
import { allKindsOutputs, have, REPORT_FIXTURES, ROOT, shippedOutputs, skipWithout } from './outputs.js';

// ajv-formats is CommonJS with a default export
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function xmllint(xml: string, xsd: string): { status: number; errors: string[] } {
  const dir = mkdtempSync(path.join(tmpdir(), 'bringup-junit-'));
  try {
    const file = path.join(dir, 'report.xml');
    writeFileSync(file, xml);
    const r = spawnSync('xmllint', ['--noout', '--schema', path.join(REPORT_FIXTURES, xsd), file], { encoding: 'utf8' });
    const errors = r.stderr.split('\n').filter((l) => l.length > 0 && !l.endsWith(' validates'));
    return { status: r.status ?? -1, errors };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function validator(schemaFile: string): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8')) as object);
}

function errorsOf(v: ValidateFunction, doc: unknown): string[] {
  v(doc);
  return ((v.errors ?? []) as ErrorObject[]).map((e) => `${e.instancePath} ${e.message}`);
}

function nulls(v: unknown, at = '#'): string[] {
  if (v === null) return [at];
  if (Array.isArray(v)) return v.flatMap((x, i) => nulls(x, `${at}/${i}`));
  if (typeof v === 'object') return Object.entries(v as object).flatMap(([k, x]) => nulls(x, `${at}/${k}`));
  return [];
}

const SETS: [string, () => Promise<Outputs>][] = [
  ['the all-kinds fixture', allKindsOutputs],
  ['the default run', shippedOutputs],
];

describe('report schemas', function () {
  // the default run executes every shipped suite once (well under a second on the model)
  this.timeout(120_000);

  describe('junit (xmllint --schema)', () => {
    for (const [what, get] of SETS) {
      it(`${what}: 0 errors against Jenkins' junit-10.xsd (default)`, async function () {
        if (!have('xmllint')) return skipWithout(this, 'xmllint', 'apt-get install libxml2-utils');
        const o = await get();
        const r = xmllint(await render('junit', o.tree, o.opts), 'junit-10.xsd');
        expect(r.errors).to.deep.equal([]);
        expect(r.status).to.equal(0);
      });
      it(`${what}: 0 errors against Ant's JUnit.xsd (--junit-schema ant)`, async function () {
        if (!have('xmllint')) return skipWithout(this, 'xmllint', 'apt-get install libxml2-utils');
        const o = await get();
        const r = xmllint(await render('junit', o.tree, { ...o.opts, junitSchema: 'ant' }), 'JUnit.xsd');
        expect(r.errors).to.deep.equal([]);
        expect(r.status).to.equal(0);
      });
    }

    it('the validator is live: the old testcase attributes are errors under junit-10.xsd', function () {
      if (!have('xmllint')) return skipWithout(this, 'xmllint', 'apt-get install libxml2-utils');
      const bad = '<?xml version="1.0"?>\n<testsuites skipped="0"><testsuite name="s" tests="1" failures="0" errors="0"><testcase name="t" file="a.yaml" line="3"/></testsuite></testsuites>\n';
      const r = xmllint(bad, 'junit-10.xsd');
      expect(r.status).to.not.equal(0);
      expect(r.errors.join('\n')).to.match(/attribute 'file' is not allowed/).and.match(/attribute 'skipped' is not allowed/);
    });
  });

  describe('json (dsl-schema/result.schema.json)', () => {
    const v = validator(path.join(ROOT, 'dsl-schema/result.schema.json'));
    for (const [what, get] of SETS) {
      it(`${what}: 0 errors`, async () => {
        const o = await get();
        expect(errorsOf(v, JSON.parse(await render('json', o.tree, o.opts)))).to.deep.equal([]);
        // and without a context (a renderer called by another tool)
        expect(errorsOf(v, JSON.parse(await render('json', o.tree, { versionLine: true })))).to.deep.equal([]);
      });
    }

    it('the schema file: draft-07 with its $id, every object closed, every property described', () => {
      const s = JSON.parse(readFileSync(path.join(ROOT, 'dsl-schema/result.schema.json'), 'utf8')) as Record<string, unknown>;
      expect(s['$schema']).to.equal('http://json-schema.org/draft-07/schema#');
      expect(s['$id']).to.equal('https://bringup.dev/schema/result.schema.json');
      const open: string[] = [];
      const undescribed: string[] = [];
      const walk = (n: unknown, at: string): void => {
        if (Array.isArray(n)) return n.forEach((x, i) => walk(x, `${at}/${i}`));
        if (!n || typeof n !== 'object') return;
        const o = n as Record<string, unknown>;
        if (o['type'] === 'object' && o['additionalProperties'] === undefined) open.push(at);
        for (const [k, v] of Object.entries((o['properties'] as Record<string, Record<string, unknown>> | undefined) ?? {})) {
          if (v['description'] === undefined && v['$ref'] === undefined) undescribed.push(`${at}/${k}`);
        }
        for (const [k, v] of Object.entries(o)) walk(v, `${at}/${k}`);
      };
      walk(s, '#');
      expect(open).to.deep.equal([]);
      expect(undescribed).to.deep.equal([]);
    });

    it('kunit statuses, the bringup verdict beside them', async () => {
      const o = await allKindsOutputs();
      const j = JSON.parse(await render('json', o.tree, o.opts));
      const cases = j.sub_groups[0].test_cases as { status: string; verdict: string }[];
      expect(cases.map((c) => [c.verdict, c.status])).to.deep.equal([
        ['PASS', 'PASS'],
        ['FAIL', 'FAIL'],
        ['XFAIL', 'PASS'],
        ['XPASS', 'FAIL'],
        ['SKIP', 'SKIP'],
        ['FAIL', 'FAIL'],
        ['ERROR', 'ERROR'],
      ]);
      expect(j.misc).to.deep.include({ tests: 7, passed: 2, failed: 3, crashed: 1, skipped: 1, errors: 0 });
    });

    it('the schema catches a drift (an XFAIL status, an unknown key)', async () => {
      const o = await allKindsOutputs();
      const j = JSON.parse(await render('json', o.tree, o.opts));
      j.sub_groups[0].test_cases[2].status = 'XFAIL';
      j.sub_groups[0].test_cases[0].extra = 1;
      expect(errorsOf(v, j).length).to.be.greaterThan(0);
    });

    for (const [what, get] of SETS) {
      it(`${what}: read back, every format renders byte for byte the same (merge relies on it)`, async () => {
        const o = await get();
        const back = readJson(await render('json', o.tree, o.opts));
        expect(back.context).to.deep.equal(o.opts.context);
        const formats: Format[] = ['tap', 'ktap', 'tap14', 'junit', 'json', 'kcidb'];
        for (const f of formats) {
          const opts = { ...o.opts, context: back.context! };
          expect(await render(f, back.tree, opts), f).to.equal(await render(f, o.tree, o.opts));
        }
      });
    }
  });

  describe('kcidb (kcidb-io v5.3 schema)', () => {
    const v = validator(path.join(REPORT_FIXTURES, 'kcidb-v05_03.schema.json'));
    for (const [what, get] of SETS) {
      it(`${what}: 0 errors, no null anywhere`, async () => {
        const o = await get();
        const doc = JSON.parse(await render('kcidb', o.tree, o.opts));
        expect(errorsOf(v, doc)).to.deep.equal([]);
        expect(nulls(doc)).to.deep.equal([]);
        expect(doc.version).to.deep.equal({ major: 5, minor: 3 });
      });
    }

    it('XFAIL is a FAIL with an incident of the known issue naming the fixing commit; XPASS a PASS with the issue absent', async () => {
      const o = await allKindsOutputs();
      const doc = JSON.parse(await render('kcidb', o.tree, o.opts));
      const tests = doc.tests as { id: string; status: string; misc: { verdict: string; target: string }; environment: { compatible?: string[] } }[];
      expect(tests.map((t) => [t.misc.verdict, t.status])).to.deep.equal([
        ['PASS', 'PASS'],
        ['FAIL', 'FAIL'],
        ['XFAIL', 'FAIL'],
        ['XPASS', 'PASS'],
        ['SKIP', 'SKIP'],
        ['FAIL', 'FAIL'],
        ['ERROR', 'ERROR'],
      ]);
      for (const t of tests) {
        expect(t.id).to.match(/^bringup:/);
        expect(t.misc.target).to.equal('model');
        expect(t.environment.compatible).to.deep.equal(['vendor,demo-board', 'vendor,demo-soc']);
      }
      expect(doc.issues).to.have.length(1);
      const issue = doc.issues[0];
      expect(issue).to.deep.include({ id: 'bringup:known-bad:376991db4b64', version: 1, origin: 'bringup', report_url: 'https://lore.kernel.org/linux-iommu/demo/' });
      expect(issue.culprit).to.deep.equal({ code: true, tool: false, harness: false });
      expect(issue.misc.fixed_by).to.equal('376991db4b64');
      expect(doc.incidents.map((i: { test_id: string; present: boolean; issue_id: string }) => [i.test_id, i.present, i.issue_id])).to.deep.equal([
        [tests[2]!.id, true, issue.id],
        [tests[3]!.id, false, issue.id],
      ]);
    });

    it('the default run: every XFAIL has its incident, every DT board its compatible', async () => {
      const o = await shippedOutputs();
      const doc = JSON.parse(await render('kcidb', o.tree, o.opts));
      const xfail = (doc.tests as { id: string; misc: { verdict: string; board: string }; environment: { compatible?: string[] } }[]).filter((t) => t.misc.verdict === 'XFAIL');
      expect(xfail.length).to.be.greaterThan(0);
      const incidents = new Set((doc.incidents as { test_id: string; present: boolean }[]).filter((i) => i.present).map((i) => i.test_id));
      for (const t of xfail) expect(incidents.has(t.id), t.id).to.equal(true);
      for (const t of doc.tests as { misc: { board: string }; environment: { compatible?: string[] } }[]) {
        const dt = o.opts.context!.boards[t.misc.board]!.firmware === 'dt';
        expect(t.environment.compatible !== undefined, t.misc.board).to.equal(dt);
      }
    });
  });
});
