// `bringup explore BOARD...`: search the orders and faults the kernel may meet on each board,
// report every distinct failure (EXPLORE.md). Exit 0 no finding, 1 findings, 2 bad usage or
// invalid input (positioned errors, nothing run).

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { translateParseArgsError } from '../options.js';
import { resolveShard } from '../shard.js';
import { DEFAULT_FAULTS, STRATEGIES, defaultOptions, type ExploreOptions, type Strategy } from '../../explore/options.js';
import type { Shard } from '../../explore/explore.js';
import { settleIfLongLived } from '../tier-up.js';

const HELP = `usage: bringup explore BOARD... [options]

Search the orders and faults the kernel may meet on each BOARD (a board file, or an id
for boards/<id>.yaml) and report every distinct failure, by title, with the shortest
schedule that reaches it. No suite is needed: the search boots the board and, at each
point where the kernel's order is open, tries the others — initcall order inside a level,
module load order, IOMMU drivers registering as late modules, async completion order,
deferred retry order and triggers, probe faults, and sysfs unbind / unbind + bind (and
remove/add of devices the board leaves out) at quiescent points.

options:
  --kernel K          explore on this kernel (repeatable; a profile or a label such as
                      v6.14+bcb81ac6ae3c; default: the newest profile)
  --depth N           most non-default choices in one schedule (default 2)
  --faults LIST       errnos a probe may fail with, comma-separated (default
                      -ENOMEM,-EIO,-EPROBE_DEFER,-ENODEV); none: no faults
  --no-unbind         no sysfs unbind or unbind + bind
  --budget N          most executions (default: none for dfs, 10000 for random/pct)
  --time SECONDS      most wall time
  --strategy S        dfs (complete within the bounds; default), random, pct
  --seed N            seed of random and pct (default 0)
  -j, --jobs N        search on N worker threads (0: one per CPU); same output
  --shard K/N         search only shard K of N (1-based); bringup merge joins them
  --shard auto        K and N from CI_NODE_INDEX/CI_NODE_TOTAL (1-based), or from
                      JOB_COMPLETION_INDEX (0-based) with --shard-total N
  --shard-total N     the number of shards of --shard auto with JOB_COMPLETION_INDEX
  --out DIR           write a reproducer suite per finding: DIR/<board>--<slug>.yaml
  --format FORMAT     text (default) or json
  --progress          progress on stderr
  --no-reduce         no state hashing, sleep sets or symmetry (naive enumeration;
                      for measuring what the reductions save)
  -h, --help          show this help

exit status: 0 no finding, 1 at least one finding, 2 bad usage or invalid input.
`;

class Usage extends Error {}

interface Args {
  boards: string[];
  kernels: string[];
  options: ExploreOptions;
  jobs: number;
  shard?: Shard;
  out?: string;
  format: 'text' | 'json';
  progress: boolean;
}

function whole(name: string, v: string, min = 0): number {
  if (!/^\d+$/.test(v) || Number(v) < min) throw new Usage(`${name} wants a whole number${min ? ` >= ${min}` : ''}, not "${v}"`);
  return Number(v);
}

async function parseFaults(v: string): Promise<number[]> {
  if (v === 'none') return [];
  const { parseErrno } = await import('../../model/kernel/errno.js');
  return v.split(',').map((x) => {
    const t = x.trim();
    const e = parseErrno(/^-?\d+$/.test(t) ? Number(t) : t.startsWith('-') ? t : `-${t}`);
    if (e === undefined || e >= 0 || Number.isNaN(e)) throw new Usage(`--faults: unknown errno "${t}" (e.g. -ENOMEM,-EIO,-EPROBE_DEFER,-ENODEV, or none)`);
    return e;
  });
}

/** --shard K/N, or auto from the CI's environment (the one reading of it, shared with run) */
export function parseShardArg(v: string, total: string | undefined, env: NodeJS.ProcessEnv): Shard {
  try {
    return resolveShard(v, total, env)!;
  } catch (e) {
    if (e instanceof UsageError) throw new Usage(e.message);
    throw e;
  }
}

