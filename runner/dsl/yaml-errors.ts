// Where a YAML syntax error really is. The yaml parser notices an unclosed "[", "{" or
// quote where it gives up — the next line, or the end of the file — and reports it
// there; a person needs the opening character. Each such error is moved to the opener
// of the innermost collection or scalar that never closed.

import type { Document, Node, YAMLError } from 'yaml';
import { yaml } from './yaml-lib.js';

export interface Located {
  offset: number;
  length: number;
  message: string;
}

const UNCLOSED_FLOW = /^Flow (sequence|map) in block collection must be sufficiently indented and end with an? ([\]}])/;
const UNCLOSED_QUOTE = /^Missing closing (["'])quote/;

/** The opener of the innermost node matching `open` that starts before `at` and is not closed. */
function unclosed(doc: Document.Parsed, text: string, at: number, test: (n: Node) => { open: string; close: string } | undefined): number | undefined {
  let best: number | undefined;
  const check = (n: Node) => {
    const r = n.range;
    const chars = test(n);
    if (!r || !chars || r[0] > at || text[r[0]] !== chars.open) return;
    if (text.slice(r[0] + 1, r[1]).trimEnd().endsWith(chars.close)) return;
    if (best === undefined || r[0] > best) best = r[0];
  };
  yaml().visit(doc, {
    Collection: (_k, n) => check(n as Node),
    Scalar: (_k, n) => check(n as Node),
  });
  return best;
}

export function locateYamlError(e: YAMLError, doc: Document.Parsed, text: string, lineOf: (offset: number) => number): Located | undefined {
  const flow = UNCLOSED_FLOW.exec(e.message);
  if (flow) {
    const close = flow[2]!;
    const open = close === ']' ? '[' : '{';
    const at = unclosed(doc, text, e.pos[0], (n) => (yaml().isCollection(n) && n.flow ? { open, close } : undefined));
    if (at === undefined) return undefined;
    return {
      offset: at,
      length: 1,
      message: `unclosed "${open}": a flow ${flow[1]} must end with "${close}" (the parser was still looking for it at line ${lineOf(e.pos[0])})`,
    };
  }
  const quote = UNCLOSED_QUOTE.exec(e.message);
  if (quote) {
    const q = quote[1]!;
    const at = unclosed(doc, text, e.pos[0], (n) => (yaml().isScalar(n) && (n.type === 'QUOTE_DOUBLE' || n.type === 'QUOTE_SINGLE') ? { open: q, close: q } : undefined));
    if (at === undefined) return undefined;
    return { offset: at, length: 1, message: `unclosed ${q} quote: the string never ends (the parser reached line ${lineOf(e.pos[0])} looking for the closing ${q})` };
  }
  return undefined;
}
