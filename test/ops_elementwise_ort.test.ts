// Mod, And/Or/Xor/Not, IsNaN/IsInf, Shrink, Celu, Mish and ThresholdedRelu against
// onnxruntime (test-only oracle), one model per group (one native build): the C addon
// equals the TS reference bit for bit; exact ops (integer and float Mod, logic,
// classifiers, Shrink, ThresholdedRelu) equal onnxruntime bit for bit, transcendental
// ones within 1e-5 (relative, see relError); NaN, +-Inf and +-0 are among the inputs.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DType } from '../compiler/ir/dtype.ts';
import { float, OnnxWriter, type WriterAttr } from '../compiler/onnx/writer.ts';
import { isVoltaError, Tensor, Volta } from '../runtime/index.ts';
import { boolFeed, expectExact, f32Feed, intFeed } from './helpers/ort_exact.ts';
import { compareWithOrt, type Feed, worst } from './helpers/ort_oracle.ts';

const cacheDir = process.env.VOLTA_CACHE_DIR ?? join(tmpdir(), 'volta-ops-cache');

interface Node {
  op: string;
  inputs: string[];
  attrs?: Record<string, WriterAttr>;
  /** Output dtype; default the first input's. */
  t?: DType;
}

function model(name: string, opset: number, feeds: Record<string, Feed>, nodes: Record<string, Node>): Uint8Array {
  const w = new OnnxWriter(name, opset);
  for (const [k, f] of Object.entries(feeds)) w.input(k, f.dtype, f.dims);
  for (const [k, n] of Object.entries(nodes)) w.output(w.op(n.op, n.inputs, n.attrs ?? {}, k), n.t ?? feeds[n.inputs[0]].dtype);
  return w.bytes();
}

// Dividends and divisors with every sign combination, zero divisors and the int32 extremes
// (int32 MIN % -1 traps in onnxruntime, so the int32 case divides it by 7).
const A = [7, -7, 7, -7, 0, 5, -5, 6, -6, 2147483647, -2147483648, -2147483648, 13, -13, 1, -1];
const B = [3, 3, -3, -3, 4, 5, 5, -3, 3, 2, 7, -1, 0, 0, -1, 2];