const OPTIONS = {
  kernel: { type: 'string', multiple: true },
  depth: { type: 'string' },
  faults: { type: 'string' },
  'no-unbind': { type: 'boolean' },
  budget: { type: 'string' },
  time: { type: 'string' },
  strategy: { type: 'string' },
  seed: { type: 'string' },
  jobs: { type: 'string', short: 'j' },
  shard: { type: 'string' },
  'shard-total': { type: 'string' },
  out: { type: 'string' },
  format: { type: 'string' },
  progress: { type: 'boolean' },
  'no-reduce': { type: 'boolean' },
} as const;

async function parse(argv: string[]): Promise<Args> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: OPTIONS,
      allowPositionals: true,
    });
  } catch (e) {
    // in bringup's words, with a did-you-mean, not parseArgs's
    throw new Usage(translateParseArgsError(e, [...Object.keys(OPTIONS), 'help']) ?? (e as Error).message);
  }
  const v = parsed.values;
  if (parsed.positionals.length === 0) throw new Usage('which board? (a board file, or an id for boards/<id>.yaml)');
  const o = defaultOptions();
  if (v.depth !== undefined) o.depth = whole('--depth', v.depth);
  o.faults = v.faults !== undefined ? await parseFaults(v.faults) : [...DEFAULT_FAULTS];
  if (v['no-unbind']) o.unbind = false;
  if (v.budget !== undefined) o.budget = whole('--budget', v.budget, 1);
  if (v.time !== undefined) {
    if (!/^\d+(\.\d+)?$/.test(v.time) || Number(v.time) <= 0) throw new Usage(`--time wants seconds (> 0), not "${v.time}"`);
    o.time = Number(v.time);
  }
  if (v.strategy !== undefined) {
    if (!(STRATEGIES as readonly string[]).includes(v.strategy)) throw new Usage(`unknown --strategy "${v.strategy}" (known: ${STRATEGIES.join(', ')})`);
    o.strategy = v.strategy as Strategy;
  }
  if (v.seed !== undefined) o.seed = whole('--seed', v.seed);
  if (v['no-reduce']) o.reduce = false;
  let jobs = 1;
  if (v.jobs !== undefined) jobs = whole('--jobs', v.jobs) || availableParallelism();
  const format = v.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new Usage(`unknown --format "${format}" (known: text, json)`);
  if (v['shard-total'] !== undefined && v.shard !== 'auto') throw new Usage('--shard-total goes with --shard auto');
  const args: Args = { boards: parsed.positionals, kernels: v.kernel ?? [], options: o, jobs, format, progress: v.progress ?? false };
  if (v.shard !== undefined) args.shard = parseShardArg(v.shard, v['shard-total'], process.env);
  if (v.out !== undefined) args.out = v.out;
  return args;
}

/** a board argument: a file as given, or an id for boards/<id>.yaml */
function boardPath(arg: string): string {
  if (existsSync(arg)) return arg;
  const byId = path.join('boards', `${arg}.yaml`);
  return existsSync(byId) ? byId : arg;
}

