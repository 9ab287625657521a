// The fingerprint: SHA-256 over the canonical graph, the schedule (every kernel
// plan), the memory plan, target, options, Volta's version and the templates
// that shape the generated code. Same inputs => same hex in any process or thread.

import { templateFiles } from './codegen/templates.ts';
import type { Graph } from './ir/graph.ts';
import { graphText, sha256 } from './ir/text.ts';
import { canonicalJson } from './schedule/canonical_json.ts';
import type { MemoryPlan } from './schedule/memory_plan.ts';
import type { Schedule } from './schedule/schedule.ts';
import { VOLTA_VERSION } from './version.ts';

let templatesDigest: string | undefined;

export function scheduleText(s: Schedule, m: MemoryPlan): string {
  return canonicalJson({
    kernels: s.kernels.map((k) => ({ plan: k.plan, nodes: k.nodes })),
    outputs: s.outputs,
    storage: s.storage,
    memory: { arena: m.arenaBytes, weights: m.weightsBytes, buffers: m.buffers },
  });
}

export function fingerprint(g: Graph, s: Schedule, m: MemoryPlan, options: Record<string, unknown>): string {
  templatesDigest ??= sha256(canonicalJson(templateFiles()));
  return sha256(
    canonicalJson({
      volta: VOLTA_VERSION,
      graph: graphText(g),
      schedule: scheduleText(s, m),
      options,
      templates: templatesDigest,
    }),
  );
}
