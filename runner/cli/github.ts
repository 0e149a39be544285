// GitHub Actions: with GITHUB_ACTIONS=true, invalid input and failed assertions become
// `::error file=,line=,col=::` workflow commands (shown on the pull request's diff at
// the YAML line), and the run appends a Markdown table to $GITHUB_STEP_SUMMARY. The
// runner parses workflow commands on stderr as well as stdout (actions/runner,
// ScriptHandler: one OutputManager per stream), so they go to stderr and stdout stays
// the clean report.

import { appendFileSync } from 'node:fs';
import type { Diagnostic } from '../dsl/diagnostic.js';
import type { AssertionResult, RunResult, Totals } from '../report/result.js';
import { isFailure } from '../report/result.js';

export function onGithubActions(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['GITHUB_ACTIONS'] === 'true';
}

// @actions/core's escaping: data escapes %, CR, LF; properties also ':' and ','
function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export interface AnnotationAt {
  file?: string;
  line?: number;
  col?: number;
  title?: string;
}

export function annotation(level: 'error' | 'warning' | 'notice', at: AnnotationAt, message: string): string {
  const props: string[] = [];
  if (at.file !== undefined) props.push(`file=${escapeProperty(at.file)}`);
  if (at.line !== undefined && at.line > 0) props.push(`line=${at.line}`);
  if (at.col !== undefined && at.col > 0) props.push(`col=${at.col}`);
  if (at.title !== undefined) props.push(`title=${escapeProperty(at.title)}`);
  return `::${level}${props.length ? ' ' + props.join(',') : ''}::${escapeData(message)}`;
}

// GitHub shows at most 10 error annotations per step and 50 per job; more only fill the log
const MAX_ANNOTATIONS = 50;

function capped(lines: string[]): string[] {
  if (lines.length <= MAX_ANNOTATIONS) return lines;
  const rest = lines.length - MAX_ANNOTATIONS;
  return [...lines.slice(0, MAX_ANNOTATIONS), annotation('warning', {}, `${rest} more annotation${rest === 1 ? '' : 's'} not shown; see the report`)];
}

export function diagnosticAnnotations(diags: readonly Diagnostic[]): string[] {
  return capped(
    diags.map((d) =>
      annotation(d.severity === 'error' ? 'error' : 'warning', { file: d.file, line: d.line, col: d.column, title: 'bringup: invalid input' }, d.message),
    ),
  );
}

function assertionText(a: AssertionResult): string {
  return [a.message, ...(a.details ?? [])].join('\n');
}

/** One annotation per failed assertion of each failing run (at its YAML line), or at the scenario. */
export function resultAnnotations(results: readonly RunResult[]): string[] {
  const out: string[] = [];
  for (const r of results) {
    if (!isFailure(r.status)) continue;
    const title = `${r.status} ${r.label}`;
    const failed = r.assertions.filter((a) => !a.ok);
    if (r.status === 'ERROR') {
      out.push(annotation('error', { file: r.file, line: r.pos.line, col: r.pos.column, title }, r.error?.message ?? r.reason ?? 'the run errored'));
    } else if (r.status === 'XPASS' && r.knownBad) {
      out.push(
        annotation(
          'error',
          { file: r.file, line: r.knownBad.pos.line, col: r.knownBad.pos.column, title },
          `passed although declared known-bad on ${r.knownBad.kernel} (fixed by ${r.knownBad.fixedBy}): the fix is in this kernel, or the scenario no longer reproduces the bug`,
        ),
      );
    } else if (failed.length) {
      for (const a of failed) out.push(annotation('error', { file: a.pos.file, line: a.pos.line, col: a.pos.column, title }, assertionText(a)));
    } else {
      out.push(annotation('error', { file: r.file, line: r.pos.line, col: r.pos.column, title }, r.reason ?? 'failed'));
    }
  }
  return capped(out);
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

const MAX_ROWS = 100;

/** The job summary: totals, then one row per failed run (status, run, where, first failure). */
export function stepSummary(results: readonly RunResult[], totals: Totals, title = 'bringup run'): string {
  const out: string[] = [`### ${title}`, ''];
  out.push('| pass | fail | xfail | xpass | skip | error |', '| ---: | ---: | ---: | ---: | ---: | ---: |');
  out.push(`| ${totals.pass} | ${totals.fail} | ${totals.xfail} | ${totals.xpass} | ${totals.skip} | ${totals.error} |`, '');
  const failing = results.filter((r) => isFailure(r.status));
  if (failing.length === 0) {
    out.push(results.length ? `All ${results.length} runs passed (XFAIL and SKIP count as passed).` : 'No run was selected.', '');
    return out.join('\n');
  }
  out.push('| status | run | where | why |', '| --- | --- | --- | --- |');
  for (const r of failing.slice(0, MAX_ROWS)) {
    const a = r.assertions.find((x) => !x.ok);
    const pos = a?.pos ?? (r.status === 'XPASS' && r.knownBad ? r.knownBad.pos : r.pos);
    const why = r.status === 'ERROR' ? (r.error?.message ?? r.reason ?? '') : r.status === 'XPASS' ? `passed although known-bad (fixed by ${r.knownBad?.fixedBy ?? r.reason ?? '?'})` : (a?.message ?? r.reason ?? '');
    out.push(`| ${r.status} | \`${cell(r.label)}\` | \`${cell(`${pos.file}:${pos.line}:${pos.column}`)}\` | ${cell(why)} |`);
  }
  if (failing.length > MAX_ROWS) out.push('', `${failing.length - MAX_ROWS} more failed runs are in the report.`);
  out.push('');
  return out.join('\n');
}

/** Append to $GITHUB_STEP_SUMMARY when it names a file; a failed write is said, not fatal. */
export function writeStepSummary(markdown: string, env: NodeJS.ProcessEnv = process.env): void {
  const file = env['GITHUB_STEP_SUMMARY'];
  if (!file) return;
  try {
    appendFileSync(file, markdown + '\n');
  } catch (e) {
    process.stderr.write(`bringup: cannot write the job summary to ${file}: ${(e as Error).message}\n`);
  }
}
