// Help text from a command's documentation table: the short `--help` (usage, options,
// exit status, as `git cmd -h`) and the man-page-like `bringup help <command>` (NAME,
// SYNOPSIS, DESCRIPTION, OPTIONS, EXAMPLES, EXIT STATUS, ENVIRONMENT, SEE ALSO, as
// `git help cmd`). Both read the same table, so they cannot disagree.

import type { CommandDoc, OptionSpec } from './command.js';

export const HELP_OPTION: OptionSpec = { name: 'help', short: 'h', type: 'boolean', help: 'show this help (`bringup help <command>` for the manual page)' };

function optionHead(o: OptionSpec): string {
  const long = o.type === 'string' ? `--${o.name} ${o.value ?? 'VALUE'}` : `--${o.name}`;
  return o.short ? `-${o.short}, ${long}` : long;
}

function optionLines(options: readonly OptionSpec[]): string[] {
  const out: string[] = [];
  for (const o of [...options, HELP_OPTION]) {
    const head = `  ${optionHead(o)}`;
    const text = o.help.split('\n');
    if (head.length <= 22) {
      out.push(`${head.padEnd(24)}${text[0]}`);
      for (const t of text.slice(1)) out.push(`${''.padEnd(24)}${t}`);
    } else {
      out.push(head);
      for (const t of text) out.push(`${''.padEnd(24)}${t}`);
    }
  }
  return out;
}

function indent(text: string, by: number): string {
  const pad = ' '.repeat(by);
  return text
    .replace(/\n+$/, '')
    .split('\n')
    .map((l) => (l.length ? pad + l : ''))
    .join('\n');
}

/** `bringup <command> --help`. */
export function renderUsage(doc: CommandDoc): string {
  const out: string[] = [];
  doc.synopsis.forEach((s, i) => out.push(`${i === 0 ? 'usage:' : '      '} bringup ${s}`));
  out.push('', doc.description.replace(/\n+$/, ''), '', 'options:', ...optionLines(doc.options), '');
  if (doc.environment) out.push('environment:', indent(doc.environment, 2), '');
  out.push(`exit status:`, indent(doc.exit, 2), '');
  if (doc.notes) out.push(doc.notes.replace(/\n+$/, ''), '');
  out.push(`(more, with examples: bringup help ${doc.name})`, '');
  return out.join('\n');
}

/** `bringup help <command>`: a manual page. */
export function renderManPage(doc: CommandDoc): string {
  const title = `BRINGUP-${doc.name.toUpperCase()}(1)`;
  const out: string[] = [`${title.padEnd(40)}bringup manual`, ''];
  const section = (name: string, body: string) => out.push(name, indent(body, 4), '');
  section('NAME', `bringup ${doc.name} - ${doc.summary}`);
  section('SYNOPSIS', doc.synopsis.map((s) => `bringup ${s}`).join('\n'));
  section('DESCRIPTION', doc.description);
  const opts: string[] = [];
  for (const o of [...doc.options, HELP_OPTION]) {
    opts.push(optionHead(o));
    opts.push(indent(o.help + (o.choices ? `\none of: ${o.choices.join(', ')}` : ''), 4), '');
  }
  section('OPTIONS', opts.join('\n'));
  if (doc.examples.length) section('EXAMPLES', doc.examples.map((e) => `$ ${e.command}\n${indent(e.says, 4)}\n`).join('\n'));
  section('EXIT STATUS', doc.exit);
  if (doc.environment) section('ENVIRONMENT', doc.environment);
  if (doc.notes) section('NOTES', doc.notes);
  const see = (doc.seeAlso ?? []).map((c) => `bringup help ${c}`);
  see.push('README.md, docs/DSL.md, docs/MODEL.md');
  section('SEE ALSO', see.join(', '));
  return out.join('\n').replace(/\n+$/, '\n');
}
