// LSTM, GRU and RNN over their attribute matrix (forward, reverse, bidirectional;
// layout 0 and 1; biases, initial states, peepholes, input_forget, clip,
// linear_before_reset, non-default activations with alphas and betas, a full-length
// constant sequence_lens, an omitted Y), all in one model: the C addon equals the TS
// reference bit for bit, and every output Y, Y_h, Y_c agrees with onnxruntime within
// 1e-4 (relative, see relError); refused values fail with typed errors.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { numel } from '../compiler/ir/shape.ts';
import { makeTensor } from '../compiler/ir/tensor.ts';
import { float, OnnxWriter, type WriterAttr } from '../compiler/onnx/writer.ts';
import { isVoltaError, Tensor, Volta } from '../runtime/index.ts';
import { randomFloats } from './helpers/models.ts';
import { compareWithOrt, type Feed, worst } from './helpers/ort_oracle.ts';

const cacheDir = join(tmpdir(), 'volta-nets-cache');
const TOLERANCE = 1e-4;
const [T, B, I, H] = [5, 2, 3, 4];
const GATES: Record<string, number> = { LSTM: 4, GRU: 3, RNN: 1 };

interface Case {
  name: string;
  op: 'LSTM' | 'GRU' | 'RNN';
  attrs: Record<string, WriterAttr>;
  bias?: boolean;
  initial?: boolean;
  peephole?: boolean;
  seqLens?: boolean;
  omitY?: boolean;
  /** Weight seeds (default: the case's position), so two cases can share weights. */
  seed?: number;
}

const CASES: Case[] = [
  { name: 'lstm_fwd', op: 'LSTM', attrs: {} },
  { name: 'lstm_fwd_bias_init', op: 'LSTM', attrs: {}, bias: true, initial: true },
  { name: 'lstm_reverse', op: 'LSTM', attrs: { direction: 'reverse' }, bias: true },
  { name: 'lstm_bidir', op: 'LSTM', attrs: { direction: 'bidirectional' }, bias: true, initial: true },
  { name: 'lstm_peephole', op: 'LSTM', attrs: {}, bias: true, initial: true, peephole: true },
  { name: 'lstm_input_forget', op: 'LSTM', attrs: { input_forget: 1 }, bias: true },
  { name: 'lstm_clip', op: 'LSTM', attrs: { clip: float(0.4) }, bias: true, initial: true },
  {
    name: 'lstm_activations',
    op: 'LSTM',
    attrs: { activations: ['HardSigmoid', 'Elu', 'Softsign'], activation_alpha: float([0.3, 0.8]), activation_beta: float([0.4]) },
    bias: true,
  },
  { name: 'lstm_seq_lens', op: 'LSTM', attrs: { hidden_size: H }, bias: true, seqLens: true },
  { name: 'lstm_no_y', op: 'LSTM', attrs: { direction: 'bidirectional' }, bias: true, omitY: true },
  { name: 'gru_fwd', op: 'GRU', attrs: {}, bias: true },
  { name: 'gru_lbr', op: 'GRU', attrs: { linear_before_reset: 1 }, bias: true, initial: true },
  { name: 'gru_bidir', op: 'GRU', attrs: { direction: 'bidirectional' }, bias: true, initial: true },
  { name: 'gru_reverse', op: 'GRU', attrs: { direction: 'reverse', linear_before_reset: 1 }, bias: true, initial: true },
  { name: 'gru_clip', op: 'GRU', attrs: { clip: float(0.3) }, bias: true },
  { name: 'gru_activations', op: 'GRU', attrs: { activations: ['sigmoid', 'LeakyRelu'], activation_alpha: float([0.2]) } },
  { name: 'rnn_fwd', op: 'RNN', attrs: {}, bias: true, initial: true },
  { name: 'rnn_bidir_relu', op: 'RNN', attrs: { direction: 'bidirectional', activations: ['Relu', 'Relu'] }, bias: true },
  {
    name: 'rnn_bidir_scaled',
    op: 'RNN',
    attrs: { direction: 'bidirectional', activations: ['ScaledTanh', 'ThresholdedRelu'], activation_alpha: float([0.7, 0.1]), activation_beta: float([1.3]) },
  },
];

