// --shard K/N and --shard auto: which slice of the work this process takes. `auto` reads
// the index the CI engine gives each parallel job, so one job definition serves every
// shard: GitLab's `parallel: N` sets CI_NODE_INDEX (1-based) and CI_NODE_TOTAL;
// a Kubernetes Indexed Job sets JOB_COMPLETION_INDEX (0-based) and nothing with the
// count, which --shard-total supplies. GitHub's matrix has no such variable: its jobs
// pass --shard ${{ matrix.shard }}/N explicitly.

import { UsageError } from './command.js';
import { parseShard } from '../exec/select.js';
import type { Shard } from '../exec/select.js';

export type { Shard };

function whole(name: string, value: string, what: string): number {
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`--shard auto: ${name}="${value}" is not ${what}`);
  return Number(value.trim());
}

/**
 * The shard from --shard and --shard-total (both as given, or undefined) and the
 * environment. Undefined: no sharding. Throws UsageError saying which variable is
 * missing or disagrees.
 */
export function resolveShard(spec: string | undefined, total: string | undefined, env: NodeJS.ProcessEnv = process.env): Shard | undefined {
  let count: number | undefined;
  if (total !== undefined) {
    if (!/^\d+$/.test(total) || Number(total) < 1) throw new UsageError(`--shard-total wants a whole number >= 1, not "${total}"`);
    count = Number(total);
    if (spec !== 'auto') throw new UsageError('--shard-total goes with --shard auto (with --shard K/N the count is N)');
  }
  if (spec === undefined) return undefined;
  if (spec !== 'auto') {
    const s = parseShard(spec);
    if (!s) throw new UsageError(`--shard wants K/N with 1 <= K <= N, or auto, not "${spec}"`);
    return s;
  }
  const gitlabIndex = env['CI_NODE_INDEX'];
  const gitlabTotal = env['CI_NODE_TOTAL'];
  const k8sIndex = env['JOB_COMPLETION_INDEX'];
  if (gitlabIndex !== undefined && gitlabIndex !== '') {
    if (k8sIndex !== undefined && k8sIndex !== '') {
      throw new UsageError(`--shard auto: both CI_NODE_INDEX (GitLab) and JOB_COMPLETION_INDEX (Kubernetes) are set; unset the one that does not belong to this job, or pass --shard K/N`);
    }
    const index = whole('CI_NODE_INDEX', gitlabIndex, 'a whole number');
    if (gitlabTotal === undefined || gitlabTotal === '') {
      if (count === undefined) throw new UsageError('--shard auto: CI_NODE_INDEX is set but CI_NODE_TOTAL is not (GitLab sets both for a job with `parallel: N`); pass --shard-total N');
    } else {
      const t = whole('CI_NODE_TOTAL', gitlabTotal, 'a whole number');
      if (count !== undefined && count !== t) throw new UsageError(`--shard auto: --shard-total ${count} disagrees with CI_NODE_TOTAL=${t}`);
      count = t;
    }
    if (count! < 1 || index < 1 || index > count!) {
      throw new UsageError(`--shard auto: CI_NODE_INDEX=${index} is outside 1..${count} (GitLab counts from 1)`);
    }
    return { index, count: count! };
  }
  if (k8sIndex !== undefined && k8sIndex !== '') {
    const index = whole('JOB_COMPLETION_INDEX', k8sIndex, 'a whole number');
    if (count === undefined) {
      throw new UsageError('--shard auto: JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but the number of shards is not; pass --shard-total N (the Job\'s completions)');
    }
    if (index >= count) throw new UsageError(`--shard auto: JOB_COMPLETION_INDEX=${index} is outside 0..${count - 1} for --shard-total ${count} (Kubernetes counts from 0)`);
    return { index: index + 1, count };
  }
  // GitLab sets CI_NODE_TOTAL=1 on a job without `parallel:`: one shard, the whole run
  if (gitlabTotal !== undefined && gitlabTotal !== '') {
    const t = whole('CI_NODE_TOTAL', gitlabTotal, 'a whole number');
    if (t === 1 && (count === undefined || count === 1)) return { index: 1, count: 1 };
    throw new UsageError(`--shard auto: CI_NODE_TOTAL=${t} is set but CI_NODE_INDEX is not`);
  }
  throw new UsageError(
    '--shard auto: no shard index in the environment: set CI_NODE_INDEX and CI_NODE_TOTAL (GitLab `parallel: N`, 1-based) or JOB_COMPLETION_INDEX with --shard-total N (Kubernetes Indexed Job, 0-based), or pass --shard K/N',
  );
}
