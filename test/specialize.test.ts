// Inputs that decide shapes: bound at compile time, or specialised by value at
// run time (one variant per set of values, cached least-recently-used).
import { describe, expect, it } from 'vitest';
import { isVoltaError, type VoltaError } from '../compiler/ir/errors.ts';
import { makeTensor } from '../compiler/ir/tensor.ts';
import { decodeModel, encodeModel } from '../compiler/onnx/proto.ts';
import { shapeInputs } from '../compiler/onnx/shape_inputs.ts';
import { OnnxWriter } from '../compiler/onnx/writer.ts';
import { Tensor, Volta } from '../runtime/index.ts';

const cacheDir = process.env.VOLTA_CACHE_DIR ?? '.volta-cache';
const i64 = (xs: number[]) => new Tensor('int64', BigInt64Array.from(xs.map(BigInt)), [xs.length]);
const x6 = () => new Tensor('float32', Float32Array.from([1, 2, 3, 4, 5, 6]), [6]);

/** y = Relu(Reshape(x, shape)): "shape" is a graph input. */
function reshapeModel(): Uint8Array {
  const w = new OnnxWriter('reshape_input', 17);
  const x = w.input('x', 'float32', [6]);
  const shape = w.input('shape', 'int64', [2]);
  w.output(w.op('Relu', [w.op('Reshape', [x, shape], {}, 'reshape')], {}, 'y'));
  return w.bytes();
}

async function errorOf(f: () => unknown): Promise<VoltaError> {
  try {
    await f();
  } catch (e) {
    if (isVoltaError(e)) return e;
    throw e;
  }
  throw new Error('expected a VoltaError');
}

describe('which inputs decide shapes (from the registry)', () => {
  it('direct, through value-computing ops, and not through Shape or a CastLike target', () => {
    const w = new OnnxWriter('walk', 17);
    const x = w.input('x', 'float32', [2, 3]);
    const n = w.input('n', 'int32', [1]);
    const like = w.input('like', 'float32', [1]);
    const axes = w.input('axes', 'int64', [1]);
    // shape = Concat(Shape(x)[0:1], Cast(n)): x only lends its shape, n its value.
    const head = w.op('Slice', [w.op('Shape', [x]), w.initializer('s0', makeTensor('int64', [1], [0])), w.initializer('s1', makeTensor('int64', [1], [1]))]);
    const shape = w.op('Concat', [head, w.op('Cast', [n], { to: 7 })], { axis: 0 });
    const r = w.op('Reshape', [w.op('CastLike', [x, like]), shape], {}, 'r');
    w.output(w.op('ReduceSum', [r, axes], { keepdims: 1 }, 'y'));
    expect(shapeInputs(decodeModel(w.bytes()))).toEqual([
      { name: 'n', use: { node: 'r', op: 'Reshape', position: 'shape' } },
      { name: 'axes', use: { node: 'y', op: 'ReduceSum', position: 'axes' } },
    ]);
  });
});

describe('ahead of time: bind, or a typed error that says how', () => {
  it('compileOnly without a binding: VOLTA_E_DYNAMIC_SHAPE naming the input, the op and how to bind it', async () => {
    const e = await errorOf(() => Volta.compileOnly(reshapeModel()));
    expect(e.code).toBe('VOLTA_E_DYNAMIC_SHAPE');
    expect(e.details.input).toBe('shape');
    expect(e.message).toContain('input "shape" decides shapes (it is the shape of Reshape "reshape")');
    expect(e.message).toContain('bindInputs: { "shape": tensor }');
    expect(e.message).toContain('--bind shape=file.npy');
  });

  it('bindInputs takes a runtime Tensor; the bound input is no longer a run input', async () => {
    const s = await Volta.compile(reshapeModel(), { bindInputs: { shape: i64([3, 2]) }, cacheDir });
    expect(s.inputNames).toEqual(['x']);
    const y = (await s.run({ x: x6() })).y;
    expect(y.dims).toEqual([3, 2]);
    expect(s.report().specialization).toBeUndefined();
  });

  it('a bound tensor whose data does not match its dims: VOLTA_E_BAD_OPTION', async () => {
    const bad = { dtype: 'int64' as const, shape: [2], data: new BigInt64Array(3) };
    expect((await errorOf(() => Volta.compileOnly(reshapeModel(), { bindInputs: { shape: bad } }))).code).toBe('VOLTA_E_BAD_OPTION');
  });
});

