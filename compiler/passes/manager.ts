// The pass manager: runs the pipeline, checks the graph after every pass, and
// keeps a snapshot (canonical text + fingerprint) so two compilations can be
// compared pass by pass and the first divergent pass named.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { invariant, VoltaError } from '../ir/errors.ts';
import type { Graph } from '../ir/graph.ts';
import { graphText, sha256 } from '../ir/text.ts';
import { canonicalize } from './canonicalize.ts';
import { eliminateDeadCode } from './eliminate_dead_code.ts';
import { foldBatchnorm } from './fold_batchnorm.ts';
import { foldConstants } from './fold_constants.ts';
import { fuseElementwise } from './fuse_elementwise.ts';
import { inferShapes } from './infer_shapes.ts';
import type { Pass, Rewrite } from './pass.ts';

export const PASSES: readonly Pass[] = [inferShapes, canonicalize, foldConstants, foldBatchnorm, eliminateDeadCode, fuseElementwise];
export const PASS_NAMES: readonly string[] = PASSES.map((p) => p.name);

export interface PassSnapshot {
  readonly pass: string;
  readonly text: string;
  readonly fingerprint: string;
  readonly rewrites: readonly Rewrite[];
}

export interface PassOptions {
  /** Passes to skip by name (e.g. to see unfused kernels). */
  readonly disable?: readonly string[];
  /** Directory for NNN_<pass>.ir dumps. */
  readonly dump?: string;
}

/** Structural invariants every pass must keep. */
export function verifyGraph(g: Graph): void {
  const defined = new Set<string>(g.inputs);
  for (const v of g.values.values()) if (v.data !== undefined) defined.add(v.id);
  for (const n of g.nodes) {
    for (const i of n.inputs) invariant(i === '' || defined.has(i), `node ${n.id} reads ${i} before it is defined`);
    for (const o of n.outputs) {
      invariant(!defined.has(o), `value ${o} is defined twice`);
      defined.add(o);
    }
  }
  for (const o of g.outputs) invariant(defined.has(o), `graph output ${o} is not defined`);
}

export function runPasses(graph: Graph, opts: PassOptions = {}): { graph: Graph; snapshots: PassSnapshot[] } {
  for (const d of opts.disable ?? []) {
    if (!PASS_NAMES.includes(d)) throw new VoltaError('VOLTA_E_BAD_OPTION', { found: `unknown pass ${JSON.stringify(d)}`, expected: PASS_NAMES.join(', ') });
  }
  verifyGraph(graph);
  const snapshot = (pass: string, g: Graph, rewrites: Rewrite[]): PassSnapshot => {
    const text = graphText(g);
    return { pass, text, fingerprint: sha256(text), rewrites };
  };
  const snapshots = [snapshot('import', graph, [])];
  let g = graph;
  for (const p of PASSES) {
    if (opts.disable?.includes(p.name)) continue;
    const rewrites: Rewrite[] = [];
    g = p.run(g, (rule, node) => rewrites.push({ rule, node }));
    verifyGraph(g);
    snapshots.push(snapshot(p.name, g, rewrites));
  }
  if (opts.dump !== undefined) {
    mkdirSync(opts.dump, { recursive: true });
    snapshots.forEach((s, i) => {
      const log = s.rewrites.map((r) => `# ${r.rule} @${r.node}`).join('\n');
      writeFileSync(join(opts.dump!, `${String(i).padStart(3, '0')}_${s.pass}.ir`), `${s.text}${log ? `${log}\n` : ''}`);
    });
  }
  return { graph: g, snapshots };
}

/** The first pass whose snapshot differs between two compilations, or undefined. */
export function firstDivergentPass(a: readonly PassSnapshot[], b: readonly PassSnapshot[]): { pass: string; index: number } | undefined {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i]?.pass !== b[i]?.pass || a[i]?.fingerprint !== b[i]?.fingerprint) return { pass: a[i]?.pass ?? b[i]!.pass, index: i };
  }
  return undefined;
}
