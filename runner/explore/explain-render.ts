// explain's three renderings: readable text (root first, like every chain explain shows),
// the JSON of EXPLORE.md (its keys and nothing else), and Graphviz dot (devices, IOMMUs and
// suppliers as nodes, the waits and failures as labelled edges). Pure functions of the
// explanations: the same input gives the same bytes.

import type { Link, Question, RunExplanation } from './explain.js';

// ---------------------------------------------------------------------------------------
// text

function where(l: Link): string {
  return l.step === null ? 'board' : `step ${l.step}`;
}

function chainLines(chain: readonly Link[], indent: string): string[] {
  if (chain.length === 0) return [`${indent}(no recorded event leads here)`];
  const w = Math.max(...chain.map((l) => where(l).length));
  const f = Math.max(...chain.map((l) => (l.function ?? '').length));
  return chain.map((l, i) => {
    const at = l.pos && l.kind === 'step' ? `  (${l.pos.file}:${l.pos.line}:${l.pos.column})` : '';
    const arrow = i === 0 ? '  ' : '→ ';
    return `${indent}${arrow}${where(l).padEnd(w)}  ${(l.function ?? '').padEnd(f)}  ${l.event}${at}`.trimEnd();
  });
}

function decisiveLines(q: Question, kernel: string, indent: string): string[] {
  if (q.decisive.length === 0) return [`${indent}decisive: none — no single behaviour of ${kernel} changes this`];
  return q.decisive.map((d, i) => {
    const how = d.present ? `in ${kernel}; reverting it changes the answer` : `not in ${kernel}; applying it changes the answer`;
    const id = d.commit && d.commit !== d.behaviour ? `${d.behaviour} (${d.commit})` : d.behaviour;
    return `${indent}${i === 0 ? 'decisive:' : '         '} ${id} ${how} — ${d.subject}`;
  });
}

/** devices whose questions share a root and a verdict: said once, with the devices listed */
function groups(qs: readonly Question[]): Question[][] {
  const out: Question[][] = [];
  const byKey = new Map<string, Question[]>();
  for (const q of qs) {
    if (q.title || q.state === 'bound') {
      out.push([q]);
      continue;
    }
    const key = `${q.state}\u0000${q.root}\u0000${q.decisive.map((d) => d.behaviour).join(',')}`;
    const g = byKey.get(key);
    if (g) g.push(q);
    else {
      const ng = [q];
      byKey.set(key, ng);
      out.push(ng);
    }
  }
  return out;
}

function devicesDeferredLines(x: RunExplanation): string[] {
  const base = x.run.kernel.base;
  if (x.devicesDeferred === undefined) return [`/sys/kernel/debug/devices_deferred: no such file in ${base} (it came with v4.19)`];
  const note = x.devicesDeferred.length && !x.devicesDeferred[0]!.includes('\t') ? ' (names only: reasons came with v5.9)' : '';
  const out = [`/sys/kernel/debug/devices_deferred (${base})${note}:`];
  if (x.devicesDeferred.length === 0) out.push('  (empty)');
  for (const l of x.devicesDeferred) out.push(`  ${l.replace('\t', ' <TAB> ')}`);
  return out;
}

