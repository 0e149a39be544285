// The report memo of runner/exec/titles.ts: a report printed again with the same lines is read
// once. The memo must be invisible: over every fixture log, real model logs of explore's
// executions, and variants of both that change, drop or cut the lines around each report (the
// near-misses a memo could confuse), titles with the memo (warm from every log before) equal
// titles without it, whole and split where explore splits them (titlesPrefix/logTitlesAfter).

import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { logTitles, logTitlesAfter, titlesPrefix, setReportMemo, reportMemoStats, type Title } from '../../runner/exec/titles.js';
import { execute, RecordingChooser } from '../../runner/explore/execution.js';
import { defaultOptions } from '../../runner/explore/options.js';
import type { PointKind } from '../../runner/explore/schedule.js';
import { rng } from '../../runner/explore/rng.js';
import { ROOT, target } from './helpers.js';

const DIR = path.join(ROOT, 'test/explore/titles');

function fixtureLogs(): string[][] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.log'))
    .sort()
    .map((f) => {
      const lines = readFileSync(path.join(DIR, f), 'utf8').split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      return lines.slice(lines.indexOf('') + 1);
    });
}

/** deviates at random (a fault, another order, an unbind), at most `depth` times */
class RandomChooser extends RecordingChooser {
  private used = 0;
  constructor(faults: readonly number[], private readonly next: () => number, private readonly depth: number) {
    super(faults);
  }
  protected pick(_kind: PointKind, _label: string, options: readonly string[]): number {
    if (this.used >= this.depth || options.length < 2 || this.next() > 0.15) return 0;
    this.used++;
    return 1 + Math.floor(this.next() * (options.length - 1));
  }
}

/** the logs of random executions of shipped boards: every report kind the model prints */
function modelLogs(): string[][] {
  const out: string[][] = [];
  const o = defaultOptions();
  const targets = [
    ['taishan-2280-d05', 'v5.0'],
    ['huawei-d06', 'v5.1'],
    ['salvator-xs-m3n', 'v6.15-rc1'],
    ['salvator-x-h3-32bit-bus', 'v4.20-rc1'],
    ['lager-r8a7790', 'v4.12-rc1'],
    ['qemu-q35-intel', 'v7.3'],
    ['mt8183-juniper', 'v6.15-rc1'],
    ['sc8180x-primus', 'next-20240430'],
  ] as const;
  for (const [id, kernel] of targets) {
    const next = rng(7);
    for (let i = 0; i < 12; i++) out.push(execute(target(id, kernel), new RandomChooser(o.faults, next, 2), o.unbind).log.map((l) => l.text));
  }
  return out;
}

/**
 * the log changed around its first reports and its last: a line dropped, doubled or replaced,
 * the log cut, at every line from 2 before the report's start to 14 past its end
 */
function variants(log: readonly string[], titles: readonly Title[], other: readonly string[]): string[][] {
  const out: string[][] = [];
  for (const t of titles.length > 4 ? [...titles.slice(0, 3), titles[titles.length - 1]!] : titles) {
    if (t.start === undefined || t.end === undefined) continue;
    for (let j = Math.max(0, t.start - 2); j < Math.min(log.length, t.end + 14); j++) {
      out.push([...log.slice(0, j), ...log.slice(j + 1)]);
      out.push([...log.slice(0, j), log[j]!, ...log.slice(j)]);
      out.push([...log.slice(0, j), other[j % other.length]!, ...log.slice(j + 1)]);
      out.push(log.slice(0, j));
    }
  }
  return out;
}

/** the titles of a log whole, and split where a checkpoint could have been taken */
function parse(log: readonly string[], i: number): Title[][] {
  const out = [logTitles(log)];
  for (const k of [i % (log.length + 1), Math.floor(log.length / 2), (i * 7919) % (log.length + 1)]) out.push(logTitlesAfter(log, titlesPrefix(log.slice(0, k))));
  return out;
}

describe('failure titles: the report memo reads a report once and changes no title', function () {
  this.timeout(120_000);

  it('gives the titles of the memo-less parse on fixture logs, model logs and their near-miss variants', () => {
    const was = setReportMemo(false);
    try {
      const base = [...fixtureLogs(), ...modelLogs()];
      const reports = base.flatMap((l) => logTitles(l)).flatMap((t) => t.report);
      expect(reports.length).to.be.greaterThan(1000);
      const corpus: string[][] = [];
      for (const log of base) corpus.push(log, log, ...variants(log, logTitles(log), reports));
      expect(corpus.length).to.be.greaterThan(5_000);
      const expected = corpus.map((log, i) => parse(log, i));
      setReportMemo(true);
      const hits = reportMemoStats.hits;
      corpus.forEach((log, i) => {
        expect(parse(log, i), `log ${i}`).to.deep.equal(expected[i]);
      });
      // the memo answered most reports (each log is parsed twice, most variants keep most reports)
      expect(reportMemoStats.hits - hits).to.be.greaterThan(corpus.length);
    } finally {
      setReportMemo(was);
    }
  });
});
