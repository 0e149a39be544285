// `node dist/bench/shrink-bisect.js [--no-write]`: runs and seconds of shrink and bisect over
// the shipped reproducers, printed as one table with a PASS/MISS per target and written to
// bench/shrink-bisect.json.
//
//   shrink   each known-bad scenario on its kernel, as shipped and padded with ten unrelated
//            devices, drivers and steps (test/explore/padding.ts), to a fixpoint
//   bisect   each known-bad entry against every other kernel of its scenario, the two
//            next-20250312 regressions against v6.14, the R-Car unbind v5.0 → v6.15 plain
//            and with --all
//
// Runs are model executions (deterministic: the same on every machine). Times are CPU time of
// this process (the machine is shared; wall times are in the JSON), in one warm process.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatTable, median, type Row } from './lib.js';
import { loadSuites } from '../runner/dsl/index.js';
import { kernelLabel } from '../runner/dsl/kernels.js';
import { ModelRunner } from '../runner/explore/outcome.js';
import { chooseScenario, compileFor, kernelDoc, loadOneSuite, resolveLabel, runOn } from '../runner/explore/scenario-run.js';
import { deriveReproducer, outputFiles } from '../runner/explore/reproducer.js';
import { shrink } from '../runner/explore/shrink.js';
import { bisect } from '../runner/explore/bisect.js';
import type { ResolvedProfile } from '../runner/model/types.js';
import { writePadded } from '../test/explore/padding.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface Sample {
  name: string;
  runs: number;
  cpuMs: number;
  wallMs: number;
  note: string;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; cpuMs: number; wallMs: number }> {
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  const value = await fn();
  const c = process.cpuUsage(c0);
  return { value, cpuMs: (c.user + c.system) / 1000, wallMs: performance.now() - w0 };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'no-write': { type: 'boolean' } } });
  process.chdir(ROOT);
  const { suites } = loadSuites(['suites']);
  const runner = await ModelRunner.create();
  const tmp = mkdtempSync(path.join(tmpdir(), 'bench-shrink-'));
  const shrinks: Sample[] = [];
  const bisects: Sample[] = [];
  try {
    // warm-up: the first shrink pays for the JIT and the schema validators
    {
      const suite = suites.find((s) => s.id === 'rcar-dma-teardown')!;
      const choice = chooseScenario(suite, 'unbind-releases-managed-dma', undefined);
      const kernel = resolveLabel('k', 'v5.0');
      const files = outputFiles(suite.file, choice.board.file, path.join(tmp, 'warm'));
      await shrink(deriveReproducer(choice, kernelDoc(kernel), files, []), { files, kernel, runner });
    }
    for (const suite of suites) {
      for (const sc of suite.doc.scenarios) {
        for (const kb of sc['known-bad'] ?? []) {
          const label = kernelLabel(kb.kernel)!;
          const kernel = resolveLabel('k', label);
          for (const ref of sc.boards ?? suite.doc.boards ?? []) {
            const board = suite.boards.get(ref)!;
            for (const padded of [false, true]) {
              const dir = mkdtempSync(path.join(tmp, 'case-'));
              const file = padded ? writePadded(dir, suite.file, sc.name, board.file) : suite.file;
              const s = padded ? loadOneSuite(file) : suite;
              const choice = chooseScenario(s, sc.name, padded ? undefined : board.id);
              const files = outputFiles(file, choice.board.file, path.join(dir, 'out'));
              const start = deriveReproducer(choice, kernelDoc(kernel), files, []);
              const t = await timed(() => shrink(start, { files, kernel, runner }));
              const r = t.value;
              shrinks.push({
                name: `${suite.id}.${sc.name}${padded ? ' +10' : ''}`,
                runs: r.runs,
                cpuMs: t.cpuMs,
                wallMs: t.wallMs,
                note: `${r.before.devices}→${r.after.devices} devices, ${r.before.lines}→${r.after.lines} lines, ${r.candidates} candidates, ${r.slipped.length} slipped`,
              });
            }
            const choice = chooseScenario(suite, sc.name, board.id);
            for (const run of compileFor(choice, undefined)) {
              if (run.kernel.name === label) continue;
              const t = await timed(() => bisect(run.kernel, kernel, { runner, runOn: (k) => runOn(choice, k) }));
              bisects.push({ name: `${suite.id}.${sc.name} ${label}→${run.kernel.name}`, runs: t.value.runs, cpuMs: t.cpuMs, wallMs: t.wallMs, note: t.value.sets.map((x) => x.changes.map((c) => c.id).join('+')).join(' | ') });
            }
          }
        }
      }
    }
    const regressions: [string, string][] = [
      ['iommu-premature-warn', 'boot-without-warning'],
      ['rockchip-of-xlate', 'boot-groups-every-master'],
    ];
    for (const [id, sc] of regressions) {
      const choice = chooseScenario(suites.find((s) => s.id === id)!, sc, undefined);
      const t = await timed(() => bisect(resolveLabel('g', 'v6.14'), resolveLabel('b', 'next-20250312'), { runner, runOn: (k) => runOn(choice, k) }));
      bisects.push({ name: `${id}.${sc} next-20250312→v6.14`, runs: t.value.runs, cpuMs: t.cpuMs, wallMs: t.wallMs, note: t.value.sets.map((x) => x.changes.map((c) => `${c.change === 'apply' ? '+' : '-'}${c.id}`).join('+')).join(' | ') });
    }
    const wide = chooseScenario(suites.find((s) => s.id === 'rcar-dma-teardown')!, 'unbind-releases-managed-dma', undefined);
    const v50: ResolvedProfile = resolveLabel('b', 'v5.0');
    const v615: ResolvedProfile = resolveLabel('g', 'v6.15');
    const plain = await timed(() => bisect(v615, v50, { runner, runOn: (k) => runOn(wide, k) }));
    const all = await timed(() => bisect(v615, v50, { runner, runOn: (k) => runOn(wide, k), all: true }));
    const wideRows = [
      { name: 'rcar unbind v5.0→v6.15', r: plain },
      { name: 'rcar unbind v5.0→v6.15 --all', r: all },
    ].map(({ name, r }) => ({ name, runs: r.value.runs, cpuMs: r.cpuMs, wallMs: r.wallMs, note: `${r.value.difference} behaviour${r.value.difference === 1 ? '' : 's'} apart; ${r.value.sets.map((x) => x.changes.map((c) => c.id).join('+')).join(' | ')}` }));

    const padded = shrinks.filter((s) => s.name.endsWith(' +10'));
    const rows: Row[] = [
      { section: 'shrink', name: 'shrink, padded: most runs', value: Math.max(...padded.map((s) => s.runs)), unit: 'runs', target: { cmp: '<=', limit: 500 }, note: `median ${median(padded.map((s) => s.runs))}, over ${padded.length} reproducers` },
      { section: 'shrink', name: 'shrink, padded: slowest', value: Math.max(...padded.map((s) => s.cpuMs)) / 1000, unit: 's', target: { cmp: '<', limit: 5 }, note: `median ${(median(padded.map((s) => s.cpuMs)) / 1000).toFixed(2)} s CPU` },
      { section: 'shrink', name: 'shrink, as shipped: most runs', value: Math.max(...shrinks.filter((s) => !padded.includes(s)).map((s) => s.runs)), unit: 'runs', note: `median ${median(shrinks.filter((s) => !padded.includes(s)).map((s) => s.runs))}` },
      { section: 'bisect', name: 'bisect: median runs', value: median(bisects.map((s) => s.runs)), unit: 'runs', target: { cmp: '<=', limit: 12 }, note: `max ${Math.max(...bisects.map((s) => s.runs))}, over ${bisects.length} cases` },
      { section: 'bisect', name: 'bisect: slowest', value: Math.max(...bisects.map((s) => s.cpuMs)) / 1000, unit: 's', target: { cmp: '<', limit: 1 }, note: `median ${median(bisects.map((s) => s.cpuMs)).toFixed(0)} ms CPU` },
      { section: 'bisect', name: wideRows[0]!.name, value: wideRows[0]!.runs, unit: 'runs', target: { cmp: '<=', limit: 12 }, note: `${(wideRows[0]!.cpuMs / 1000).toFixed(2)} s CPU; ${wideRows[0]!.note}` },
      { section: 'bisect', name: wideRows[1]!.name, value: wideRows[1]!.cpuMs / 1000, unit: 's', target: { cmp: '<', limit: 10 }, note: `${wideRows[1]!.runs} runs; ${wideRows[1]!.note}` },
    ];
    process.stdout.write(formatTable(rows) + '\n');
    for (const s of [...shrinks, ...bisects, ...wideRows]) process.stdout.write(`  ${s.name}: ${s.runs} runs, ${s.cpuMs.toFixed(0)} ms CPU (${s.note})\n`);
    if (!values['no-write']) {
      const out = { date: new Date().toISOString().slice(0, 10), node: process.version, rows, shrink: shrinks, bisect: [...bisects, ...wideRows] };
      writeFileSync(path.join(ROOT, 'bench', 'shrink-bisect.json'), JSON.stringify(out, null, 2) + '\n');
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
