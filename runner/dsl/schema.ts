// JSON Schema validation with ajv, and the translation of ajv's errors into positioned,
// ranked, human diagnostics ("unknown key "iomus" (did you mean "iommus"?)").

import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Diagnostic } from './diagnostic.js';
import { didYouMean } from './suggest.js';
import { fromPointer, toPointer, type SourceFile } from './source.js';

export type DocKind = 'board' | 'suite' | 'kernel';

const require = createRequire(import.meta.url);

/** The dsl-schema/ directory of the installed package (dist/runner/dsl → ../../../dsl-schema). */
export function schemaDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../dsl-schema');
}

type Schema = Record<string, unknown>;
const texts = new Map<DocKind, string>();
const schemas = new Map<DocKind, Schema>();
const validators = new Map<DocKind, ValidateFunction>();

// verbose: the failing (parent) schema comes with each error, which carries the titles
// and property lists that messages and suggestions are made of
export const AJV_OPTIONS = { allErrors: true, strict: true, verbose: true } as const;

function schemaText(kind: DocKind): string {
  let t = texts.get(kind);
  if (t === undefined) {
    t = readFileSync(path.join(schemaDir(), `${kind}.schema.json`), 'utf8');
    texts.set(kind, t);
  }
  return t;
}

export function loadSchema(kind: DocKind): Schema {
  let s = schemas.get(kind);
  if (!s) {
    s = JSON.parse(schemaText(kind)) as Schema;
    schemas.set(kind, s);
  }
  return s;
}

/** What a precompiled validator was generated from: the schema file's bytes. */
export function schemaHash(kind: DocKind): string {
  return createHash('sha256').update(schemaText(kind)).digest('hex');
}

/** The ajv standalone validator `npm run build` writes (precompile.ts). */
export function precompiledFile(kind: DocKind): string {
  // from dist/runner/dsl or from the bundle beside it (dist/runner/bundle)
  return path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dsl', 'validators', `${kind}.cjs`);
}

function precompiled(kind: DocKind): ValidateFunction | undefined {
  const file = precompiledFile(kind);
  if (!existsSync(file)) return undefined;
  const v = require(file) as ValidateFunction & { schemaHash?: string };
  return v.schemaHash === schemaHash(kind) ? v : undefined;
}

/** A validator compiled now (ajv is loaded only here: a precompiled one needs none of it). */
export function compileValidator(kind: DocKind): ValidateFunction {
  const { Ajv } = require('ajv') as typeof import('ajv');
  return new Ajv(AJV_OPTIONS).compile(loadSchema(kind));
}

function validator(kind: DocKind): ValidateFunction {
  let v = validators.get(kind);
  if (!v) {
    // generated at build time; compiled here when missing or stale (a schema edited since)
    v = precompiled(kind) ?? compileValidator(kind);
    validators.set(kind, v);
  }
  return v;
}

const ARTICLE: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean (true or false)',
  object: 'a map',
  array: 'a list',
  null: 'empty',
};

/** A value as a message echoes it: long strings cut, so a hostile value cannot flood the terminal. */
function shortText(s: string): string {
  return s.length > 80 ? `${s.slice(0, 60)}... (${s.length} characters)` : s;
}

function describe(value: unknown): string {
  if (value === null) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return `the string "${shortText(value)}"`;
  if (typeof value === 'number') return `the number ${value}`;
  return String(value);
}

function quoteValue(value: unknown): string {
  return typeof value === 'string' ? `"${shortText(value)}"` : JSON.stringify(value);
}

function listOr(values: readonly unknown[]): string {
  const q = values.map((v) => String(v));
  return q.length === 1 ? q[0]! : `${q.slice(0, -1).join(', ')} or ${q[q.length - 1]}`;
}

/** The name a message uses for the value at a path: the schema title, else the key. */
function fieldName(segs: string[], schema: Schema | undefined): string {
  const title = schema?.['title'];
  if (typeof title === 'string') return title;
  for (let i = segs.length - 1; i >= 0; i--) {
    if (!/^\d+$/.test(segs[i]!)) return `"${segs[i]}"` + (i < segs.length - 1 ? ' item' : '');
  }
  return 'document';
}

