// CUDA convs (WindowPlan.cudaGemm: implicit GEMM on the matmul block tiles; cudaPlane: depthwise with the
// input plane in shared memory; cudaWeightTile; per output) run through target cuda-cpu equal target c
// bit for bit, in both thread orders, with random feeds and IEEE specials, for groups, strides, pads,
// dilations, 1x1, rank 1 and run-time weights (tes./helpers/cuda_models.ts).
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { WindowPlan } from '../compiler/kernels/plan.ts';
import { type Tensor, Volta } from '../runtime/index.ts';
import { sameBits } from './helpers/bits.ts';
import { convGraphs, vectorGraphs } from './helpers/cuda_models.ts';
import { feedsFor } from './helpers/models.ts';

const cacheDir = join(tmpdir(), 'volta-test-cuda-cpu');

afterEach(() => {
  delete process.env.VOLTA_CPU_ORDER;
});

/** The CUDA form each conv of the graph takes, in schedule order. */
function forms(name: string): string[] {
  const g = convGraphs().find((x) => x.name === name)!.graph;
  return Volta.compileOnly(g)
    .schedule.kernels.filter((k) => k.plan.kind === 'window')
    .map((k) => {
      const p = k.plan as WindowPlan;
      return p.cudaGemm ? 'gemm' : p.cudaPlane ? 'depthwise' : p.cudaWeightTile ? 'weight tile' : 'per output';
    });
}

describe('the plan picks the CUDA conv form', () => {
  it('implicit GEMM for constant finite weights with 16+ channels per group, depthwise planes, weight tiles otherwise', () => {
    expect(forms('conv_resnet')).toEqual(['gemm', 'gemm']);
    expect(forms('conv_grouped')).toEqual(['gemm', 'gemm']);
    expect(forms('conv_depthwise')).toEqual(['depthwise', 'depthwise']);
    expect(forms('conv_1d_runtime_w')).toEqual(['gemm', 'weight tile']);
  });
});

function specials(feeds: Record<string, Tensor>): Record<string, Tensor> {
  const vals = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 1e-42, 3e38, -3e38];
  for (const t of Object.values(feeds)) {
    if (t.data instanceof Float32Array) vals.forEach((v, i) => i < t.data.length && ((t.data as Float32Array)[(i * 13) % t.data.length] = v));
  }
  return feeds;
}

describe('CUDA convs (and float4 elementwise kernels) on cuda-cpu equal c bit for bit, both thread orders', () => {
  it('vector_elementwise runs its elementwise kernels on float4 quads', () => {
    const compiled = Volta.compileOnly(vectorGraphs()[0].graph);
    const elementwise = compiled.schedule.kernels.filter((k) => k.plan.kind === 'elementwise').length;
    expect(elementwise).toBeGreaterThanOrEqual(2);
    expect(compiled.source('cuda').match(/\(\(float4 \*\)out\)\[q\] = res;/g)?.length).toBe(elementwise);
  });
  for (const { name, graph } of [...convGraphs(), ...vectorGraphs()]) {
    it(name, async () => {
      const [c, cpu] = await Promise.all([Volta.compile(graph, { cacheDir }), Volta.compile(graph, { cacheDir, target: 'cuda-cpu' })]);
      for (const [label, feeds] of [
        ['random', feedsFor(graph, 21)],
        ['specials', specials(feedsFor(graph, 22))],
      ] as const) {
        const want = c.runSync(feeds);
        for (const order of ['forward', 'reverse']) {
          if (order === 'reverse') process.env.VOLTA_CPU_ORDER = 'reverse';
          else delete process.env.VOLTA_CPU_ORDER;
          const got = cpu.runSync(feeds);
          for (const n of c.outputNames) expect(sameBits(got[n].data, want[n].data), `${label}, ${order}, ${n}`).toBe(true);
        }
      }
    }, 120_000);
  }
});
