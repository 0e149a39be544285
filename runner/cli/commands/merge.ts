// `bringup merge FILE...`: the JSON of explore shards, or of `bringup run --shard K/N
// --format json` shards, folded into the unsharded result; --format renders it.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Command } from '../command.js';

const HELP = `usage: bringup merge FILE... [--format FORMAT] [--output FILE]

Merge the JSON of shards into the result of the unsharded run: either the --format json
output of \`bringup explore --shard K/N\` (findings fold by title, stats add up), or of
\`bringup run --shard K/N --format json\` (runs in the unsharded order, totals recomputed).
Every shard 1..N must be given once. The merge is the unsharded run's output, byte for
byte (for explore, except stats.seconds: the shards' wall times added up).

options:
  --format FORMAT   explore results: json (default) or text; run reports: json (default)
                    or any format of bringup run (tap, ktap, tap14, junit, kcidb, html)
  -o, --output FILE write it to FILE instead of stdout
  -h, --help        show this help

exit status: for explore results 0 no finding, 1 findings; for run reports the run's
(0 all passed, 1 a failure, 4 only skips); 2 bad usage or files that do not merge.
`;

async function mergeCommand(argv: string[]): Promise<number> {
  const parsed = parseArgs({ args: argv, options: { format: { type: 'string' }, output: { type: 'string', short: 'o' } }, allowPositionals: true });
  const files = parsed.positionals;
  const fail = (msg: string): number => {
    process.stderr.write(`bringup merge: ${msg}\n`);
    return 2;
  };
  if (files.length === 0) return fail('which files? (the --format json output of explore or run shards)\n(see bringup merge --help)');
  const docs: unknown[] = [];
  const texts: string[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch (e) {
      return fail(`cannot read ${f}: ${(e as Error).message}`);
    }
    try {
      docs.push(JSON.parse(text));
      texts.push(text);
    } catch (e) {
      return fail(`${f}: not JSON: ${(e as Error).message}`);
    }
  }
  const m = await import('../../explore/merge.js');
  const write = async (out: string): Promise<boolean> => {
    if (parsed.values.output === undefined) {
      process.stdout.write(out);
      return true;
    }
    try {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(parsed.values.output, out);
      return true;
    } catch (e) {
      process.stderr.write(`bringup merge: cannot write ${parsed.values.output}: ${(e as Error).message}\n`);
      return false;
    }
  };
  try {
    if (docs.every(m.isExploreJson)) {
      const format = parsed.values.format ?? 'json';
      if (format !== 'json' && format !== 'text') return fail(`explore results render as json or text, not "${format}"`);
      const r = m.mergeExplore(docs as Record<string, unknown>[], files);
      const render = await import('../../explore/render.js');
      if (!(await write(format === 'json' ? render.exploreJson(r) : render.exploreText(r, 'merged')))) return 2;
      return r.findings.length > 0 ? 1 : 0;
    }
    if (docs.every(m.isRunJson)) {
      const report = await import('../../report/index.js');
      const format = parsed.values.format ?? 'json';
      if (!report.isFormat(format)) return fail(`unknown --format "${format}" (known: ${report.FORMATS.join(', ')})`);
      const merged = m.mergeRuns(texts.map((t) => report.readJson(t)), files);
      const opts = { ...report.renderOptionsFromEnv(), ...(merged.context ? { context: merged.context } : {}) };
      if (!(await write(await report.render(format, merged.tree, opts)))) return 2;
      return report.exitCodeFor(report.treeTotals(merged.tree));
    }
  } catch (e) {
    if (e instanceof m.MergeError) return fail(e.message);
    throw e;
  }
  const kinds = docs.map((d, i) => `${files[i]}: ${m.isExploreJson(d) ? 'explore result' : m.isRunJson(d) ? 'run report' : 'neither an explore result nor a run report'}`);
  return fail(`the files must all be explore results or all run reports:\n  ${kinds.join('\n  ')}`);
}

export const command: Command = {
  help: HELP,
  run: mergeCommand,
};
