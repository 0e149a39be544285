// Diagnostics: gcc-style text (`file:line:col: error: message`, the source line, a caret)
// because editors and CI problem matchers already parse it, or JSON objects.

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  file: string;
  /** 1-based */
  line: number;
  /** 1-based */
  column: number;
  severity: Severity;
  message: string;
  /** JSON Pointer into the document ('' for the file or the root) */
  instancePath: string;
  /** the schema keyword that failed ('' for YAML and semantic errors) */
  schemaPath: string;
  /** the source line, for the excerpt (not in the JSON form) */
  sourceLine?: string;
  /** how many characters the caret underlines */
  length?: number;
}

/** File order first (as the files were given), then position. */
export function sortDiagnostics(diags: Diagnostic[], fileOrder: string[] = []): Diagnostic[] {
  const rank = new Map(fileOrder.map((f, i) => [f, i]));
  const fileRank = (f: string) => rank.get(f) ?? Number.MAX_SAFE_INTEGER;
  return [...diags].sort(
    (a, b) =>
      fileRank(a.file) - fileRank(b.file) ||
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.line - b.line ||
      a.column - b.column ||
      (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
  );
}

/** Drop exact repeats (the same mistake reached through two boards or two for-each devices). */
export function dedupeDiagnostics(diags: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diags.filter((d) => {
    const key = `${d.file}\0${d.line}\0${d.column}\0${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const SPECIAL: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\t': '\\t', '\n': '\\n', '\v': '\\v', '\f': '\\f', '\r': '\\r' };

/**
 * Control characters (C0, DEL, C1) written out as git quotes a path and the kernel's %pE
 * prints a string: \n, \t, ... or the octal of each UTF-8 byte (\033), so a file cannot set
 * the terminal's title, clear its screen or move its cursor through a diagnostic.
 * A backslash stays as it is: the output is for a person, not to be unquoted.
 */
export function escapeControls(text: string, keepTabs = false): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => {
    if (c === '\t' && keepTabs) return c;
    return SPECIAL[c] ?? [...Buffer.from(c, 'utf8')].map((b) => '\\' + b.toString(8).padStart(3, '0')).join('');
  });
}

function caretLine(source: string, column: number, length: number): string {
  // keep tabs so the caret lines up under a tab-indented source line; an escaped control
  // character is as wide as its escape
  const lead = escapeControls(source.slice(0, column - 1), true).replace(/[^\t]/g, ' ');
  const marked = escapeControls(source.slice(column - 1, column - 1 + Math.max(1, length)), true);
  const avail = Math.max(1, Math.min(marked.length, escapeControls(source, true).length - lead.length));
  return lead + '^' + '~'.repeat(avail - 1);
}

/** characters of a long source line shown around the caret */
export const MAX_EXCERPT = 160;

/**
 * The source line as the excerpt shows it: a line longer than MAX_EXCERPT (a minified,
 * one-line document) is cut to a window around the column, marked with "...", so each
 * diagnostic prints a bounded amount whatever the line.
 */
function excerpt(line: string, column: number): { text: string; column: number } {
  if (line.length <= MAX_EXCERPT) return { text: line, column };
  const start = Math.max(0, Math.min(column - 1 - MAX_EXCERPT / 4, line.length - MAX_EXCERPT));
  const lead = start > 0 ? '...' : '';
  const tail = start + MAX_EXCERPT < line.length ? '...' : '';
  return { text: lead + line.slice(start, start + MAX_EXCERPT) + tail, column: column - start + lead.length };
}

export function formatDiagnostic(d: Diagnostic): string {
  const head = `${escapeControls(d.file)}:${d.line}:${d.column}: ${d.severity}: ${escapeControls(d.message)}`;
  if (d.sourceLine === undefined) return head;
  const ex = excerpt(d.sourceLine, d.column);
  return `${head}\n${escapeControls(ex.text, true)}\n${caretLine(ex.text, ex.column, d.length ?? 1)}`;
}

export function diagnosticJson(d: Diagnostic) {
  return {
    file: d.file,
    line: d.line,
    column: d.column,
    severity: d.severity,
    message: d.message,
    instancePath: d.instancePath,
    schemaPath: d.schemaPath,
  };
}

/** Text: one block per diagnostic. JSON: one array of {file, line, column, severity, message, instancePath, schemaPath}. */
export function formatDiagnostics(diags: Diagnostic[], opts: { json?: boolean } = {}): string {
  if (opts.json) return JSON.stringify(diags.map(diagnosticJson), null, 2) + '\n';
  return diags.map((d) => formatDiagnostic(d) + '\n').join('');
}

/** "3 errors in 2 files" / "1 error in 1 file". */
export function summarizeDiagnostics(diags: Diagnostic[]): string {
  const errors = diags.filter((d) => d.severity === 'error').length;
  const files = new Set(diags.map((d) => d.file)).size;
  return `${errors} error${errors === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}`;
}
