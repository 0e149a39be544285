// bringup's own answers to bad options (never node:util's parseArgs text), and how
// --shard auto reads the CI engine's environment.

import { expect } from 'chai';
import type { OptionSpec } from '../../runner/cli/command.js';
import { UsageError } from '../../runner/cli/command.js';
import { parseOptions, translateParseArgsError } from '../../runner/cli/options.js';
import { resolveShard } from '../../runner/cli/shard.js';
import { parseArgs } from 'node:util';

const OPTS: OptionSpec[] = [
  { name: 'board', type: 'string', multiple: true, value: 'ID', help: '' },
  { name: 'format', type: 'string', value: 'FORMAT', choices: ['tap', 'json'], help: '' },
  { name: 'list', type: 'boolean', help: '' },
  { name: 'jobs', short: 'j', type: 'string', value: 'N', help: '' },
  { name: 'quiet', short: 'q', type: 'boolean', help: '' },
];

function usage(argv: string[], rules = {}): string {
  try {
    parseOptions(argv, OPTS, rules);
  } catch (e) {
    expect(e).to.be.instanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error(`no usage error for ${argv.join(' ')}`);
}

describe('cli options: own messages', () => {
  it('parses long, short, grouped, inline and repeated options', () => {
    const r = parseOptions(['--board', 'a', '--board=b', '-qj4', '--format', 'json', 'x', '--', '--list'], OPTS);
    expect(r.values).to.deep.equal({ board: ['a', 'b'], quiet: true, jobs: '4', format: 'json' });
    expect(r.positionals).to.deep.equal(['x', '--list']);
  });

  it('an unknown option is named, with the nearest spelling', () => {
    expect(usage(['--lst'])).to.equal('unknown option --lst (did you mean --list?)');
    expect(usage(['--bord', 'x'])).to.equal('unknown option --bord (did you mean --board?)');
    expect(usage(['--frobnicate'])).to.equal('unknown option --frobnicate');
    expect(usage(['-list'])).to.equal('unknown option -list (did you mean --list?)');
    expect(usage(['-x'])).to.equal('unknown option -x');
  });

  it('a missing value says which option and what it wants', () => {
    expect(usage(['--board'])).to.equal('--board needs a value: --board ID');
    expect(usage(['--board', '--list'])).to.equal('--board needs a value: --board ID (got the option "--list"; write --board=--list if that is the value)');
    expect(parseOptions(['--board=-x'], OPTS).values).to.deep.equal({ board: ['-x'] });
  });

  it('a flag given a value, a value outside the choices, an operand where none is taken', () => {
    expect(usage(['--list=yes'])).to.equal('--list takes no value (got "--list=yes")');
    expect(usage(['--format', 'jsn'])).to.equal('unknown --format "jsn" (did you mean "json"?) (known: tap, json)');
    expect(usage(['extra'], { positionals: false })).to.equal('unexpected argument "extra" (this command takes options only)');
  });

  it('parseArgs errors of commands that call it directly are translated', () => {
    const strict = (args: string[]) => {
      try {
        parseArgs({ args, options: { targets: { type: 'string' }, quiet: { type: 'boolean' } }, allowPositionals: false });
      } catch (e) {
        return translateParseArgsError(e, ['targets', 'quiet', 'help']);
      }
      return 'no error';
    };
    expect(strict(['--tagets', 'x'])).to.equal('unknown option --tagets (did you mean --targets?)');
    expect(strict(['--targets'])).to.equal('--targets needs a value');
    expect(strict(['--quiet=1'])).to.equal('--quiet takes no value');
    expect(strict(['x'])).to.equal('unexpected argument "x" (this command takes options only)');
    expect(translateParseArgsError(new Error('other'), [])).to.equal(undefined);
  });
});

describe('cli --shard auto', () => {
  const shard = (spec: string | undefined, total: string | undefined, env: Record<string, string>) => resolveShard(spec, total, env);
  const fails = (spec: string | undefined, total: string | undefined, env: Record<string, string>) => {
    try {
      resolveShard(spec, total, env);
    } catch (e) {
      expect(e).to.be.instanceOf(UsageError);
      return (e as Error).message;
    }
    throw new Error('no error');
  };

  it('explicit K/N, and no sharding without --shard', () => {
    expect(shard('2/4', undefined, {})).to.deep.equal({ index: 2, count: 4 });
    expect(shard(undefined, undefined, { CI_NODE_INDEX: '1', CI_NODE_TOTAL: '2' })).to.equal(undefined);
    expect(fails('0/4', undefined, {})).to.equal('--shard wants K/N with 1 <= K <= N, or auto, not "0/4"');
  });

  it('GitLab parallel: CI_NODE_INDEX is 1-based', () => {
    expect(shard('auto', undefined, { CI_NODE_INDEX: '1', CI_NODE_TOTAL: '3' })).to.deep.equal({ index: 1, count: 3 });
    expect(shard('auto', undefined, { CI_NODE_INDEX: '3', CI_NODE_TOTAL: '3' })).to.deep.equal({ index: 3, count: 3 });
    expect(shard('auto', '3', { CI_NODE_INDEX: '2', CI_NODE_TOTAL: '3' })).to.deep.equal({ index: 2, count: 3 });
    // a job without parallel: GitLab sets CI_NODE_TOTAL=1 and no index
    expect(shard('auto', undefined, { CI_NODE_TOTAL: '1' })).to.deep.equal({ index: 1, count: 1 });
  });

  it('Kubernetes Indexed Job: JOB_COMPLETION_INDEX is 0-based and needs --shard-total', () => {
    expect(shard('auto', '4', { JOB_COMPLETION_INDEX: '0' })).to.deep.equal({ index: 1, count: 4 });
    expect(shard('auto', '4', { JOB_COMPLETION_INDEX: '3' })).to.deep.equal({ index: 4, count: 4 });
    expect(fails('auto', undefined, { JOB_COMPLETION_INDEX: '0' })).to.match(/JOB_COMPLETION_INDEX is set .* pass --shard-total N/);
    expect(fails('auto', '4', { JOB_COMPLETION_INDEX: '4' })).to.equal('--shard auto: JOB_COMPLETION_INDEX=4 is outside 0..3 for --shard-total 4 (Kubernetes counts from 0)');
  });

  it('a missing or inconsistent environment is a clear error', () => {
    expect(fails('auto', undefined, {})).to.match(/^--shard auto: no shard index in the environment: set CI_NODE_INDEX and CI_NODE_TOTAL .* JOB_COMPLETION_INDEX with --shard-total N/);
    expect(fails('auto', undefined, { CI_NODE_INDEX: '2' })).to.match(/CI_NODE_INDEX is set but CI_NODE_TOTAL is not/);
    expect(fails('auto', undefined, { CI_NODE_INDEX: '0', CI_NODE_TOTAL: '2' })).to.equal('--shard auto: CI_NODE_INDEX=0 is outside 1..2 (GitLab counts from 1)');
    expect(fails('auto', undefined, { CI_NODE_INDEX: 'x', CI_NODE_TOTAL: '2' })).to.equal('--shard auto: CI_NODE_INDEX="x" is not a whole number');
    expect(fails('auto', '4', { CI_NODE_INDEX: '1', CI_NODE_TOTAL: '2' })).to.equal('--shard auto: --shard-total 4 disagrees with CI_NODE_TOTAL=2');
    expect(fails('auto', undefined, { CI_NODE_INDEX: '1', CI_NODE_TOTAL: '2', JOB_COMPLETION_INDEX: '0' })).to.match(/both CI_NODE_INDEX \(GitLab\) and JOB_COMPLETION_INDEX \(Kubernetes\) are set/);
    expect(fails('auto', undefined, { CI_NODE_TOTAL: '3' })).to.equal('--shard auto: CI_NODE_TOTAL=3 is set but CI_NODE_INDEX is not');
    expect(fails('1/2', '2', {})).to.equal('--shard-total goes with --shard auto (with --shard K/N the count is N)');
    expect(fails('auto', '0', { JOB_COMPLETION_INDEX: '0' })).to.equal('--shard-total wants a whole number >= 1, not "0"');
  });
});