export function renderText(xs: readonly RunExplanation[]): string {
  const out: string[] = [];
  for (const x of xs) {
    if (out.length) out.push('');
    out.push(`== ${x.label}`);
    if (x.questions.length === 0) out.push('', 'every device is bound and no failure fired: nothing to explain');
    for (const g of groups(x.questions)) {
      const q = g[0]!;
      out.push('');
      if (q.title) out.push(`why did "${q.title.title}" fire?`);
      else if (g.length > 1) out.push(`why are ${g.length} devices ${q.state}? ${g.map((d) => d.device).join(', ')}`);
      else out.push(`why is ${q.device} ${q.state}?`);
      out.push(`  root: ${q.root}`);
      out.push(...chainLines(q.chain, '  '));
      out.push(...decisiveLines(q, x.run.kernel.name, '  '));
    }
    out.push('');
    out.push(...devicesDeferredLines(x));
    if (x.pending.length) out.push('deferred probe pending, at the timeout:', ...x.pending.map((p) => `  ${p}`));
  }
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------
// JSON (EXPLORE.md: exactly these keys)

export interface ExplainJson {
  questions: Array<{
    device: string | null;
    state: string;
    chain: Array<{ event: string; step: number | null; function: string | null; device: string | null }>;
    root: string;
    decisive: Array<{ behaviour: string; commit: string | null }>;
  }>;
  devices_deferred: string[];
}

export function toJson(xs: readonly RunExplanation[]): ExplainJson {
  return {
    questions: xs.flatMap((x) =>
      x.questions.map((q) => ({
        device: q.device,
        state: q.state,
        chain: q.chain.map((l) => ({ event: l.event, step: l.step, function: l.function, device: l.device })),
        root: q.root,
        decisive: q.decisive.map((d) => ({ behaviour: d.behaviour, commit: d.commit })),
      })),
    ),
    devices_deferred: xs.flatMap((x) => x.devicesDeferred ?? []),
  };
}

export function renderJson(xs: readonly RunExplanation[]): string {
  return JSON.stringify(toJson(xs), null, 2) + '\n';
}

// ---------------------------------------------------------------------------------------
// Graphviz dot

function q(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** the label of the edge a link draws from its device to the thing it names */
function edgeOf(l: Link): { to: string; label: string } | undefined {
  let m = /its IOMMU (\S+) is (.*)$/.exec(l.event);
  if (m) return { to: m[1]!, label: m[2]!.includes('goes on without') ? 'goes on without (IOMMU missing)' : `waits for (${m[2]})` };
  m = /its supplier (\S+) is not bound/.exec(l.event);
  if (m) return { to: m[1]!, label: 'waits for (not bound)' };
  return undefined;
}

export function renderDot(xs: readonly RunExplanation[]): string {
  const nodes = new Map<string, string>();
  const edges = new Set<string>();
  const iommus = new Set(xs.flatMap((x) => x.run.board.iommus.map((i) => i.name)));
  const node = (id: string, attrs: string): void => {
    if (!nodes.has(id)) nodes.set(id, attrs);
  };
  const device = (name: string): string => {
    node(name, `shape=${iommus.has(name) ? 'component' : 'box'}, label=${q(name)}`);
    return name;
  };
  const edge = (a: string, b: string, label: string, style = ''): void => {
    edges.add(`  ${q(a)} -> ${q(b)} [label=${q(label)}${style}];`);
  };
  for (const x of xs) {
    for (const qu of x.questions) {
      const root = `root: ${qu.root}`;
      node(root, `shape=note, style=filled, fillcolor="#fff3c4", label=${q(qu.root)}`);
      let prev: string | undefined;
      for (const l of qu.chain) {
        if (l.device) device(l.device);
        const e = l.device ? edgeOf(l) : undefined;
        if (e) edge(l.device!, device(e.to), e.label, ', color="#b03a2e"');
        if (l.device && prev === undefined) edge(root, l.device, qu.rootKind);
        if (l.device && /probe failed|probe deferred|injected|faults at|freed through|torn down/.test(l.event)) {
          edge(l.device, l.device, l.event.replace(`${l.device}: `, ''), ', style=dashed');
        }
        if (l.device) prev = l.device;
      }
      if (qu.title) {
        const t = `title: ${qu.title.title}`;
        node(t, `shape=octagon, style=filled, fillcolor="#f5b7b1", label=${q(qu.title.title)}`);
        edge(prev ?? root, t, 'fired');
      } else if (qu.device) {
        const d = device(qu.device);
        node(`state: ${qu.device}`, `shape=plaintext, label=${q(qu.state)}`);
        edge(d, `state: ${qu.device}`, 'now', ', style=dotted, arrowhead=none');
        if (prev === undefined) edge(root, d, qu.rootKind);
      }
    }
  }
  const lines = ['digraph explain {', '  rankdir=LR;', '  node [fontname="monospace", fontsize=10];', '  edge [fontname="monospace", fontsize=9];'];
  for (const [id, attrs] of nodes) lines.push(`  ${q(id)} [${attrs}];`);
  lines.push(...edges, '}');
  return lines.join('\n') + '\n';
}
