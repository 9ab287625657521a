// ConvTranspose over its attribute matrix (1-D, 2-D, 3-D; groups, strides, pads,
// dilations, output_padding, output_shape, auto_pad; with and without bias), in one
// model: the C addon equals the TS reference bit for bit on seeded and random inputs,
// and agrees with onnxruntime within 1e-4 (relative, see relError); refused
// attribute values fail with typed errors naming node, op and value.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { numel } from '../compiler/ir/shape.ts';
import { makeTensor } from '../compiler/ir/tensor.ts';
import { OnnxWriter, type WriterAttr } from '../compiler/onnx/writer.ts';
import { isVoltaError, Volta } from '../runtime/index.ts';
import { randomFloats } from './helpers/models.ts';
import { compareWithOrt, type Feed, worst } from './helpers/ort_oracle.ts';

const cacheDir = join(tmpdir(), 'volta-nets-cache');
const TOLERANCE = 1e-4;

interface Case {
  name: string;
  x: 'x1' | 'x2' | 'x3';
  /** W shape [C, M/group, kernel...]. */
  w: number[];
  bias?: boolean;
  attrs: Record<string, WriterAttr>;
}

const INPUTS = { x1: [2, 4, 7], x2: [1, 4, 5, 6], x3: [1, 2, 3, 4, 3] };

const CASES: Case[] = [
  { name: 'd1_default', x: 'x1', w: [4, 3, 3], attrs: {} },
  { name: 'd1_stride2_bias', x: 'x1', w: [4, 2, 3], bias: true, attrs: { strides: [2] } },
  { name: 'd1_stride3_pads_outpad', x: 'x1', w: [4, 2, 4], attrs: { strides: [3], pads: [1, 2], output_padding: [2] } },
  { name: 'd1_dilated_strided', x: 'x1', w: [4, 2, 3], attrs: { strides: [2], dilations: [2] } },
  { name: 'd1_group2_bias', x: 'x1', w: [4, 3, 3], bias: true, attrs: { group: 2, strides: [2] } },
  { name: 'd1_depthwise', x: 'x1', w: [4, 1, 3], attrs: { group: 4, strides: [2], pads: [1, 1] } },
  { name: 'd1_same_upper', x: 'x1', w: [4, 2, 4], attrs: { strides: [2], auto_pad: 'SAME_UPPER' } },
  { name: 'd1_same_lower', x: 'x1', w: [4, 2, 4], attrs: { strides: [2], auto_pad: 'SAME_LOWER' } },
  { name: 'd1_valid', x: 'x1', w: [4, 2, 3], attrs: { strides: [3], auto_pad: 'VALID' } },
  { name: 'd1_output_shape', x: 'x1', w: [4, 2, 3], attrs: { strides: [2], output_shape: [14] } },
  { name: 'd1_output_shape_same_upper', x: 'x1', w: [4, 2, 3], attrs: { strides: [2], output_shape: [14], auto_pad: 'SAME_UPPER' } },
  { name: 'd1_output_shape_larger_bias', x: 'x1', w: [4, 2, 3], bias: true, attrs: { strides: [2], output_shape: [16] } },
  { name: 'd1_output_shape_outpad', x: 'x1', w: [4, 2, 3], attrs: { strides: [2], output_shape: [16], output_padding: [1] } },
  { name: 'd1_kernel1', x: 'x1', w: [4, 5, 1], attrs: { strides: [2] } },
  { name: 'd2_stride2_pads_bias', x: 'x2', w: [4, 3, 3, 3], bias: true, attrs: { strides: [2, 2], pads: [1, 0, 1, 1] } },
  { name: 'd2_unet_up', x: 'x2', w: [4, 2, 4, 4], bias: true, attrs: { strides: [2, 2], pads: [1, 1, 1, 1], kernel_shape: [4, 4] } },
  { name: 'd2_mixed_group', x: 'x2', w: [4, 2, 2, 3], attrs: { group: 2, strides: [2, 1], dilations: [1, 2], output_padding: [1, 0] } },
  { name: 'd2_same_upper', x: 'x2', w: [4, 1, 3, 4], attrs: { strides: [2, 3], auto_pad: 'SAME_UPPER' } },
  { name: 'd2_output_shape', x: 'x2', w: [4, 2, 3, 3], attrs: { strides: [2, 2], output_shape: [10, 12] } },
  { name: 'd2_output_shape_larger', x: 'x2', w: [4, 2, 3, 3], attrs: { strides: [3, 2], output_shape: [17, 14] } },
  { name: 'd3_strided_dilated', x: 'x3', w: [2, 2, 3, 2, 3], bias: true, attrs: { strides: [2, 1, 2], dilations: [1, 2, 1], pads: [1, 0, 0, 0, 1, 1] } },
];

