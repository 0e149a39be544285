// Reproducers: each finding as a suite file, DIR/<board>--<slug>.yaml, whose one scenario
// pins the finding's schedule in DSL terms. The board is named by id: a DIR beside boards/
// finds it there, any other DIR gets a copy in DIR/boards/ (run those as DIR/*.yaml). It expects the correct behaviour, so it passes
// on a kernel without the bug and, on the explored profile, fails with the finding's title:
// the kernel-error list and the built-in checks catch reports, leaks and invariants; a
// deferral is caught by a state assertion, an IOMMU fault (no kernel-error keyword) by no-log.

import path from 'node:path';
import { stringify } from 'yaml';
import type { Finding } from './findings.js';

export function slugify(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/, '');
}

/** "rk_iommu_of_xlate" for a report with a function, else the title */
export function findingSlug(f: Pick<Finding, 'title' | 'frames'>): string {
  return slugify(f.frames[0] ?? f.title) || 'finding';
}

export interface ReproducerFile {
  file: string;
  text: string;
}

/** the phrase a fault report's line carries: "arm-smmu: Unhandled context fault in x" → "Unhandled context fault" */
function faultPhrase(title: string): string {
  const colon = title.indexOf(': ');
  const rest = colon >= 0 ? title.slice(colon + 2) : title;
  const inAt = rest.lastIndexOf(' in ');
  return inAt >= 0 ? rest.slice(0, inAt) : rest;
}

/**
 * The reproducer of every finding (sorted order), with unique file names: a second finding
 * with the same slug on a board gets its kind, then a number, appended.
 */
export function reproducers(
  findings: readonly Finding[],
  outDir: string,
  boardFiles: ReadonlyMap<string, string>,
  /** how a suite names each explored kernel: a profile, or { base, apply, revert } */
  kernelDocs: ReadonlyMap<string, unknown>,
): ReproducerFile[] {
  const multiKernel = kernelDocs.size > 1;
  const used = new Set<string>();
  const out: ReproducerFile[] = [];
  for (const f of findings) {
    let slug = findingSlug(f);
    if (multiKernel) slug = `${slug}--${slugify(f.kernel)}`;
    let name = `${f.board}--${slug}`;
    if (used.has(name)) name = `${name}-${f.kind}`;
    for (let n = 2; used.has(name); n++) name = `${f.board}--${slug}-${n}`;
    used.add(name);
    const file = path.join(outDir, `${name}.yaml`);
    // by id: found in DIR/../boards (a DIR beside boards/) or DIR/boards, where boardCopies puts it
    const boardRef = f.board;
    void boardFiles;
    const scenario: Record<string, unknown> = {
      name: slugify(f.title).slice(0, 60) || 'finding',
      description: `${f.kind}: ${f.title}`,
      steps: f.schedule,
    };
    if (f.kind === 'deferred' && f.device) scenario['expect'] = { state: [{ device: f.device, deferred: false }] };
    else if (f.kind === 'fault') scenario['expect'] = { 'no-log': [faultPhrase(f.title)] };
    const doc = {
      suite: name,
      description: `found by bringup explore on ${f.kernel}: ${f.title}`,
      boards: [boardRef],
      kernels: [kernelDocs.get(f.kernel) ?? f.kernel],
      scenarios: [scenario],
    };
    const header = [
      `# ${f.title}`,
      `# bringup explore found it on ${f.board} with ${f.kernel} (${f.executions} execution${f.executions === 1 ? '' : 's'});`,
      '# the steps pin the shortest schedule that reached it. Correct behaviour passes; on the',
      '# explored kernel the run fails with this title.',
    ];
    out.push({ file, text: `${header.join('\n')}\n${stringify(doc, { lineWidth: 0 })}` });
  }
  return out;
}

/**
 * The board files the reproducers need a copy of, DIR/boards/<id>.yaml: those not found, the
 * same bytes, in DIR/../boards (a suite may only read boards beside it or in its directory).
 */
export function boardCopies(findings: readonly Finding[], outDir: string, boardFiles: ReadonlyMap<string, string>, read: (file: string) => string | undefined): Array<{ from: string; to: string }> {
  const out: Array<{ from: string; to: string }> = [];
  for (const id of new Set(findings.map((f) => f.board))) {
    const from = boardFiles.get(id)!;
    const beside = path.join(outDir, '..', 'boards', `${id}.yaml`);
    const text = read(from);
    if (text !== undefined && read(beside) === text) continue;
    out.push({ from, to: path.join(outDir, 'boards', `${id}.yaml`) });
  }
  return out;
}