function matrixModel(cases: Case[]): { bytes: Uint8Array; feeds: Record<string, Feed> } {
  const w = new OnnxWriter('recurrent_matrix', 14);
  const feeds: Record<string, Feed> = {
    x: { dtype: 'float32', data: randomFloats(T * B * I, 301, 1.5), dims: [T, B, I] },
    xb: { dtype: 'float32', data: randomFloats(T * B * I, 302, 1.5), dims: [B, T, I] },
  };
  w.input('x', 'float32', [T, B, I]);
  w.input('xb', 'float32', [B, T, I]);
  cases.forEach((c, at) => {
    const n = c.seed ?? at;
    const dirs = c.attrs.direction === 'bidirectional' ? 2 : 1;
    const g = GATES[c.op];
    const layout1 = c.attrs.layout === 1;
    const init = (k: string, shape: number[], seed: number, scale = 0.6) =>
      w.initializer(`${c.name}_${k}`, makeTensor('float32', shape, randomFloats(numel(shape), seed, scale)));
    // States are seeded in [dirs, B, H] order and stored batch-first for layout 1.
    const stateInit = (k: string, seed: number) => {
      const v = randomFloats(dirs * B * H, seed, 0.6);
      if (!layout1) return w.initializer(`${c.name}_${k}`, makeTensor('float32', [dirs, B, H], v));
      const t = new Float32Array(v.length);
      for (let d = 0; d < dirs; d++) for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) t[(b * dirs + d) * H + j] = v[(d * B + b) * H + j];
      return w.initializer(`${c.name}_${k}`, makeTensor('float32', [B, dirs, H], t));
    };
    const ins = [
      layout1 ? 'xb' : 'x',
      init('W', [dirs, g * H, I], 1000 + n * 10),
      init('R', [dirs, g * H, H], 1001 + n * 10),
      c.bias ? init('B', [dirs, 2 * g * H], 1002 + n * 10, 0.3) : '',
      c.seqLens ? w.initializer(`${c.name}_lens`, makeTensor('int32', [B], [T, T])) : '',
      c.initial ? stateInit('h0', 1003 + n * 10) : '',
    ];
    if (c.op === 'LSTM') ins.push(c.initial ? stateInit('c0', 1004 + n * 10) : '', c.peephole ? init('P', [dirs, 3 * H], 1005 + n * 10) : '');
    while (ins[ins.length - 1] === '') ins.pop();
    const outs = (c.op === 'LSTM' ? ['y', 'yh', 'yc'] : ['y', 'yh']).map((o) => (o === 'y' && c.omitY ? '' : `${c.name}_${o}`));
    w.node(c.op, ins, { hidden_size: H, ...c.attrs }, { name: c.name, outputs: outs });
    for (const o of outs) if (o !== '') w.output(o, 'float32');
  });
  return { bytes: w.bytes(), feeds };
}

