// The query language of the `dyndbg=` boot parameter and of dynamic_debug/control
// (lib/dynamic_debug.c ddebug_exec_queries), apart from the call sites: the DSL's checks
// parse a suite's queries without loading the model's kernel.

/** _DPRINTK_FLAGS_* the model prints with */
export const FLAG_PRINT = 1;
export const FLAG_MODNAME = 2;
export const FLAG_FUNCNAME = 4;
export const FLAG_TID = 8;

const FLAG_CHARS: Record<string, number> = { p: FLAG_PRINT, m: FLAG_MODNAME, f: FLAG_FUNCNAME, t: FLAG_TID, _: 0 };

export interface DdebugQuery {
  func?: string;
  file?: string;
  module?: string;
  format?: string;
  class?: string;
  /** '+' adds, '-' removes, '=' sets */
  op: '+' | '-' | '=';
  flags: number;
}

/** a query the kernel would refuse: what is wrong and where in the string (0-based) */
export class DdebugQueryError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}

interface Word {
  text: string;
  offset: number;
}

/** ddebug_tokenize(): words split on blanks, "..." or '...' quoting, '#' starts a comment */
function tokenize(s: string, base: number): Word[] {
  const words: Word[] = [];
  let i = 0;
  while (i < s.length) {
    while (i < s.length && /\s/.test(s[i]!)) i++;
    if (i >= s.length || s[i] === '#') break;
    const start = i;
    let text: string;
    if (s[i] === '"' || s[i] === "'") {
      const q = s[i]!;
      const end = s.indexOf(q, i + 1);
      if (end < 0) throw new DdebugQueryError(`unclosed quote: ${s.slice(i)}`, base + i);
      text = s.slice(i + 1, end);
      i = end + 1;
    } else {
      while (i < s.length && !/\s/.test(s[i]!)) i++;
      text = s.slice(start, i);
    }
    words.push({ text, offset: base + start });
    // MAXWORDS 9 in ddebug_exec_query()
    if (words.length > 9) throw new DdebugQueryError('too many words, legal max <=9', base + start);
  }
  return words;
}

/** string_unescape_inplace(UNESCAPE_SPACE | UNESCAPE_OCTAL | UNESCAPE_SPECIAL) for `format` */
function unescape(s: string): string {
  return s.replace(/\\([0-7]{1,3}|[ntvfr\\"a]|e)/g, (_, c: string) => {
    if (/^[0-7]/.test(c)) return String.fromCharCode(parseInt(c, 8));
    const map: Record<string, string> = { n: '\n', t: '\t', v: '\v', f: '\f', r: '\r', '\\': '\\', '"': '"', a: '\x07', e: '\x1b' };
    return map[c]!;
  });
}

function parseFlags(w: Word): Pick<DdebugQuery, 'op' | 'flags'> {
  const op = w.text[0];
  if (op !== '+' && op !== '-' && op !== '=') throw new DdebugQueryError(`bad flag-op ${op ?? ''}, at start of ${w.text} (the last word is the flags: +p, -p, =pmf...)`, w.offset);
  let flags = 0;
  for (let i = 1; i < w.text.length; i++) {
    const c = w.text[i]!;
    if (c === 'l' || c === 's') {
      throw new DdebugQueryError(`flag '${c}' (${c === 'l' ? 'line number' : 'source file'} in the prefix) is not modelled: the model's call sites have no source line`, w.offset + i);
    }
    const f = FLAG_CHARS[c];
    if (f === undefined) throw new DdebugQueryError(`unknown flag '${c}' (flags: p m f t _)`, w.offset + i);
    flags |= f;
  }
  return { op, flags };
}

/** one query: `[keyword value]... flags` (ddebug_exec_query) */
function parseQuery(words: Word[]): DdebugQuery {
  const flagsWord = words[words.length - 1]!;
  const q: DdebugQuery = parseFlags(flagsWord);
  const pairs = words.slice(0, -1);
  if (pairs.length % 2 !== 0) throw new DdebugQueryError('expecting pairs of match-spec <value>', pairs[pairs.length - 1]!.offset);
  const set = (key: 'func' | 'file' | 'module' | 'format' | 'class', value: string, w: Word): void => {
    // check_set(): each match-spec once
    if (q[key] !== undefined) throw new DdebugQueryError(`match-spec:${key} val:${q[key]} overridden by ${value}`, w.offset);
    q[key] = value;
  };
  for (let i = 0; i < pairs.length; i += 2) {
    const kw = pairs[i]!;
    const arg = pairs[i + 1]!;
    switch (kw.text) {
      case 'func':
      case 'module':
      case 'class':
        set(kw.text, arg.text, arg);
        break;
      case 'format':
        set('format', unescape(arg.text), arg);
        break;
      case 'file': {
        // a tail ":func" or ":line-range" after the file name
        const colon = arg.text.indexOf(':');
        if (colon < 0) {
          set('file', arg.text, arg);
          break;
        }
        set('file', arg.text.slice(0, colon), arg);
        const tail = arg.text.slice(colon + 1);
        if (/^[A-Za-z*?]/.test(tail)) set('func', tail, arg);
        else throw new DdebugQueryError(`line ranges (file ${arg.text}) are not modelled: the model's call sites have no source line`, arg.offset + colon + 1);
        break;
      }
      case 'line':
        throw new DdebugQueryError("'line' is not modelled: the model's call sites have no source line (use func or format)", kw.offset);
      default:
        throw new DdebugQueryError(`unknown keyword "${kw.text}" (keywords: func, file, module, format, class)`, kw.offset);
    }
  }
  return q;
}

/**
 * ddebug_exec_queries(): queries separated by ';' or newlines. Throws DdebugQueryError at the
 * first query the kernel would refuse (it goes on with the others; a scenario should not).
 */
export function parseDdebugQueries(s: string): DdebugQuery[] {
  const out: DdebugQuery[] = [];
  let base = 0;
  for (const part of s.split(/[;\n]/)) {
    const words = tokenize(part, base);
    base += part.length + 1;
    if (words.length === 0) continue;
    out.push(parseQuery(words));
  }
  if (out.length === 0) throw new DdebugQueryError('empty query (e.g. "file drivers/base/dd.c +p")', 0);
  return out;
}
