// `bringup explain SUITE --scenario S`: why each device is (not) bound and why each failure
// title fired, as chains of model events from the root cause, with the decisive behaviour
// (runner/explore/explain.ts); text, EXPLORE.md's JSON, or Graphviz dot.

import { cacheOption, NO_CACHE_OPTION } from '../cache.js';
import type { Command, CommandDoc } from '../command.js';
import { UsageError } from '../command.js';
import { renderUsage } from '../help.js';
import { list, parseOptions, str } from '../options.js';
import { missingSuite, suitePath } from '../paths.js';

const FORMATS = ['text', 'json', 'dot'] as const;

export const doc: CommandDoc = {
  name: 'explain',
  summary: 'why a device is not bound and why a failure fired, root cause first',
  synopsis: ['explain SUITE --scenario S [--device D] [--kernel K] [--board B] [--format text|json|dot]'],
  description: `Replay the scenario S of SUITE on the kernel model with an event record and answer,
for every device that is not bound at the end and for every failure title of the run,
"why?": a chain of model events (each with its step and kernel function) from the root
cause — an injected fault, a held or missing driver, a disabled or unregistered IOMMU, a
timeout, or an order chosen at a step — to the question. With --device D it answers every
question about D instead: why it is (not) bound, why it has its DMA ops, why it is in its
group, and the titles its chains touch.

Each question names its decisive behaviours: the profile behaviours whose flip, applied or
reverted one at a time on a re-run, changes the answer, each with its commit. Devices that
share a root cause are listed under it once. The text also shows what the kernel itself
would show for the profile's era: /sys/kernel/debug/devices_deferred (no reason column
before v5.9, no file before v4.19) and the "deferred probe pending" lines of the timeout.

SUITE is a suite file or a suite id (suites/<id>.yaml). When S runs on several boards or
kernels (or for each device), every matching run is explained; --kernel and --board pick.`,
  operands: 'suite',
  options: [
    { name: 'scenario', type: 'string', value: 'S', complete: 'none', help: 'the scenario (for-each runs: every device, or one run as S@DEVICE)' },
    { name: 'device', type: 'string', value: 'D', complete: 'none', help: 'every question about this device (default: every device not bound, every title)' },
    { name: 'kernel', type: 'string', multiple: true, value: 'K', complete: 'kernel', help: "run on this kernel instead of the suite's (repeatable)" },
    { name: 'board', type: 'string', multiple: true, value: 'B', complete: 'board', help: 'only runs on this board (repeatable)' },
    { name: 'format', type: 'string', value: 'FORMAT', choices: FORMATS, help: 'text (default, root cause first), json, or dot (Graphviz)' },
    { name: 'boards-dir', type: 'string', multiple: true, value: 'DIR', complete: 'dir', help: "look for board ids in DIR first (repeatable); then\nboards/ beside the suite's directory, boards/ in it,\nand the suite's directory itself" },
    NO_CACHE_OPTION,
  ],
  examples: [
    { command: 'bringup explain rcar-dma-teardown --scenario unbind-releases-managed-dma --kernel v5.0', says: 'the Bad page state: the unbind, the DMA ops torn down before devres, and 376991db4b64 as the decisive fix' },
    { command: 'bringup explain of-iommu-probe-deferral --scenario disabled-ipmmu-means-no-iommu --kernel v4.12-rc1', says: 'two DMA controllers deferred under one root: the disabled IPMMU' },
    { command: 'bringup explain S --scenario X --format dot | dot -Tsvg > why.svg', says: 'the same as a graph' },
  ],
  exit: '0  explained\n1  invalid input, no matching run, an unknown device, or a run the model could not finish\n2  bad usage',
  notes: `JSON (EXPLORE.md): { "questions": [ { "device", "state", "chain": [ { "event", "step",
"function", "device" } ], "root", "decisive": [ { "behaviour", "commit" } ] } ],
"devices_deferred": ["lines"] }. A chain is root first; "step" is the scenario step (1-based,
counting expect blocks as the plan does), null for a fact of the board file.`,
  seeAlso: ['log', 'run', 'kernels'],
};

export const command: Command = {
  help: renderUsage(doc),
  doc,
  async run(argv) {
    const { values: v, positionals } = parseOptions(argv, doc.options);
    if (positionals.length !== 1) throw new UsageError(positionals.length ? 'one SUITE at a time' : 'missing SUITE (a suite file or id)');
    const scenario = str(v, 'scenario');
    if (scenario === undefined) throw new UsageError('missing --scenario S (which scenario to explain)');
    const missing = missingSuite(positionals[0]!);
    if (missing) {
      process.stderr.write(`bringup explain: ${missing}\n`);
      return 1;
    }
    const format = (str(v, 'format') ?? 'text') as (typeof FORMATS)[number];
    const device = str(v, 'device');
    const { loadRuns, tolerateClosedStdout } = await import('./run.js');
    tolerateClosedStdout();
    const loaded = await loadRuns({ paths: [suitePath(positionals[0]!)], boards: list(v, 'board'), kernels: list(v, 'kernel'), boardsDirs: list(v, 'boards-dir'), diagnosticsJson: false, ...cacheOption(v) });
    if (typeof loaded === 'number') return loaded;
    const runs = loaded.filter((r) => r.scenario === scenario || r.id === `${r.suite}.${scenario}`);
    if (!runs.length) {
      const names = [...new Set(loaded.map((r) => r.scenario))];
      const { closest } = await import('../../dsl/suggest.js');
      const near = closest(scenario, names);
      process.stderr.write(`bringup explain: no run matches scenario "${scenario}"${near ? ` (did you mean "${near}"?)` : ''} (scenarios: ${names.join(', ') || 'none'})\n`);
      return 1;
    }
    if (device !== undefined) {
      const known = new Set(runs.flatMap((r) => [...r.board.devices.map((d) => d.name), ...r.board.iommus.map((i) => i.name)]));
      if (!known.has(device)) {
        const { closest } = await import('../../dsl/suggest.js');
        const near = closest(device, [...known]);
        process.stderr.write(`bringup explain: no device "${device}" on ${[...new Set(runs.map((r) => r.board.id))].join(', ')}${near ? ` (did you mean "${near}"?)` : ''}\n`);
        return 1;
      }
    }
    const { explainRun } = await import('../../explore/explain.js');
    const render = await import('../../explore/explain-render.js');
    const xs = [];
    for (const r of runs) {
      try {
        xs.push(explainRun(r, device !== undefined ? { device } : {}));
      } catch (e) {
        // a model error (as `bringup run` would report an ERROR run): said, not a stack trace
        process.stderr.write(`bringup explain: ${r.id} [${r.board.id} ${r.kernel.name}]: error: ${e instanceof Error ? e.message : String(e)}\n`);
        return 1;
      }
    }
    process.stdout.write(format === 'json' ? render.renderJson(xs) : format === 'dot' ? render.renderDot(xs) : render.renderText(xs));
    return 0;
  },
};