interface Mapped {
  segs: (string | number)[];
  where: 'key' | 'value';
  message: string;
  /** for ranking: the key an unknown-key error suggests instead */
  suggests?: string;
}

function objectStepKeys(kind: DocKind): string[] {
  const step = (loadSchema(kind)['definitions'] as Record<string, Schema> | undefined)?.['step'];
  const props = (step?.['else'] as Schema | undefined)?.['properties'] as Schema | undefined;
  return props ? Object.keys(props) : [];
}

function errnoRange(segs: string[], value: unknown): string {
  return `${fieldName(segs, undefined)} must be an errno from -4095 (-MAX_ERRNO) to -1, as the kernel returns it, such as -ENOMEM or -5, not ${String(value)}`;
}

function mapError(kind: DocKind, e: ErrorObject): Mapped | undefined {
  const segs = fromPointer(e.instancePath);
  const parent = e.parentSchema as Schema | undefined;
  const title = typeof parent?.['title'] === 'string' ? (parent['title'] as string) : undefined;
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'if':
      // the branch that failed reports its own errors
      return undefined;
    case 'additionalProperties': {
      const key = String(p['additionalProperty']);
      const known = Object.keys((parent?.['properties'] as Schema | undefined) ?? {}).filter((k) => !k.startsWith('$'));
      const hint = didYouMean(key, known);
      const what = title === 'step' ? 'step' : title === 'probe action' ? 'probe action' : 'key';
      const suggests = hint ? /"(.*)"/.exec(hint)![1] : undefined;
      const list = !hint && (what !== 'key' || known.length <= 8) ? `; expected ${listOr(known.map((k) => `"${k}"`))}` : '';
      return { segs: [...segs, key], where: 'key', message: `unknown ${what} "${shortText(key)}"${hint}${list}`, suggests };
    }
    case 'required':
      return { segs, where: 'value', message: `missing required key "${String(p['missingProperty'])}"${title ? ` in ${title}` : ''}` };
    case 'type': {
      const want = String(p['type']).split(',').map((t) => ARTICLE[t] ?? t);
      if (title === 'step' || title === 'probe action') {
        return { segs, where: 'value', message: `a ${title} must be a map with exactly one key (such as ${title === 'step' ? '"unbind: DEVICE"' : '"dmam-alloc: 4096"'}), not ${describe(e.data)}` };
      }
      return { segs, where: 'value', message: `${fieldName(segs, undefined)} must be ${listOr(want)}, not ${describe(e.data)}` };
    }
    case 'enum': {
      const allowed = (p['allowedValues'] as unknown[]) ?? [];
      const name = fieldName(segs, parent);
      if (title === 'step' && typeof e.data === 'string' && objectStepKeys(kind).includes(e.data)) {
        return { segs, where: 'value', message: `step "${e.data}" needs a value ("${e.data}: ...")` };
      }
      const hint = didYouMean(e.data, allowed.map(String));
      const list = allowed.length <= 10 ? `; expected ${listOr(allowed)}` : '';
      return { segs, where: 'value', message: `unknown ${name.replace(/"/g, '')} ${quoteValue(e.data)}${hint}${list}` };
    }
    case 'pattern': {
      if (e.propertyName !== undefined) return undefined; // reported by propertyNames
      // a name over its length limit is reported as such, not also as a mismatch
      const max = parent?.['maxLength'];
      if (typeof max === 'number' && typeof e.data === 'string' && e.data.length > max) return undefined;
      return { segs, where: 'value', message: `invalid ${fieldName(segs, parent).replace(/"/g, '')} ${quoteValue(e.data)}: must match ${String(p['pattern'])}` };
    }
    case 'propertyNames': {
      const name = String(p['propertyName']);
      return { segs: [...segs, name], where: 'key', message: `invalid name "${shortText(name)}"` };
    }
    case 'minItems':
      return { segs, where: 'value', message: p['limit'] === 1 ? `${fieldName(segs, undefined)} must not be empty` : `${fieldName(segs, undefined)} needs at least ${String(p['limit'])} items` };
    case 'minLength':
      return { segs, where: 'value', message: `${fieldName(segs, undefined)} must not be empty` };
    case 'minimum':
    case 'maximum':
      if (title === 'errno') return { segs, where: 'value', message: errnoRange(segs, e.data) };
      if (e.keyword === 'maximum') return { segs, where: 'value', message: `${fieldName(segs, undefined)} must be at most ${String(p['limit'])}, not ${String(e.data)}` };
      return { segs, where: 'value', message: `${fieldName(segs, undefined)} must be at least ${String(p['limit'])}, not ${String(e.data)}` };
    case 'not':
      if (title === 'errno') return { segs, where: 'value', message: errnoRange(segs, e.data) };
      return { segs, where: 'value', message: e.message ?? e.keyword };
    case 'maxLength':
      return { segs, where: 'value', message: `${fieldName(segs, parent)} is ${String((e.data as string).length)} characters long (the limit is ${String(p['limit'])})` };
    case 'maxProperties': {
      const keys = Object.keys((e.data as object) ?? {});
      return {
        segs: [...segs, keys[1] ?? ''],
        where: 'key',
        message: `a ${title ?? 'map'} has exactly one key; found ${listOr(keys.map((k) => `"${k}"`)).replace(/ or /, ' and ')} (start a new list item with "- ")`,
      };
    }
    case 'minProperties':
      return { segs, where: 'value', message: `empty ${title ?? 'map'}` };
    default:
      return { segs, where: 'value', message: e.message ?? e.keyword };
  }
}

