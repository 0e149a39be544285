// Where a `bringup run` over the shipped suites spends its time, measured in a fresh
// process through the same APIs the run command calls, phase by phase:
//   node dist/bench/phases-child.js [suites-dir]
// Prints one JSON line of CPU milliseconds: { node, imports, schemaCompile, yamlParse,
// checkCompile, execution, reporting, total, runs }.
//
//   node           process start → this module running (Node's own start-up and ESM load
//                  of this file)
//   imports        loading the DSL, exec, report and model modules (ajv, yaml included)
//   schemaCompile  ajv compiling the board and suite schemas (forced on a one-line file)
//   yamlParse      parsing every shipped YAML file with positions (SourceFile)
//   checkCompile   loadPlan minus its (warm) YAML parse: validation, semantic checks, plan
//                  compile
//   execution      executeAll on the model target, in-process
//   reporting      buildTree + the TAP renderer + progress summary

// CPU time (user + system) of the process in ms: the phases of a loaded machine still
// add up to what the process cost
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const tNode = cpu();

import { readdirSync } from 'node:fs';
import path from 'node:path';

async function main(): Promise<void> {
  const suitesDir = process.argv[2] ?? 'suites';
  const t0 = cpu();
  const dsl = await import('../runner/dsl/index.js');
  const { SourceFile } = await import('../runner/dsl/source.js');
  const { schemaDiagnostics } = await import('../runner/dsl/schema.js');
  const { executeAll } = await import('../runner/exec/run-all.js');
  const report = await import('../runner/report/index.js');
  await import('../runner/model/index.js');
  const t1 = cpu();

  schemaDiagnostics(new SourceFile('bench.yaml', 'board: bench\n'), 'board');
  schemaDiagnostics(new SourceFile('bench.yaml', 'suite: bench\n'), 'suite');
  const t2 = cpu();

  const root = path.resolve(suitesDir, '..');
  const files = ['suites', 'boards'].flatMap((d) => {
    try {
      return readdirSync(path.join(root, d))
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => path.join(root, d, f));
    } catch {
      return [];
    }
  });
  const { readFileSync } = await import('node:fs');
  const texts = files.map((f) => [f, readFileSync(f, 'utf8')] as const);
  const t3 = cpu();
  for (const [f, text] of texts) new SourceFile(f, text);
  const t4 = cpu();

  const { plan, diagnostics } = dsl.loadPlan([suitesDir]);
  if (dsl.hasErrors(diagnostics)) throw new Error(dsl.formatDiagnostics(diagnostics));
  const t5 = cpu();
  // loadPlan parsed the files again, warm: take that warm parse out of its figure
  const w0 = cpu();
  for (const [f, text] of texts) new SourceFile(f, text);
  const warmParse = cpu() - w0;
  const t5b = cpu();

  const results = await executeAll(plan.runs, { target: 'model', jobs: 1, keepLog: false });
  const t6 = cpu() - (t5b - t5);

  const text = await report.render('tap', report.buildTree(results), report.renderOptionsFromEnv());
  const t7 = cpu() - (t5b - t5);
  if (text.length === 0) throw new Error('empty report');

  const yamlParse = t4 - t3;
  const out = {
    node: tNode,
    imports: t1 - t0,
    schemaCompile: t2 - t1,
    yamlParse,
    checkCompile: Math.max(0, t5 - t4 - warmParse),
    execution: t6 - t5,
    reporting: t7 - t6,
    total: t7,
    runs: plan.runs.length,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`phases-child: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