function matrixModel(): Uint8Array {
  const w = new OnnxWriter('conv_transpose_matrix', 17);
  for (const [name, dims] of Object.entries(INPUTS)) w.input(name, 'float32', dims);
  CASES.forEach((c, i) => {
    const wt = w.initializer(`${c.name}_w`, makeTensor('float32', c.w, randomFloats(numel(c.w), 100 + i, 0.5)));
    const m = c.w[1] * ((c.attrs.group as number | undefined) ?? 1);
    const ins = [c.x, wt];
    if (c.bias) ins.push(w.initializer(`${c.name}_b`, makeTensor('float32', [m], randomFloats(m, 200 + i))));
    w.output(w.op('ConvTranspose', ins, c.attrs, c.name), 'float32');
  });
  return w.bytes();
}

const feedsOf = (gen: (name: string, n: number) => Float32Array): Record<string, Feed> =>
  Object.fromEntries(Object.entries(INPUTS).map(([k, dims]) => [k, { dtype: 'float32', data: gen(k, numel(dims)), dims }]));

describe('ConvTranspose', () => {
  it('attribute matrix: C == TS reference bit for bit; onnxruntime within 1e-4', async () => {
    const bytes = matrixModel();
    const seeded = feedsOf((k, n) => randomFloats(n, k.length * 7 + 1, 2));
    const { errors, session } = await compareWithOrt(bytes, seeded, { cacheDir });
    const w = worst(errors);
    console.log(`[ConvTranspose] ${CASES.length} cases, max relative error vs onnxruntime ${w.error.toExponential(2)} (${w.name})`);
    for (const [n, e] of Object.entries(errors)) expect(e, n).toBeLessThanOrEqual(TOLERANCE);
    // Random inputs with signed zeros and tiny values: still bit-exact against the reference.
    const value = fc.oneof(fc.float({ min: -4, max: 4, noNaN: true }), fc.constantFrom(0, -0, 1e-30));
    await fc.assert(
      fc.asyncProperty(fc.tuple(...Object.values(INPUTS).map((d) => fc.array(value, { minLength: numel(d), maxLength: numel(d) }))), async (cols) => {
        const feeds = feedsOf((k) => Float32Array.from(cols[Object.keys(INPUTS).indexOf(k)]));
        await compareWithOrt(bytes, feeds, { cacheDir, session });
      }),
      { numRuns: 3 },
    );
  });

  const refused: [string, Record<string, WriterAttr>, number[], string][] = [
    ['output_padding not below max(stride, dilation)', { strides: [2], output_padding: [2] }, [4, 2, 3], 'output_padding=[2]'],
    ['output_shape larger than the full size by stride or more', { strides: [2], output_shape: [17] }, [4, 2, 3], 'output_shape=[17]'],
    ['auto_pad SAME needing negative padding', { strides: [3], auto_pad: 'SAME_UPPER' }, [4, 2, 1], 'auto_pad=SAME_UPPER'],
    ['output_shape with N and C', { output_shape: [2, 2, 9] }, [4, 2, 3], 'output_shape=[2,2,9]'],
    ['kernel_shape not matching W', { kernel_shape: [2] }, [4, 2, 3], 'kernel_shape=[2]'],
  ];
  for (const [what, attrs, wShape, found] of refused) {
    it(`refuses ${what} with VOLTA_E_UNSUPPORTED_ATTR naming the node`, () => {
      const w = new OnnxWriter('ct_bad', 17);
      w.input('x', 'float32', [1, 4, 7]);
      const wt = w.initializer('w', makeTensor('float32', wShape, randomFloats(numel(wShape), 1)));
      w.output(w.op('ConvTranspose', ['x', wt], attrs, 'up1'), 'float32');
      let err: unknown;
      try {
        Volta.compileOnly(w.bytes());
      } catch (e) {
        err = e;
      }
      expect(isVoltaError(err, 'VOLTA_E_UNSUPPORTED_ATTR'), String(err)).toBe(true);
      expect((err as Error).message).toContain('ConvTranspose "up1"');
      expect((err as Error).message).toContain(found);
    });
  }
});
