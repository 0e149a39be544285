// A parsed YAML file that remembers where every node came from, so schema errors
// (JSON Pointers) and semantic errors (data paths) can be reported at file:line:column.

import { LineCounter, parseDocument, isAlias, isMap, isScalar, isSeq, isPair, type Document, type Node } from 'yaml';
import type { Diagnostic } from './diagnostic.js';
import type { Pos } from './plan.js';

export type DataPath = readonly (string | number)[];

export interface Span {
  line: number;
  column: number;
  length: number;
}

export class SourceFile {
  readonly lines: string[];
  readonly lineCounter = new LineCounter();
  readonly doc: Document.Parsed;
  /** the YAML parsed (duplicate keys aside: the later one wins, as it would in yaml's toJS) */
  readonly parsed: boolean;
  /** the plain JS value; undefined when the YAML did not parse */
  readonly data: unknown;
  readonly diagnostics: Diagnostic[] = [];

  constructor(
    /** the path as the user gave it (or joined from a directory they gave) */
    readonly file: string,
    readonly text: string,
  ) {
    this.lines = text.split(/\r?\n/);
    // duplicate keys are found by our own walk, which can name the first occurrence
    this.doc = parseDocument(text, { lineCounter: this.lineCounter, uniqueKeys: false, prettyErrors: false, logLevel: 'error' });
    for (const e of this.doc.errors) this.diagnostics.push(this.diagnosticAt(e.pos[0], e.pos[1] - e.pos[0], yamlMessage(e.message)));
    this.findDuplicateKeys(this.doc.contents);
    this.parsed = this.doc.errors.length === 0;
    this.data = !this.parsed ? undefined : this.doc.toJS({ maxAliasCount: 1000 });
  }

  private spanAt(offset: number, length: number): Span {
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col, length: Math.max(1, length) };
  }

  diagnosticAt(offset: number, length: number, message: string, instancePath = '', schemaPath = ''): Diagnostic {
    const s = this.spanAt(offset, length);
    return this.diagnostic(s, message, instancePath, schemaPath);
  }

  diagnostic(s: Span, message: string, instancePath = '', schemaPath = ''): Diagnostic {
    return {
      file: this.file,
      line: s.line,
      column: s.column,
      severity: 'error',
      message,
      instancePath,
      schemaPath,
      sourceLine: this.lines[s.line - 1] ?? '',
      length: s.length,
    };
  }

  private findDuplicateKeys(node: unknown): void {
    if (isAlias(node) || !node) return;
    if (isMap(node)) {
      const first = new Map<string, Node>();
      for (const pair of node.items) {
        const k = pair.key as Node | null;
        if ((isMap(k) || isSeq(k)) && k.range) {
          this.diagnostics.push(this.diagnosticAt(k.range[0], 1, `a key must be a name, not a ${isMap(k) ? 'map' : 'list'}`));
        } else if (isScalar(k) && k.range) {
          const name = keyString(k.value);
          const prev = first.get(name);
          if (prev) {
            const at = this.spanAt(prev.range![0], 0);
            this.diagnostics.push(this.diagnosticAt(k.range[0], k.range[1] - k.range[0], `duplicate key "${name}" (first defined at line ${at.line})`));
          } else {
            first.set(name, k);
          }
        }
        this.findDuplicateKeys(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) this.findDuplicateKeys(item);
    }
  }

  /** The node at a data path: the pair's key node and the value node of the deepest segment found. */
  private nodeAt(path: DataPath): { key?: Node; value?: Node; complete: boolean; parent?: Node } {
    let node: unknown = this.doc.contents;
    let key: Node | undefined;
    let parent: Node | undefined;
    for (const seg of path) {
      if (isAlias(node)) node = node.resolve(this.doc);
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && keyString(p.key.value) === String(seg));
        if (!pair) return { key, value: node as Node, complete: false, parent };
        parent = node as Node;
        key = pair.key as Node;
        node = pair.value;
        if (node === null || node === undefined) return { key, value: undefined, complete: true, parent };
      } else if (isSeq(node)) {
        const item = node.items[Number(seg)];
        if (item === undefined) return { key, value: node as Node, complete: false, parent };
        parent = node as Node;
        key = undefined;
        node = item;
      } else {
        return { key, value: node as Node | undefined, complete: false, parent };
      }
    }
    return { key, value: node as Node | undefined, complete: true, parent };
  }

  /** Whether the last segment of a path is a plain key written in the source. */
  hasKey(path: DataPath): boolean {
    const { key, complete } = this.nodeAt(path);
    return complete && key !== undefined;
  }

  /**
   * Where a data path is written: `key` = the mapping key that holds it (for unknown or
   * duplicate keys), `value` = its value (for wrong types and dangling names).
   */
  span(path: DataPath, where: 'key' | 'value' = 'value'): Span {
    const { key, value, parent } = this.nodeAt(path);
    const pick = where === 'key' ? (key ?? value) : (value ?? key);
    const node = pick ?? parent;
    if (!node?.range) return { line: 1, column: 1, length: 1 };
    const [start, end] = node.range;
    const collection = isMap(node) || isSeq(node);
    const text = this.text.slice(start, end);
    const firstLine = text.split(/\r?\n/)[0] ?? '';
    return this.spanAt(start, collection ? 1 : firstLine.trimEnd().length);
  }

  pos(path: DataPath, where: 'key' | 'value' = 'value'): Pos {
    const s = this.span(path, where);
    return { file: this.file, line: s.line, column: s.column };
  }

  error(path: DataPath, message: string, where: 'key' | 'value' = 'value', schemaPath = ''): Diagnostic {
    return this.diagnostic(this.span(path, where), message, toPointer(path), schemaPath);
  }

  /** The `# yaml-language-server: $schema=...` modeline, if any. */
  modelineSchema(): string | undefined {
    const m = /^#\s*yaml-language-server:\s*\$schema=(\S+)/m.exec(this.text.split('\n', 3).join('\n'));
    return m?.[1];
  }
}

function yamlMessage(message: string): string {
  // the yaml package appends " at line L, column C" which our prefix already says
  return message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '').trim();
}

export function toPointer(path: DataPath): string {
  return path.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

export function fromPointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * Run a check that assumes schema-valid data. After schema errors (lenient) the data may
 * have any shape: a check that trips over it is skipped, since the schema error already
 * explains that part of the file.
 */
export function guarded(lenient: boolean, fn: () => void): void {
  if (!lenient) return fn();
  try {
    fn();
  } catch {
    // the shape was wrong; already reported by the schema
  }
}

/** A scalar key as toJS spells it in the plain object (a null key becomes ""). */
function keyString(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}