/**
 * Validate a parsed file against its kind's schema and return ranked, positioned
 * diagnostics: one message per mistake (a misspelt key also explains the "missing"
 * key it was meant to be, so that second report is dropped).
 */
export function schemaDiagnostics(source: SourceFile, kind: DocKind): Diagnostic[] {
  const validate = validator(kind);
  if (validate(source.data)) return [];
  const mapped: { m: Mapped; e: ErrorObject }[] = [];
  for (const e of validate.errors ?? []) {
    const m = mapError(kind, e);
    if (m) mapped.push({ m, e });
  }
  const suggested = new Set(mapped.filter((x) => x.m.suggests).map((x) => `${x.e.instancePath}\0${x.m.suggests}`));
  const typoAt = new Set(mapped.filter((x) => x.m.suggests).map((x) => x.e.instancePath));
  const out: Diagnostic[] = [];
  // several keys missing from one map make one report
  const missing = new Map<string, { keys: string[]; m: Mapped; e: ErrorObject }>();
  for (const { m, e } of mapped) {
    if (e.keyword === 'required') {
      const key = String((e.params as Record<string, unknown>)['missingProperty']);
      if (suggested.has(`${e.instancePath}\0${key}`)) continue;
      const group = missing.get(e.instancePath);
      if (group) {
        group.keys.push(key);
        continue;
      }
      missing.set(e.instancePath, { keys: [key], m, e });
    }
    // a misspelt discriminating key ("devce") sends the item to the catch-all shape, whose
    // other complaints are about the wrong shape: the typo is the one error to report
    if (typoAt.has(e.instancePath) && !m.suggests && (e.parentSchema as Schema | undefined)?.['title'] === 'state item') continue;
    // a key that is a list or a map: the parser's check already said so
    if (e.keyword === 'additionalProperties' && !source.hasKey(m.segs)) continue;
    out.push(source.error(m.segs, m.message, m.where, e.schemaPath));
  }
  for (const { keys, m, e } of missing.values()) {
    if (keys.length < 2) continue;
    const d = out.find((x) => x.schemaPath === e.schemaPath && x.instancePath === toPointer(m.segs) && x.message === m.message)!;
    const title = (e.parentSchema as Schema | undefined)?.['title'];
    const list = keys.map((k) => `"${k}"`);
    d.message = `missing required keys ${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}${typeof title === 'string' ? ` in ${title}` : ''}`;
  }
  return out;
}
