// One self-contained HTML page to look at a run: no network (a Content-Security-Policy
// forbids it), the data embedded as JSON, drawn by a small script (html-page.ts). Runs
// filter by verdict, board and kernel; each run shows its failure at its YAML file:line,
// its dmesg with the lines each assertion matched highlighted, and a timeline of its
// devices on the virtual clock; each board its topology. Strings are interned in one
// table (the shipped suites print ~400 distinct lines across ~6,000), so the default run
// stays far under 1 MB. Deterministic: no clock, no host name.

import type { BoardInfo, ReportContext } from './context.js';
import type { ResultTree, RunResult } from './result.js';
import { formatPos, treeTotals } from './result.js';
import type { RenderOptions } from './options.js';
import { runDiagnostics } from './diagnostics.js';
import { runEvents } from './timeline.js';
import { PAGE_CSS, PAGE_SCRIPT } from './html-page.js';

class Strings {
  readonly list: string[] = [];
  private readonly index = new Map<string, number>();
  of(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(s);
      this.index.set(s, i);
    }
    return i;
  }
}

const KINDS = ['probe', 'defer', 'bind', 'unbind', 'fault', 'report'] as const;

function runData(run: RunResult, board: BoardInfo | undefined, S: Strings): unknown[] {
  const log: number[] = [];
  let prev = 0;
  for (const l of run.log ?? []) {
    // time as a delta from the previous line: small numbers
    log.push(l.usec - prev, S.of(l.text));
    prev = l.usec;
  }
  // every assertion that matched lines or failed: [kind, ok, at, step|0, message, lines]
  const asserts = run.assertions
    .filter((a) => !a.ok || a.lines?.length)
    .map((a) => [S.of(a.kind), a.ok ? 1 : 0, S.of(formatPos(a.pos)), a.step ?? 0, a.ok ? -1 : S.of(a.message), a.lines ?? []]);
  if (run.knownBad?.lines?.length) asserts.push([S.of('known-bad signature'), 1, S.of(formatPos(run.knownBad.pos)), 0, -1, run.knownBad.lines]);
  const events = runEvents(run, board).map((e) => [e.usec, S.of(e.device), KINDS.indexOf(e.kind), e.ok ? 1 : 0, e.line !== undefined && run.log?.[e.line]?.text === e.text ? -1 : S.of(e.text), e.line ?? -1]);
  const steps = (run.steps ?? []).map((s) => [s.step, S.of(s.what), s.from, s.to, s.usec]);
  const diag = run.status === 'PASS' ? [] : runDiagnostics(run).map((l) => S.of(l));
  return [
    S.of(run.label),
    S.of(run.status),
    S.of(run.board),
    S.of(run.kernel),
    S.of(run.suite),
    S.of(formatPos(run.pos)),
    run.reason === undefined ? -1 : S.of(run.reason),
    diag,
    (run.titles ?? []).map((t) => S.of(t)),
    asserts,
    log,
    events,
    steps,
    run.usec,
    run.logLines,
  ];
}

/** JSON that cannot end the script element it sits in. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function renderHtml(tree: ResultTree, opts: RenderOptions): string {
  const ctx: ReportContext = opts.context ?? { target: 'model', boards: {}, suites: {} };
  const S = new Strings();
  const runs = tree.suites.flatMap((s) => s.runs.map((r) => runData(r, ctx.boards[r.board], S)));
  const used = new Set(tree.suites.flatMap((s) => s.runs.map((r) => r.board)));
  const boards = Object.values(ctx.boards).filter((b) => used.has(b.id));
  const t = treeTotals(tree);
  const data = { target: ctx.target, totals: t, kinds: KINDS, strings: S.list, runs, boards };
  const total = runs.length;
  const failed = t.fail + t.xpass + t.error;
  const title = `bringup: ${total} run${total === 1 ? '' : 's'}, ${failed} failed`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${PAGE_CSS}</style>
</head>
<body>
<header>
<h1>${esc(title)}</h1>
<p id="totals"></p>
<form id="filters" autocomplete="off">
<fieldset id="f-verdict"><legend>verdict</legend></fieldset>
<label>board <select id="f-board"><option value="">all</option></select></label>
<label>kernel <select id="f-kernel"><option value="">all</option></select></label>
<label>search <input id="f-text" type="search" placeholder="run name"></label>
<span id="shown"></span>
</form>
</header>
<main>
<section id="runs" aria-label="runs"></section>
<section id="boards" aria-label="boards"><h2>Boards</h2></section>
</main>
<noscript>This report draws itself with JavaScript; the data is in the script element "data".</noscript>
<script type="application/json" id="data">${scriptJson(data)}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