describe('LSTM, GRU, RNN', () => {
  it('attribute matrix: C == TS reference bit for bit; onnxruntime within 1e-4', async () => {
    const { bytes, feeds } = matrixModel(CASES);
    const { errors } = await compareWithOrt(bytes, feeds, { cacheDir });
    const w = worst(errors);
    console.log(
      `[LSTM/GRU/RNN] ${CASES.length} nodes, ${Object.keys(errors).length} outputs, max relative error vs onnxruntime ${w.error.toExponential(2)} (${w.name})`,
    );
    if (process.env.NETS_DEBUG)
      console.log(
        Object.entries(errors)
          .map(([n, e]) => `${n}=${e.toExponential(2)}`)
          .join('\n'),
      );
    for (const [n, e] of Object.entries(errors)) expect(e, n).toBeLessThanOrEqual(TOLERANCE);
  });

  it('layout 1 (batch first; onnxruntime has none) equals layout 0 on transposed data, bit for bit', async () => {
    const pairs: Case[] = [
      { name: 'lstm', op: 'LSTM', attrs: { direction: 'bidirectional' }, bias: true, initial: true, peephole: true },
      { name: 'gru', op: 'GRU', attrs: { direction: 'reverse' }, bias: true, initial: true },
      { name: 'rnn', op: 'RNN', attrs: {}, initial: true },
    ].flatMap((c, k) => [{ ...c, seed: k } as Case, { ...c, seed: k, name: `${c.name}_l1`, attrs: { ...c.attrs, layout: 1 } } as Case]);
    const { bytes, feeds } = matrixModel(pairs);
    // xb is x transposed to [B, T, I].
    const x = feeds.x.data as Float32Array;
    const xb = new Float32Array(x.length);
    for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let i = 0; i < I; i++) xb[(b * T + t) * I + i] = x[(t * B + b) * I + i];
    const s = await Volta.compile(bytes, { cacheDir });
    const out = await s.run({ x: new Tensor('float32', x, [T, B, I]), xb: new Tensor('float32', xb, [B, T, I]) });
    for (const c of pairs.filter((p) => p.attrs.layout === 1)) {
      const base = c.name.slice(0, -3);
      const dirs = c.attrs.direction === 'bidirectional' ? 2 : 1;
      const y0 = out[`${base}_y`].data as Float32Array;
      const y1 = out[`${c.name}_y`].data as Float32Array;
      for (let t = 0; t < T; t++)
        for (let d = 0; d < dirs; d++)
          for (let b = 0; b < B; b++)
            for (let j = 0; j < H; j++) expect(y1[((b * T + t) * dirs + d) * H + j], `${c.name} Y`).toBe(y0[((t * dirs + d) * B + b) * H + j]);
    }
  });

  const refuse = (what: string, attrs: Record<string, WriterAttr>, code: string, found: string, lens?: number[]) =>
    it(`refuses ${what} with ${code}`, () => {
      const w = new OnnxWriter('bad', 14);
      w.input('x', 'float32', [T, B, I]);
      const W = w.initializer('W', makeTensor('float32', [1, 4 * H, I], randomFloats(4 * H * I, 1)));
      const R = w.initializer('R', makeTensor('float32', [1, 4 * H, H], randomFloats(4 * H * H, 2)));
      const ins = ['x', W, R];
      if (lens) ins.push('', w.initializer('lens', makeTensor('int32', [B], lens)));
      w.output(w.node('LSTM', ins, { hidden_size: H, ...attrs }, { name: 'lstm_bad', outputs: 1 })[0], 'float32');
      let err: unknown;
      try {
        Volta.compileOnly(w.bytes());
      } catch (e) {
        err = e;
      }
      expect(isVoltaError(err), String(err)).toBe(true);
      const e = err as { code: string; message: string; problems: readonly { code: string; message: string }[] };
      const first = e.problems.length ? e.problems[0] : e;
      expect(first.code).toBe(code);
      expect(first.message).toContain('LSTM "lstm_bad"');
      expect(first.message).toContain(found);
    });
  refuse('an unknown activation', { activations: ['Sigmoid', 'Gelu', 'Tanh'] }, 'VOLTA_E_UNSUPPORTED_ATTR', 'activation Gelu');
  refuse('a short activation list', { activations: ['Sigmoid', 'Tanh'] }, 'VOLTA_E_UNSUPPORTED_ATTR', 'activations=[Sigmoid,Tanh]');
  refuse('sequence_lens shorter than the sequence', {}, 'VOLTA_E_UNSUPPORTED_ATTR', 'sequence_lens [5,3]', [5, 3]);
  refuse('layout 2', { layout: 2 }, 'VOLTA_E_UNSUPPORTED_ATTR', 'layout=2');
  refuse('a hidden_size not matching W', { hidden_size: 3 }, 'VOLTA_E_SHAPE', 'W must have shape');

  it('a sequence_lens computed at run time is VOLTA_E_DYNAMIC_SHAPE', () => {
    const w = new OnnxWriter('dyn', 14);
    w.input('x', 'float32', [T, B, I]);
    w.input('lens', 'int32', [B]);
    const W = w.initializer('W', makeTensor('float32', [1, H, I], randomFloats(H * I, 1)));
    const R = w.initializer('R', makeTensor('float32', [1, H, H], randomFloats(H * H, 2)));
    w.output(w.node('RNN', ['x', W, R, '', 'lens'], { hidden_size: H }, { name: 'rnn_dyn', outputs: 1 })[0], 'float32');
    expect(() => Volta.compileOnly(w.bytes())).toThrow(/VOLTA_E_DYNAMIC_SHAPE/);
  });
});