export async function exploreCommand(argv: string[]): Promise<number> {
  let args: Args;
  try {
    args = await parse(argv);
  } catch (e) {
    if (!(e instanceof Usage)) throw e;
    process.stderr.write(`bringup explore: ${e.message}\n(see bringup explore --help)\n`);
    return 2;
  }
  const dsl = await import('../../dsl/index.js');
  const files = args.boards.map(boardPath);
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length) {
    process.stderr.write(missing.map((f) => `bringup explore: no board file or id "${f}"\n`).join(''));
    return 2;
  }
  const loaded = dsl.loadBoards(files);
  if (loaded.diagnostics.length) process.stderr.write(dsl.formatDiagnostics(loaded.diagnostics));
  if (dsl.hasErrors(loaded.diagnostics)) {
    process.stderr.write(`${dsl.summarizeDiagnostics(loaded.diagnostics)}\n`);
    return 2;
  }
  const { NEWEST_PROFILE, PROFILES } = await import('../../model/profiles/profiles.js');
  const { resolveKernel } = await import('../../model/profiles/resolve.js');
  let profiles;
  try {
    profiles = (args.kernels.length ? args.kernels : [NEWEST_PROFILE]).map((k) => dsl.resolveKernelLabel(k));
  } catch (e) {
    process.stderr.write(`bringup explore: ${(e as Error).message}\n`);
    return 2;
  }
  const boards = loaded.boards;
  const targets = boards.flatMap((b) => profiles.map((profile) => ({ board: b.board, profile })));
  if (args.out) {
    try {
      mkdirSync(args.out, { recursive: true });
    } catch (e) {
      process.stderr.write(`bringup explore: cannot use --out ${args.out}: ${(e as Error).message}\n`);
      return 2;
    }
  }

  const { explore } = await import('../../explore/explore.js');
  const started = Date.now();
  let lastShown = 0;
  const result = await explore(targets, args.options, {
    jobs: args.jobs,
    ...(args.shard ? { shard: args.shard } : {}),
    onUnit: (done: number, total: number) => {
      settleIfLongLived();
      if (!args.progress) return;
      const now = Date.now();
      if (now - lastShown < 500 && done < total) return;
      lastShown = now;
      process.stderr.write(`explore: ${done}/${total} units, ${((now - started) / 1000).toFixed(1)} s\n`);
    },
  });

  if (args.out) {
    const { reproducers, boardCopies } = await import('../../explore/finding-suite.js');
    const boardFiles = new Map(boards.map((b) => [b.board.id, b.file]));
    const kernelDocs = new Map<string, unknown>();
    for (const p of profiles) {
      if (p.name === p.base) kernelDocs.set(p.name, p.name);
      else {
        const base = new Set(resolveKernel(p.base).behaviours);
        const mine = new Set(p.behaviours);
        const doc: Record<string, unknown> = { base: p.base };
        const apply = p.behaviours.filter((b) => !base.has(b));
        const revert = [...base].filter((b) => !mine.has(b));
        if (apply.length) doc['apply'] = apply;
        if (revert.length) doc['revert'] = revert;
        kernelDocs.set(p.name, doc);
      }
    }
    void PROFILES;
    const files = reproducers(result.findings, args.out, boardFiles, kernelDocs);
    const { readFileSync } = await import('node:fs');
    const read = (f: string): string | undefined => {
      try {
        return readFileSync(f, 'utf8');
      } catch {
        return undefined;
      }
    };
    try {
      for (const c of boardCopies(result.findings, args.out, boardFiles, read)) {
        mkdirSync(path.dirname(c.to), { recursive: true });
        writeFileSync(c.to, read(c.from) ?? '');
        process.stderr.write(`explore: the reproducers name board ${path.basename(c.to, '.yaml')}: copied to ${c.to} (run them as ${path.join(args.out, '*.yaml')})\n`);
      }
      files.forEach((f, i) => {
        writeFileSync(f.file, f.text);
        result.findings[i]!.reproducer = f.file.split(path.sep).join('/');
      });
    } catch (e) {
      process.stderr.write(`bringup explore: cannot write the reproducers: ${(e as Error).message}\n`);
      return 2;
    }
  }

  const render = await import('../../explore/render.js');
  const o = args.options;
  const bounds = [`${o.strategy}`, `depth ${o.depth}`, o.faults.length ? `faults ${o.faults.length}` : 'no faults', o.unbind ? 'unbind' : 'no unbind'];
  if (args.shard) bounds.push(`shard ${args.shard.index}/${args.shard.count}`);
  process.stdout.write(args.format === 'json' ? render.exploreJson(result) : render.exploreText(result, bounds.join(', ')));
  return result.findings.length > 0 ? 1 : 0;
}

export const command: Command = {
  help: HELP,
  run: exploreCommand,
};
