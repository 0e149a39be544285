// What a renderer may vary on besides the tree.

import type { ReportContext } from './context.js';

export type JunitSchema = 'jenkins' | 'ant';
export const JUNIT_SCHEMAS: readonly JunitSchema[] = ['jenkins', 'ant'];

export interface RenderOptions {
  /**
   * Print the `TAP version` / `KTAP version` header. kselftest drops it when
   * KSFT_TAP_LEVEL is set, so a nested producer does not print a second one.
   */
  versionLine: boolean;
  /** which JUnit schema the XML satisfies; default jenkins (junit-10.xsd) */
  junitSchema?: JunitSchema;
  /**
   * When the runs started, ISO 8601 UTC without a zone (Ant's testsuite timestamp).
   * renderOptionsFromEnv takes it from SOURCE_DATE_EPOCH when set, so a rebuilt
   * report can be byte-identical.
   */
  timestamp?: string;
  /** what the runs ran on and the boards and suites they came from (KCIDB, HTML) */
  context?: ReportContext;
  /** the KCIDB origin (the submitter's CI system name); default "bringup" */
  kcidbOrigin?: string;
}

/** "2025-03-12T10:20:30": xs:dateTime without fraction or zone, as Ant's schema wants. */
export function isoSeconds(d: Date): string {
  return d.toISOString().slice(0, 19);
}

export function renderOptionsFromEnv(env: NodeJS.ProcessEnv = process.env, now: Date = new Date()): RenderOptions {
  const epoch = env['SOURCE_DATE_EPOCH'];
  const when = epoch !== undefined && /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1000) : now;
  return { versionLine: env['KSFT_TAP_LEVEL'] === undefined, timestamp: isoSeconds(when) };
}