describe('specialisation on first use (strict mode)', () => {
  it('compiles one variant per set of values, reuses it for the same values, lists each in the report', async () => {
    const s = await Volta.compile(reshapeModel(), { mode: 'strict', cacheDir });
    expect(s.inputNames).toEqual(['x', 'shape']);
    expect(s.report().specialization).toEqual({ inputs: ['shape'], cacheSize: 8, variants: [], evictions: 0 });
    expect(s.fingerprint).toBe('');
    const a = await s.run({ x: x6(), shape: i64([2, 3]) });
    expect(a.y.dims).toEqual([2, 3]);
    const fpA = s.fingerprint;
    expect(fpA).toMatch(/^[0-9a-f]{64}$/);
    const again = await s.run({ x: x6(), shape: i64([2, 3]) });
    expect(Array.from(again.y.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
    const b = await s.run({ x: x6(), shape: i64([-1, 2]) });
    expect(b.y.dims).toEqual([3, 2]);
    const rep = s.report().specialization!;
    expect(rep.variants.map((v) => [v.values, v.runs, v.evicted])).toEqual([
      [{ shape: [2, 3] }, 2, false],
      [{ shape: [-1, 2] }, 1, false],
    ]);
    expect(rep.variants[0].fingerprint).toBe(fpA);
    expect(rep.variants[1].fingerprint).not.toBe(fpA);
    expect(s.report().fingerprint).toBe(rep.variants[1].fingerprint); // the top-level fields describe the variant run last
  });

  it('evicts the least recently used variant beyond specializationCacheSize, deterministically', async () => {
    const s = await Volta.compile(reshapeModel(), { specializationCacheSize: 2, cacheDir });
    for (const shape of [
      [2, 3],
      [3, 2],
      [2, 3],
      [1, 6],
    ])
      await s.run({ x: x6(), shape: i64(shape) });
    const rep = s.report().specialization!;
    expect(rep.evictions).toBe(1);
    expect(rep.variants.map((v) => [v.values.shape, v.evicted])).toEqual([
      [[2, 3], false],
      [[3, 2], true], // used before [2,3] was used again
      [[1, 6], false],
    ]);
    // Made again: a new entry, its addon from the build cache.
    await s.run({ x: x6(), shape: i64([3, 2]) });
    const last = s.report().specialization!.variants.at(-1)!;
    expect([last.values.shape, last.cacheHit]).toEqual([[3, 2], true]);
  });

  it('runSync needs a variant compiled by an earlier run(); concurrent runs share one compile', async () => {
    const s = await Volta.compile(reshapeModel(), { cacheDir });
    const e = await errorOf(() => s.runSync({ x: x6(), shape: i64([6, 1]) }));
    expect(e.code).toBe('VOLTA_E_BAD_INPUT');
    expect(e.message).toContain('await session.run()');
    const [p, q] = await Promise.all([s.run({ x: x6(), shape: i64([6, 1]) }), s.run({ x: x6(), shape: i64([6, 1]) })]);
    expect([p.y.dims, q.y.dims]).toEqual([
      [6, 1],
      [6, 1],
    ]);
    expect(s.runSync({ x: x6(), shape: i64([6, 1]) }).y.dims).toEqual([6, 1]);
    expect(s.report().specialization!.variants.map((v) => v.runs)).toEqual([3]);
  });

  it("bad values are the model's typed error, not cached; a bad feed is VOLTA_E_BAD_INPUT", async () => {
    const s = await Volta.compile(reshapeModel(), { cacheDir });
    for (let i = 0; i < 2; i++) expect((await errorOf(() => s.run({ x: x6(), shape: i64([4, 2]) }))).code).toBe('VOLTA_E_SHAPE');
    expect(s.report().specialization!.variants).toEqual([]);
    const wrongType = new Tensor('int32', Int32Array.from([2, 3]), [2]);
    expect((await errorOf(() => s.run({ x: x6(), shape: wrongType }))).code).toBe('VOLTA_E_BAD_INPUT');
    expect((await errorOf(() => s.run({ x: x6() }))).code).toBe('VOLTA_E_BAD_INPUT');
  });
});

describe('refused when compiled, not at the first run: what no value of a shape input can make compile', () => {
  it('an unsupported op, or an input of a dtype Volta lacks, with the import codes (one error per problem)', async () => {
    const w = new OnnxWriter('shape_input_cos', 17);
    const x = w.input('x', 'float32', [6]);
    const shape = w.input('shape', 'int64', [2]);
    w.output(w.op('Cos', [w.op('Reshape', [x, shape], {}, 'reshape')], {}, 'cos'));
    const cos = await errorOf(() => Volta.compile(w.bytes(), { cacheDir }));
    expect([cos.code, cos.details.node, cos.details.op]).toEqual(['VOLTA_E_UNSUPPORTED_OP', 'cos', 'Cos']);
    const m = decodeModel(reshapeModel());
    m.graph.input.push({ name: 'd', elemType: 11, dims: [2] });
    m.graph.output.push({ name: 'd', elemType: 11, dims: [2] });
    const both = decodeModel(w.bytes());
    both.graph.input.push({ name: 'd', elemType: 11, dims: [2] });
    const dbl = await errorOf(() => Volta.compile(encodeModel(m), { cacheDir }));
    expect([dbl.code, dbl.message]).toEqual(['VOLTA_E_UNSUPPORTED_DTYPE', expect.stringContaining('input "d" has dtype DOUBLE')]);
    const two = await errorOf(() => Volta.compile(encodeModel(both), { cacheDir }));
    expect([two.code, ...(two.details.problems ?? []).map((p: VoltaError) => p.code)]).toEqual([
      'VOLTA_E_IMPORT',
      'VOLTA_E_UNSUPPORTED_DTYPE',
      'VOLTA_E_UNSUPPORTED_OP',
    ]);
  });

  it('a graph of another domain only (no default opset_import): VOLTA_E_UNSUPPORTED_OP naming the op, not a bad model', () => {
    const w = new OnnxWriter('adam_only', 17);
    w.input('r', 'float32', []);
    w.output(w.op('Adam', ['r'], {}, 'adam'));
    const m = w.model();
    m.opsetImport = [{ domain: 'ai.onnx.preview.training', version: 1 }];
    m.graph.node[0].domain = 'ai.onnx.preview.training';
    let err: unknown;
    try {
      Volta.compileOnly(encodeModel(m));
    } catch (e) {
      err = e;
    }
    expect(isVoltaError(err, 'VOLTA_E_UNSUPPORTED_OP'), String(err)).toBe(true);
    expect(String(err)).toContain('ai.onnx.preview.training.Adam is not supported');
    // Default-domain ops without a default opset import stay a bad model, claimed or not.
    for (const op of ['Relu', 'Cos']) {
      const d = new OnnxWriter('no_import', 17);
      d.input('x', 'float32', [2]);
      d.output(d.op(op, ['x']));
      const dm = d.model();
      dm.opsetImport = [];
      expect(() => Volta.compileOnly(encodeModel(dm))).toThrow(/no opset_import for the default ONNX domain/);
    }
  });
});
