// explore's output: the JSON object of EXPLORE.md (findings sorted by kind then title, then
// stats), and the same as text for a person. Pure.

import type { ExploreResult } from './explore.js';
import type { Finding } from './findings.js';
import type { DslStep } from './schedule.js';

/** The JSON of EXPLORE.md; `shard` only on one shard's result (merge folds it away). */
export function exploreJson(r: ExploreResult): string {
  const findings = r.findings.map((f) => {
    const o: Record<string, unknown> = { title: f.title, kind: f.kind, board: f.board, kernel: f.kernel };
    if (f.device !== undefined) o['device'] = f.device;
    o['frames'] = f.frames;
    o['executions'] = f.executions;
    o['choices'] = f.choices;
    o['primary'] = f.primary;
    o['schedule'] = f.schedule;
    if (f.reproducer !== undefined) o['reproducer'] = f.reproducer;
    o['report'] = f.report;
    return o;
  });
  const out: Record<string, unknown> = { boards: r.boards, kernels: r.kernels, findings, stats: r.stats };
  if (r.shard) out['shard'] = `${r.shard.index}/${r.shard.count}`;
  return JSON.stringify(out, null, 2) + '\n';
}

/** "boot; fail-probe: 0000:74:02.0 -ENOMEM at 2; unbind: ee300000.sata" */
export function scheduleText(steps: readonly DslStep[]): string {
  return steps
    .map((s) => {
      if (typeof s === 'string') return s;
      const [op, v] = Object.entries(s)[0]!;
      if (op === 'fail-probe') {
        const f = v as { device: string; error: string; at: number };
        return `fail-probe: ${f.device} ${f.error} at ${f.at}`;
      }
      if (op === 'boot') {
        const pins = Object.entries(v as Record<string, string[]>).map(([k, list]) => `${k} ${list.join(',')}`);
        return `boot (${pins.join('; ')})`;
      }
      return `${op}: ${String(v)}`;
    })
    .join('; ');
}

function findingText(f: Finding): string[] {
  const lines = [`${f.kind.padEnd(9)} ${f.title}`];
  const where = [`${f.board} ${f.kernel}`, ...(f.device ? [f.device] : [])].join(', ');
  lines.push(`          ${where}; ${f.executions} execution${f.executions === 1 ? '' : 's'}`);
  lines.push(`          schedule: ${scheduleText(f.schedule)}`);
  if (f.reproducer) lines.push(`          reproducer: ${f.reproducer}`);
  return lines;
}

export function exploreText(r: ExploreResult, bounds: string): string {
  const out: string[] = [];
  for (const f of r.findings) out.push(...findingText(f));
  const s = r.stats;
  const n = r.findings.length;
  const end = s.complete ? `complete within bounds (${bounds})` : `cut by --${s.cut ?? 'budget'} (${bounds}): not complete`;
  out.push(`${n} finding${n === 1 ? '' : 's'} on ${r.boards.join(', ')} with ${r.kernels.join(', ')}: ${s.executions} executions, ${s.states} states, ${s.pruned} pruned, ${s.seconds.toFixed(1)} s; ${end}`);
  return out.join('\n') + '\n';
}
