// Shared by the DSL tests: scratch trees of YAML files and the repository's paths.

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPaths } from '../../runner/dsl/load.js';
import type { Diagnostic } from '../../runner/dsl/diagnostic.js';

/** The repository root (tests run from dist/test/dsl). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const FIXTURES = path.join(ROOT, 'test/fixtures/dsl');
export const CLI = path.join(ROOT, 'dist/runner/cli/main.js');

export const BOARD_HEADER = '# yaml-language-server: $schema=../dsl-schema/board.schema.json\n';
export const SUITE_HEADER = '# yaml-language-server: $schema=../dsl-schema/suite.schema.json\n';

/** A minimal valid board "evb", as lines so tests can count positions. */
export const EVB = `${BOARD_HEADER}board: evb
model: ACME EVB (DT)
arch: arm64
firmware: dt
memory:
  - { base: 0x40000000, size: 0x40000000 }
iommus:
  - { name: e67b0000.mmu, driver: ipmmu-vmsa }
devices:
  - { name: ee300000.sata, driver: sata_rcar, iommus: [{ iommu: e67b0000.mmu, ids: [0] }] }
  - { name: ee100000.mmc, driver: sdhi }
drivers:
  sata_rcar:
    probe:
      - dmam-alloc: 2048
      - log: probed
  sdhi: {}
`;

/** Write files (relative path → text) into a fresh temporary directory. */
export function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bringup-dsl-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

/** Load paths inside a tree; diagnostics come back with tree-relative file names. */
export function load(dir: string, paths: string[]) {
  const result = loadPaths(paths.map((p) => path.join(dir, p)));
  const rel = (d: Diagnostic): Diagnostic => ({ ...d, file: path.relative(dir, d.file) });
  return { ...result, diagnostics: result.diagnostics.map(rel) };
}

/** "file:line:col: message" for compact assertions. */
export function brief(diags: Diagnostic[]): string[] {
  return diags.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`);
}

/** Errors of one suite (written as suites/<id>.yaml beside boards/evb.yaml). */
export function suiteErrors(id: string, body: string, extra: Record<string, string> = {}): string[] {
  const dir = tree({ 'boards/evb.yaml': EVB, [`suites/${id}.yaml`]: SUITE_HEADER + body, ...extra });
  return brief(load(dir, [`suites/${id}.yaml`]).diagnostics);
}

/** Errors of one board (boards/<id>.yaml). */
export function boardErrors(id: string, body: string): string[] {
  const dir = tree({ [`boards/${id}.yaml`]: body });
  return brief(load(dir, [`boards/${id}.yaml`]).diagnostics);
}