describe('elementwise ops vs onnxruntime', () => {
  it('Mod (fmod 0 and 1, int32, int64, float32): exact', async () => {
    const feeds: Record<string, Feed> = {
      a32: intFeed('int32', [16], A),
      b32: intFeed(
        'int32',
        [16],
        B.map((b, i) => (b === 0 ? 9 : i === 11 ? 7 : b)),
      ),
      a64: intFeed('int64', [16], A),
      b64: intFeed('int64', [2, 1, 16], [...B.map((b) => (b === 0 ? 11 : b)), ...B.map((b) => -(b || 2))]),
      x: f32Feed([4, 16], 1, 20),
      y: f32Feed([16], 2, 3),
    };
    (feeds.y.data as Float32Array).set([0, 3, -3, Infinity, -Infinity, Number.NaN, 1e-30, -0.5], 0);
    const bytes = model('mod', 13, feeds, {
      py32: { op: 'Mod', inputs: ['a32', 'b32'] },
      c32: { op: 'Mod', inputs: ['a32', 'b32'], attrs: { fmod: 1 } },
      py64: { op: 'Mod', inputs: ['a64', 'b64'] },
      c64: { op: 'Mod', inputs: ['a64', 'b64'], attrs: { fmod: 1 } },
      fm: { op: 'Mod', inputs: ['x', 'y'], attrs: { fmod: 1 } },
      fm_rev: { op: 'Mod', inputs: ['y', 'x'], attrs: { fmod: 1 } },
    });
    const r = await compareWithOrt(bytes, feeds, { cacheDir });
    expectExact(r.ours, r.theirs, r.session.outputNames);
  });

  it('Mod: a zero integer divisor gives 0 and MIN % -1 gives 0 (onnxruntime traps)', async () => {
    const feeds = { a: intFeed('int32', [5], [5, -5, 0, 7, -2147483648]), b: intFeed('int32', [5], [0, 0, 0, 2, -1]) };
    const bytes = model('mod0', 13, feeds, { m: { op: 'Mod', inputs: ['a', 'b'] }, f: { op: 'Mod', inputs: ['a', 'b'], attrs: { fmod: 1 } } });
    const s = await Volta.compile(bytes, { cacheDir });
    const out = await s.run({ a: new Tensor('int32', feeds.a.data, [5]), b: new Tensor('int32', feeds.b.data, [5]) });
    expect([...(out.m.data as Int32Array)]).toEqual([0, 0, 0, 1, 0]);
    expect([...(out.f.data as Int32Array)]).toEqual([0, 0, 0, 1, 0]);
  });

  it('Mod refuses fmod=0 on floats by name', () => {
    const bytes = model('modf', 13, { x: f32Feed([2], 1), y: f32Feed([2], 2) }, { bad: { op: 'Mod', inputs: ['x', 'y'] } });
    let err: unknown;
    try {
      Volta.compileOnly(bytes);
    } catch (e) {
      err = e;
    }
    expect(isVoltaError(err, 'VOLTA_E_UNSUPPORTED_ATTR'), String(err)).toBe(true);
    expect(String(err)).toContain('fmod=0');
  });

  it('And, Or, Xor (broadcast), Not, IsNaN, IsInf (each detect mode): exact', async () => {
    const p = [true, true, false, false, true, false];
    const feeds: Record<string, Feed> = {
      p: boolFeed([2, 3], p),
      q: boolFeed([3], [true, false, true]),
      r: boolFeed([2, 1], [false, true]),
      x: f32Feed([3, 8], 3),
    };
    const bytes = model('logic', 13, feeds, {
      and: { op: 'And', inputs: ['p', 'q'] },
      or: { op: 'Or', inputs: ['r', 'q'] },
      xor: { op: 'Xor', inputs: ['p', 'r'] },
      not: { op: 'Not', inputs: ['p'] },
      isnan: { op: 'IsNaN', inputs: ['x'], t: 'bool' },
      isinf: { op: 'IsInf', inputs: ['x'], t: 'bool' },
      isposinf: { op: 'IsInf', inputs: ['x'], t: 'bool', attrs: { detect_negative: 0 } },
      isneginf: { op: 'IsInf', inputs: ['x'], t: 'bool', attrs: { detect_positive: 0 } },
      isnone: { op: 'IsInf', inputs: ['x'], t: 'bool', attrs: { detect_positive: 0, detect_negative: 0 } },
    });
    const r = await compareWithOrt(bytes, feeds, { cacheDir });
    expectExact(r.ours, r.theirs, r.session.outputNames);
  });

  it('Shrink, ThresholdedRelu exact; Celu, Mish within 1e-5 (opset 18)', async () => {
    const feeds: Record<string, Feed> = { x: f32Feed([4, 25], 4, 6) };
    (feeds.x.data as Float32Array).set([0.5, -0.5, 0.50000006, 1, 20, -20, 90, -90, 1e-8], 12);
    const exact = {
      shrink: { op: 'Shrink', inputs: ['x'] },
      shrink_bias: { op: 'Shrink', inputs: ['x'], attrs: { lambd: 1.5, bias: 0.25 } },
      shrink_hard: { op: 'Shrink', inputs: ['x'], attrs: { lambd: float(0) } },
      trelu: { op: 'ThresholdedRelu', inputs: ['x'] },
      trelu_neg: { op: 'ThresholdedRelu', inputs: ['x'], attrs: { alpha: -0.75 } },
    };
    const close = {
      celu: { op: 'Celu', inputs: ['x'] },
      celu_a: { op: 'Celu', inputs: ['x'], attrs: { alpha: 0.3 } },
      celu_b: { op: 'Celu', inputs: ['x'], attrs: { alpha: 2.5 } },
      mish: { op: 'Mish', inputs: ['x'] },
    };
    const r = await compareWithOrt(model('act', 18, feeds, { ...exact, ...close }), feeds, { cacheDir });
    expectExact(r.ours, r.theirs, Object.keys(exact));
    const errs = Object.fromEntries(Object.keys(close).map((k) => [k, r.errors[k]]));
    console.log(`[activations] max relative error vs onnxruntime ${JSON.stringify(worst(errs))}`);
    for (const [k, e] of Object.entries(errs)) expect(e, k).toBeLessThanOrEqual(1e-5);
  });

  for (const opset of [12, 13]) {
    it(`Dropout in inference with its mask output (opset ${opset}): exact`, async () => {
      const feeds: Record<string, Feed> = { x: f32Feed([2, 3, 4], 5) };
      const w = new OnnxWriter('dropout', opset);
      w.input('x', 'float32', [2, 3, 4]);
      const ratio = opset >= 12 ? [w.initializer('ratio', { dtype: 'float32', shape: [], data: Float32Array.of(0.3) })] : [];
      const [y, mask] = w.node('Dropout', ['x', ...ratio], opset < 12 ? { ratio: 0.3 } : {}, { outputs: ['y', 'mask'] });
      w.output(w.op('Relu', [y]), 'float32');
      w.output(mask, 'bool');
      const r = await compareWithOrt(w.bytes(), feeds, { cacheDir });
      expectExact(r.ours, r.theirs, r.session.outputNames);
      expect(Array.from(r.ours.mask as ArrayLike<number>).every((v) => v === 1)).toBe(true);
    });
  }

  it('Dropout refuses a mask output the graph reads before opset 12 (onnxruntime and the ONNX reference disagree there) and training mode', () => {
    for (const [opset, t] of [
      [9, 'float32'],
      [11, 'bool'],
    ] as const) {
      const w = new OnnxWriter('dropout_old', opset);
      w.input('x', 'float32', [3]);
      const [y, mask] = w.node('Dropout', ['x'], {}, { outputs: ['y', 'mask'], name: 'drop_old' });
      w.output(y, 'float32');
      w.output(mask, t);
      expect(() => Volta.compileOnly(w.bytes())).toThrow(/Dropout "drop_old".*the mask output is read at opset/s);
      // The same node whose mask nothing reads (the model zoo's form) compiles: the mask is omitted.
      const z = new OnnxWriter('dropout_old_unread', opset);
      z.input('x', 'float32', [3]);
      const [zy] = z.node('Dropout', ['x'], {}, { outputs: ['y', 'mask_unread'] });
      z.output(z.op('Relu', [zy]), 'float32');
      expect(Volta.compileOnly(z.bytes()).graph.outputs.length).toBe(1);
    }
    const t = new OnnxWriter('dropout_train', 13);
    t.input('x', 'float32', [3]);
    const on = t.initializer('on', { dtype: 'bool', shape: [], data: Uint8Array.of(1) });
    t.output(t.op('Dropout', ['x', '', on], {}, 'drop_t'), 'float32');
    expect(() => Volta.compileOnly(t.bytes())).toThrow(/training_mode is true/);
  });

  it('Dropout in training mode with ratio 0 is the identity with an all-true mask: exact', async () => {
    const feeds: Record<string, Feed> = { x: f32Feed([2, 3, 4], 6) };
    const w = new OnnxWriter('dropout_train_zero', 13);
    w.input('x', 'float32', [2, 3, 4]);
    const zero = w.initializer('ratio', { dtype: 'float32', shape: [], data: Float32Array.of(0) });
    const on = w.initializer('on', { dtype: 'bool', shape: [], data: Uint8Array.of(1) });
    const [y, mask] = w.node('Dropout', ['x', zero, on], { seed: 3 }, { outputs: ['y', 'mask'] });
    w.output(y, 'float32');
    w.output(mask, 'bool');
    const r = await compareWithOrt(w.bytes(), feeds, { cacheDir });
    expectExact(r.ours, r.theirs, r.session.outputNames);
    expect(Array.from(r.ours.mask as ArrayLike<number>).every((v) => v === 1)).toBe(true);
  });
});
