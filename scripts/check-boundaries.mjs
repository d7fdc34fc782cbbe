#!/usr/bin/env node
/**
 * Checks the import boundaries of `src/` (or the folders given as arguments) and exits 1 on
 * any violation:
 * - the rules of `.dependency-cruiser.cjs` (no circle between files, feature folders used
 *   only through their public entry), evaluated by dependency-cruiser;
 * - no circle between feature folders (`src/modules/<feature>/`): a feature may depend on
 *   another, never back, even through a third.
 *
 *   npm run check:boundaries            node scripts/check-boundaries.mjs [folder...]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const depcruise = fileURLToPath(new URL('../node_modules/dependency-cruiser/bin/dependency-cruise.mjs', import.meta.url));
const folders = process.argv.slice(2);
const run = spawnSync(process.execPath, [depcruise, '--config', '.dependency-cruiser.cjs', '--output-type', 'json', ...(folders.length ? folders : ['src'])], {
  encoding: 'utf8',
  maxBuffer: 256 * 1024 * 1024,
});
if (run.status !== 0 && !run.stdout.startsWith('{')) {
  process.stderr.write(run.stderr || run.stdout);
  process.exit(2);
}
const result = JSON.parse(run.stdout);

/** The feature folder of a path inside a modules folder, or null. */
function featureOf(path) {
  const m = /(?:^|\/)src\/modules\/([^/]+)\//.exec(path);
  return m ? m[1] : null;
}

/** Strongly connected groups of more than one feature (each is a circle), by Tarjan's algorithm. */
function featureCircles(edges) {
  const graph = new Map();
  for (const [from, to] of edges) {
    if (!graph.has(from)) graph.set(from, new Set());
    if (!graph.has(to)) graph.set(to, new Set());
    graph.get(from).add(to);
  }
  let index = 0;
  const stack = [];
  const state = new Map();
  const groups = [];
  const visit = (v) => {
    const s = { index, low: index, onStack: true };
    index += 1;
    state.set(v, s);
    stack.push(v);
    for (const w of graph.get(v)) {
      const t = state.get(w);
      if (!t) {
        visit(w);
        s.low = Math.min(s.low, state.get(w).low);
      } else if (t.onStack) s.low = Math.min(s.low, t.index);
    }
    if (s.low === s.index) {
      const group = [];
      let w;
      do {
        w = stack.pop();
        state.get(w).onStack = false;
        group.push(w);
      } while (w !== v);
      if (group.length > 1) groups.push(group.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!state.has(v)) visit(v);
  return groups;
}

const problems = [];
for (const v of result.summary.violations) {
  const path = v.cycle ? [v.from, ...v.cycle.map((c) => (typeof c === 'string' ? c : c.name))].join(' -> ') : `${v.from} -> ${v.to}`;
  problems.push(`${v.rule.name}: ${path}`);
}
const edges = [];
const examples = new Map();
for (const m of result.modules) {
  const from = featureOf(m.source);
  if (!from) continue;
  for (const d of m.dependencies) {
    const to = featureOf(d.resolved);
    if (!to || to === from) continue;
    edges.push([from, to]);
    if (!examples.has(`${from}>${to}`)) examples.set(`${from}>${to}`, `${m.source} imports ${d.resolved}`);
  }
}
for (const group of featureCircles(edges)) {
  const inGroup = new Set(group);
  const links = [...examples.entries()].filter(([k]) => { const [a, b] = k.split('>'); return inGroup.has(a) && inGroup.has(b); }).map(([, e]) => `    ${e}`);
  problems.push(`feature-circle: ${group.join(', ')} depend on each other:\n${links.join('\n')}`);
}
if (problems.length) {
  process.stderr.write(`${problems.join('\n')}\n\n${problems.length} boundary violation(s) in ${result.summary.totalCruised} files.\n`);
  process.exit(1);
}
process.stdout.write(`Boundaries hold: 0 circles, 0 violations (${result.summary.totalCruised} files, ${result.summary.totalDependenciesCruised} imports).\n`);
