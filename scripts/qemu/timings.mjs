#!/usr/bin/env node
// Measure the qemu target: wall time of each run of a suite (sequential, one guest at a time),
// with boot-to-shell, settle and per-step times. Needs `npm run build` and `npm run setup:qemu`.
// usage: node scripts/qemu/timings.mjs [SUITE]   (default suites/qemu-virt-conformance.yaml)
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { loadPlan } = await import(path.join(root, 'dist/runner/dsl/index.js'));
const { executeRun } = await import(path.join(root, 'dist/runner/exec/execute.js'));
const { createQemuTarget } = await import(path.join(root, 'dist/runner/exec/targets/qemu/index.js'));

const suite = process.argv[2] ?? path.join(root, 'suites/qemu-virt-conformance.yaml');
const { plan } = loadPlan([suite]);
const times = new Map();
const target = createQemuTarget({
  onTiming: (id, what, ms) => {
    const t = times.get(id) ?? [];
    t.push([what, ms]);
    times.set(id, t);
  },
});
const why = await target.unavailable();
if (why) {
  console.error(`qemu target unavailable: ${why}`);
  process.exit(4);
}
const rows = [];
for (const run of plan.runs) {
  const t0 = Date.now();
  const r = await executeRun(run, target);
  const wall = Date.now() - t0;
  const t = times.get(run.id) ?? [];
  const get = (w) => t.filter(([x]) => x === w).reduce((a, [, ms]) => a + ms, 0);
  const steps = t.filter(([w]) => w !== 'boot-to-shell' && w !== 'settle' && w !== 'boot').map(([w, ms]) => `${w} ${ms}`);
  rows.push({ run: run.id.replace(/^[^.]*\./, ''), status: r.status, wall, boot: get('boot-to-shell'), bootStep: get('boot'), settle: get('settle'), steps: steps.join(', ') });
}
const pad = (s, n) => String(s).padEnd(n);
console.log(`${pad('scenario', 38)} ${pad('verdict', 7)} ${pad('wall s', 7)} ${pad('boot s', 7)} ${pad('settle s', 8)} steps (ms)`);
for (const r of rows) {
  console.log(`${pad(r.run, 38)} ${pad(r.status, 7)} ${pad((r.wall / 1000).toFixed(1), 7)} ${pad((r.boot / 1000).toFixed(1), 7)} ${pad((r.settle / 1000).toFixed(1), 8)} ${r.steps}`);
}
const total = rows.reduce((a, r) => a + r.wall, 0);
console.log(`total ${(total / 1000).toFixed(1)} s for ${rows.length} runs, one guest at a time`);
