// Golden report files live in the source tree (test/report/golden), next to this
// test's source; UPDATE_GOLDEN=1 rewrites them after a deliberate format change.

import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const GOLDEN_DIR = path.join(ROOT, 'test/report/golden');

export function golden(name: string, actual: string): string {
  const file = path.join(GOLDEN_DIR, name);
  if (process.env['UPDATE_GOLDEN']) writeFileSync(file, actual);
  return readFileSync(file, 'utf8');
}
