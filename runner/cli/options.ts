// Command-line options, parsed by node:util's parseArgs but answered in bringup's own
// words: parseArgs's strict errors are written for programmers ("To specify a positional
// argument starting with a '-', place it at the end of the command after '--' ..."), so
// it tokenises leniently and every mistake is named here, with a did-you-mean.

import { parseArgs } from 'node:util';
import type { OptionSpec } from './command.js';
import { UsageError } from './command.js';
import { closest } from '../dsl/suggest.js';

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface Parsed {
  values: OptionValues;
  positionals: string[];
}

export interface ParseRules {
  /** operands allowed at all (default true) */
  positionals?: boolean;
}

function flag(o: OptionSpec): string {
  return `--${o.name}`;
}

function withValue(o: OptionSpec): string {
  return o.type === 'string' ? `${flag(o)} ${o.value ?? 'VALUE'}` : flag(o);
}

/** ` (did you mean --list?)` for a mistyped long or short option, or ''. */
export function suggestOption(raw: string, options: readonly OptionSpec[]): string {
  const name = raw.replace(/^-+/, '');
  if (!raw.startsWith('--') && name.length === 1) return '';
  // "-list": a long option typed with one dash
  if (options.some((o) => o.name === name)) return ` (did you mean --${name}?)`;
  const best = closest(name, options.map((o) => o.name));
  return best === undefined ? '' : ` (did you mean --${best}?)`;
}

/** ` (did you mean "json"?)` style hint for a mistyped choice, or ''. */
export function suggestChoice(value: string, choices: readonly string[]): string {
  const best = closest(value, choices);
  return best === undefined ? '' : ` (did you mean "${best}"?)`;
}

/**
 * Parse argv against the command's option table. Throws UsageError with one sentence
 * a person can act on: the unknown option and its nearest spelling, the option whose
 * value is missing, a value outside its choices, an operand the command does not take.
 */
export function parseOptions(argv: readonly string[], options: readonly OptionSpec[], rules: ParseRules = {}): Parsed {
  const config: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const o of options) {
    config[o.name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) };
  }
  const { tokens } = parseArgs({ args: [...argv], options: config, strict: false, allowPositionals: true, tokens: true });
  const byName = new Map(options.map((o) => [o.name, o]));
  const values: OptionValues = {};
  const positionals: string[] = [];
  for (const t of tokens) {
    if (t.kind === 'option-terminator') continue;
    if (t.kind === 'positional') {
      if (rules.positionals === false) throw new UsageError(`unexpected argument "${t.value}" (this command takes options only)`);
      positionals.push(t.value);
      continue;
    }
    const o = byName.get(t.name);
    if (!o) {
      // "-list" is tokenised as -l -i -s -t: name the argument as typed
      const arg = argv[t.index] ?? t.rawName;
      const raw = !arg.startsWith('--') && arg.length > 2 ? arg.split('=')[0]! : t.rawName;
      throw new UsageError(`unknown option ${raw}${suggestOption(raw, options)}`);
    }
    if (o.type === 'boolean') {
      if (t.inlineValue) throw new UsageError(`${flag(o)} takes no value (got "${t.rawName}=${t.value}")`);
      values[o.name] = true;
      continue;
    }
    const v = t.value;
    if (v === undefined) throw new UsageError(`${flag(o)} needs a value: ${withValue(o)}`);
    // "--board --kernel v6.15": the value was forgotten, not "--kernel"
    if (!t.inlineValue && v.length > 1 && v.startsWith('-')) {
      throw new UsageError(`${flag(o)} needs a value: ${withValue(o)} (got the option "${v}"; write ${flag(o)}=${v} if that is the value)`);
    }
    if (o.choices && !o.choices.includes(v)) {
      throw new UsageError(`unknown ${flag(o)} "${v}"${suggestChoice(v, o.choices)} (known: ${o.choices.join(', ')})`);
    }
    if (o.multiple) ((values[o.name] ??= []) as string[]).push(v);
    else values[o.name] = v;
  }
  return { values, positionals };
}

export function str(v: OptionValues, name: string): string | undefined {
  const x = v[name];
  return typeof x === 'string' ? x : undefined;
}

export function list(v: OptionValues, name: string): string[] {
  const x = v[name];
  return Array.isArray(x) ? x : [];
}

export function bool(v: OptionValues, name: string): boolean {
  return v[name] === true;
}

/** A whole number option, or a UsageError naming it. */
export function wholeNumber(v: OptionValues, name: string): number | undefined {
  const s = str(v, name);
  if (s === undefined) return undefined;
  if (!/^\d+$/.test(s)) throw new UsageError(`--${name} wants a whole number, not "${s}"`);
  return Number(s);
}

/**
 * parseArgs's own errors, from commands that call it directly (strict), in bringup's
 * words. `known` are the command's long option names, for the did-you-mean.
 */
export function translateParseArgsError(e: unknown, known: readonly string[]): string | undefined {
  const code = (e as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS_')) return undefined;
  const message = (e as Error).message;
  const opt = /'(-[^' ,<]+)/.exec(message)?.[1];
  const specs: OptionSpec[] = known.map((name) => ({ name, type: 'boolean', help: '' }));
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${opt ?? '?'}${opt ? suggestOption(opt, specs) : ''}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument${/'([^']*)'/.exec(message) ? ` "${/'([^']*)'/.exec(message)![1]}"` : ''} (this command takes options only)`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const long = /--[a-z0-9-]+/.exec(message)?.[0] ?? opt ?? 'an option';
      if (/does not take an argument/.test(message)) return `${long} takes no value`;
      return `${long} needs a value`;
    }
    default:
      return message.split('\n')[0];
  }
}
