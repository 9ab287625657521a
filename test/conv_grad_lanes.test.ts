// The C vector forms of a conv with run-time weights give the TS reference interpreter's bits: the
// direct conv (templates/c/window.hbs, tasks of whole images), the weight gradient
// (templates/c/conv_weight_grad.hbs) and the input gradient, a ConvTranspose
// (templates/c/conv_transpose.hbs), all with lanes over output channels. 1-D and 2-D convs, channel
// counts not a multiple of the vector width (tail lanes) and over it (several lane blocks), groups,
// strides, dilations, asymmetric pads, and more (channel, kernel row, kernel column) rows than one
// row block of the weight gradient holds. A 3-D conv and its weight gradient keep the scalar form.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { differentiate } from '../compiler/autograd/differentiate.ts';
import type { Graph } from '../compiler/ir/graph.ts';
import { numel } from '../compiler/ir/shape.ts';
import { GraphBuilder, makeTensor, Volta } from '../runtime/index.ts';
import { sameBits } from './helpers/bits.ts';
import { referenceFetches } from './helpers/interp.ts';
import { feedsFor, randomFloats } from './helpers/models.ts';

const cacheDir = join(tmpdir(), 'volta-conv-grad-lanes-cache');

interface Case {
  readonly name: string;
  readonly x: number[];
  readonly w: number[];
  readonly attrs: Record<string, number | number[]>;
  readonly lanes: boolean;
}

const CASES: Case[] = [
  {
    name: '1-D, 21 channels, stride 3, dilation 2, pads [2, 1]',
    x: [3, 5, 20],
    w: [21, 5, 4],
    attrs: { strides: [3], dilations: [2], pads: [2, 1] },
    lanes: true,
  },
  {
    name: '2-D, 2 groups of 17 channels, strides [1, 2], pads 1',
    x: [2, 6, 9, 8],
    w: [34, 3, 3, 3],
    attrs: { group: 2, strides: [1, 2], pads: [1, 1, 1, 1] },
    lanes: true,
  },
  { name: '2-D, 360 rows (two row blocks), pads [0, 2, 1, 0]', x: [2, 40, 5, 6], w: [5, 40, 3, 3], attrs: { pads: [0, 2, 1, 0] }, lanes: true },
  { name: '3-D (scalar form)', x: [1, 2, 4, 4, 3], w: [3, 2, 2, 2, 2], attrs: { pads: [1, 0, 1, 0, 1, 0] }, lanes: false },
];

/** dW and dX of sum(Conv(x, w) * R), R fixed, and Conv(x, w) itself (a direct conv: w is not a constant). */
function weightGradient(c: Case): Graph {
  const b = new GraphBuilder('wgrad');
  const x = b.input('x', 'float32', c.x);
  const w = b.input('w', 'float32', c.w);
  const y = b.op('Conv', [x, w], c.attrs);
  const r = b.constant('R', makeTensor('float32', y.shape, randomFloats(numel(y.shape), 7, 1)));
  b.output(b.op('ReduceSum', [b.op('Mul', [y, r])], { keepdims: 0 }));
  const g = b.build();
  const d = differentiate(g, g.outputs[0], [w.id, x.id]);
  d.graph.outputs = [...d.grads, y.id];
  return d.graph;
}

describe('conv weight and input gradients: C vector forms == TS reference, bit for bit', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const graph = weightGradient(c);
      const compiled = Volta.compileOnly(graph);
      const kinds = compiled.schedule.kernels.map((k) => k.plan.kind);
      expect(kinds.includes('conv_weight_grad') && kinds.includes('conv_transpose')).toBe(true);
      const source = compiled.source('c');
      expect(source.includes('The vector lanes are VOLTA_VEC output')).toBe(c.lanes);
      expect(source.includes('Vector lanes: VOLTA_VEC output channels')).toBe(true);
      expect(source.includes('Task t: images [')).toBe(c.x.length <= 4);
      const session = await Volta.compile(graph, { cacheDir });
      for (const seed of [1, 2]) {
        const feeds = feedsFor(graph, seed);
        const got = session.runSync(feeds);
        const want = referenceFetches(compiled, feeds);
        for (const n of session.outputNames) expect(sameBits(got[n].data, want[n]), `${n}, seed ${seed}`).toBe(true);
      }
    });
  }
});
