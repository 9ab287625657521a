// Target cuda-cpu: the emitted model.cu, unchanged, built as host C++ with Volta's CPU CUDA runtime
// (templates/cuda_cpu/cuda_cpu.h: blocks on a worker pool, threads as fibers with real barriers) must
// give outputs bit-identical to the C target's, in strict mode, with threads run first-to-last and
// last-to-first (VOLTA_CPU_ORDER=reverse), for the example model, the MLP, a graph per kernel kind,
// the backward kernels, the block-tiled matmuls, two real-structure networks, and over repeated runs. No GPU or nvcc needed.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Graph } from '../compiler/ir/graph.ts';
import { type Session, type Tensor, Volta } from '../runtime/index.ts';
import { backwardGraphs } from './helpers/backward_models.ts';
import { sameBits } from './helpers/bits.ts';
import { feedsFor, kernelGraphs, mlp, tiledGraphs } from './helpers/models.ts';
import { crnn, dbDetector } from './real_models/ocr_nets.ts';

const cacheDir = join(tmpdir(), 'volta-test-cuda-cpu');
const EXAMPLE = fileURLToPath(new URL('../examples/mlp/mlp.onnx', import.meta.url));
const ORDERS = ['forward', 'reverse'] as const;

afterEach(() => {
  delete process.env.VOLTA_CPU_ORDER;
});

/** Feeds with IEEE specials (NaN, infinities, signed zero, denormals, huge values) in the first slots. */
function specialFeeds(g: Graph, seed: number): Record<string, Tensor> {
  const feeds = feedsFor(g, seed);
  const specials = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0, 1e-42, -1e-42, 88.8, -104, 3e38, -3e38, 1e-20];
  for (const t of Object.values(feeds)) {
    if (t.data instanceof Float32Array) specials.forEach((v, i) => i < t.data.length && ((t.data as Float32Array)[(i * 7) % t.data.length] = v));
  }
  return feeds;
}

function runIn(order: (typeof ORDERS)[number], s: Session, feeds: Record<string, Tensor>): Record<string, Tensor> {
  if (order === 'reverse') process.env.VOLTA_CPU_ORDER = 'reverse';
  else delete process.env.VOLTA_CPU_ORDER;
  try {
    return s.runSync(feeds);
  } finally {
    delete process.env.VOLTA_CPU_ORDER;
  }
}

type Model = Graph | Uint8Array | string;
const models: { name: string; model: () => Model }[] = [
  { name: 'example model (examples/mlp/mlp.onnx)', model: () => EXAMPLE },
  { name: 'mlp', model: mlp },
  ...kernelGraphs().map(({ name, graph }) => ({ name, model: () => graph })),
  ...backwardGraphs().map(({ name, graph }) => ({ name, model: () => graph })),
  // Block-tiled matmuls: shared-memory slabs and __syncthreads, run as fibers with real barriers.
  ...tiledGraphs().map(({ name, graph }) => ({ name, model: () => graph })),
  { name: 'CRNN recogniser (real structure)', model: crnn },
  { name: 'DBNet-style detector (real structure)', model: dbDetector },
];

async function pair(model: Model): Promise<[Session, Session, Graph]> {
  const graph = Volta.compileOnly(model).graph;
  const [c, cpu] = await Promise.all([Volta.compile(model, { cacheDir }), Volta.compile(model, { cacheDir, target: 'cuda-cpu' })]);
  return [c, cpu, graph];
}

describe('target cuda-cpu (strict) equals target c bit for bit, in both thread orders', () => {
  for (const { name, model } of models) {
    it(name, async () => {
      const [c, cpu, graph] = await pair(model());
      expect(cpu.report().backend).toBe('cuda-cpu');
      expect(cpu.report().requestedTarget).toBe('cuda-cpu');
      expect(cpu.report().fingerprint).not.toBe(c.report().fingerprint);
      for (const [label, feeds] of [
        ['random', feedsFor(graph, 11)],
        ['specials', specialFeeds(graph, 12)],
      ] as const) {
        const want = c.runSync(feeds);
        for (const order of ORDERS) {
          const got = runIn(order, cpu, feeds);
          for (const n of c.outputNames) expect(sameBits(got[n].data, want[n].data), `${label} feeds, ${order} order, output ${n}`).toBe(true);
        }
      }
    });
  }

  it('100 replays of the MLP (device buffers reused) each equal the C target', async () => {
    const [c, cpu, graph] = await pair(mlp());
    for (let r = 0; r < 100; r++) {
      const feeds = feedsFor(graph, 100 + (r % 7));
      const want = c.runSync(feeds);
      const got = runIn(ORDERS[r % 2], cpu, feeds);
      for (const n of c.outputNames) expect(sameBits(got[n].data, want[n].data), `replay ${r}, output ${n}`).toBe(true);
    }
  });
});
