// Shared by the explore tests: load a shipped board, resolve a kernel label, explore.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBoards, resolveKernelLabel } from '../../runner/dsl/index.js';
import type { ModelBoard } from '../../runner/model/index.js';
import type { Target } from '../../runner/explore/execution.js';
import { defaultOptions, type ExploreOptions } from '../../runner/explore/options.js';
import { explore, type ExploreResult, type RunOptions } from '../../runner/explore/explore.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const boards = new Map<string, ModelBoard>();

export function board(id: string): ModelBoard {
  let b = boards.get(id);
  if (!b) {
    const r = loadBoards([path.join(ROOT, 'boards', `${id}.yaml`)]);
    if (!r.boards[0]) throw new Error(`board ${id}: ${JSON.stringify(r.diagnostics)}`);
    b = r.boards[0].board;
    boards.set(id, b);
  }
  return b;
}

export function target(id: string, kernel: string): Target {
  return { board: board(id), profile: resolveKernelLabel(kernel) };
}

export function options(o: Partial<ExploreOptions> = {}): ExploreOptions {
  return { ...defaultOptions(), ...o };
}

export async function run(id: string, kernel: string, o: Partial<ExploreOptions> = {}, r: RunOptions = {}): Promise<ExploreResult> {
  return explore([target(id, kernel)], options(o), r);
}

export function titles(r: ExploreResult): string[] {
  return r.findings.map((f) => f.title);
}
