// Pick a renderer by format name; each one is imported only when asked for, so a
// TAP run never loads the XML serialiser or the YAML library.

import type { ResultTree } from './result.js';
import type { RenderOptions } from './options.js';

export const FORMATS = ['tap', 'ktap', 'tap14', 'junit', 'json', 'kcidb', 'html'] as const;
export type Format = (typeof FORMATS)[number];

export function isFormat(s: string): s is Format {
  return (FORMATS as readonly string[]).includes(s);
}

/** JUnit, JSON and HTML carry each run's whole log; the TAP family and KCIDB only the tail. */
export function formatWantsLog(f: Format): boolean {
  return f === 'junit' || f === 'json' || f === 'html';
}

/**
 * The HTML timeline wants each device's state after every step. JSON carries it too: it is
 * what `bringup merge` reads back, so shards must hold what every renderer needs for the
 * merged HTML to be the unsharded run's (+~45% JSON bytes on the shipped suites, no
 * measurable time).
 */
export function formatWantsTrace(f: Format): boolean {
  return f === 'html' || f === 'json';
}

export async function render(format: Format, tree: ResultTree, opts: RenderOptions): Promise<string> {
  switch (format) {
    case 'tap':
      return (await import('./tap.js')).renderTap(tree, opts);
    case 'ktap':
      return (await import('./ktap.js')).renderKtap(tree, opts);
    case 'tap14':
      return (await import('./tap14.js')).renderTap14(tree, opts);
    case 'junit':
      return (await import('./junit.js')).renderJunit(tree, opts);
    case 'json':
      return (await import('./json.js')).renderJson(tree, opts);
    case 'kcidb':
      return (await import('./kcidb.js')).renderKcidb(tree, opts);
    case 'html':
      return (await import('./html.js')).renderHtml(tree, opts);
  }
}

export type { RenderOptions, JunitSchema } from './options.js';
export { renderOptionsFromEnv, JUNIT_SCHEMAS } from './options.js';
export type { ReportContext, BoardInfo, DeviceInfo, IommuInfo, SuiteInfo } from './context.js';
export { contextOf } from './context.js';
export { readJson } from './json-read.js';
export * from './result.js';
