// Backward kernel kinds (window_grad, conv_weight_grad, scatter_add): the compiled C
// gives the TS reference interpreter's bits on random inputs, so the fixed orders of
// compiler/ops/compute.ts hold in generated code.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Volta } from '../runtime/index.ts';
import { backwardGraphs } from './helpers/backward_models.ts';
import { sameBits } from './helpers/bits.ts';
import { referenceFetches } from './helpers/interp.ts';
import { feedsFor } from './helpers/models.ts';

const cacheDir = join(tmpdir(), 'volta-backward-cache');

describe('backward kernels: C == TS reference, bit for bit', () => {
  for (const { name, graph } of backwardGraphs()) {
    it(name, async () => {
      const compiled = Volta.compileOnly(graph);
      const kinds = new Set(compiled.schedule.kernels.map((k) => k.plan.kind));
      expect([...kinds].filter((k) => k === 'window_grad' || k === 'conv_weight_grad' || k === 'scatter_add').sort()).toEqual([
        'conv_weight_grad',
        'scatter_add',
        'window_grad',
      ]);
      // The C max-pool input gradient takes its per-plane argmax form (templates/c/window_grad.hbs).
      expect(compiled.source('c')).toContain("each window's argmax is found once");
      const session = await Volta.compile(graph, { cacheDir });
      for (const seed of [1, 2, 3]) {
        const feeds = feedsFor(graph, seed);
        const got = session.runSync(feeds);
        const want = referenceFetches(compiled, feeds);
        for (const n of session.outputNames) expect(sameBits(got[n].data, want[n]), `${n}, seed ${seed}`).toBe(true);
      }
    });
  }
});
