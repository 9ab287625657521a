// ±Infinity and NaN in constants are data in both modes: exported models use +inf
// clip bounds, -inf attention masks and -inf as the identity of a max. Each model
// here is written as an exporter would (OnnxWriter), compiled in strict mode, run
// through the C backend and checked against the TS interpreter (bit for bit) and
// onnxruntime (the oracle).
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { makeTensor } from '../compiler/ir/tensor.ts';
import { float, OnnxWriter } from '../compiler/onnx/writer.ts';
import { referenceRun } from '../compiler/reference.ts';
import { Tensor, Volta } from '../runtime/index.ts';
import { sameBits } from './helpers/bits.ts';
import { randomFloats } from './helpers/models.ts';

const cacheDir = `${process.env.VOLTA_CACHE_DIR ?? '.volta-cache'}`;
const INF = Number.POSITIVE_INFINITY;

async function check(bytes: Uint8Array, feeds: Record<string, Float32Array>, dims: Record<string, number[]>, exact: boolean) {
  const s = await Volta.compile(bytes, { mode: 'strict', cacheDir });
  const c = Volta.compileOnly(bytes, { mode: 'strict' });
  const ours = await s.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, new Tensor('float32', v, dims[k])])));
  const ref = referenceRun(
    c,
    c.graph.inputs.map((id) => makeTensor('float32', dims[c.graph.value(id).name], feeds[c.graph.value(id).name])),
  );
  const o = await ort.InferenceSession.create(bytes);
  const theirs = await o.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor('float32', v, dims[k])])));
  s.outputNames.forEach((name, i) => {
    const a = ours[name].data as Float32Array;
    expect(sameBits(a, ref[i].data as Float32Array), `${name}: C vs interpreter`).toBe(true);
    const e = theirs[name].data as Float32Array;
    expect(a.length).toBe(e.length);
    for (let j = 0; j < a.length; j++) {
      if (Number.isNaN(e[j]) || !Number.isFinite(e[j]) || exact)
        expect(Object.is(a[j], e[j]) || (Number.isNaN(a[j]) && Number.isNaN(e[j])), `${name}[${j}]: ${a[j]} vs ${e[j]}`).toBe(true);
      else expect(Math.abs(a[j] - e[j]), `${name}[${j}]`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(e[j])));
    }
  });
  return { session: s, compiled: c, ours };
}

describe('non-finite constants are data (strict mode)', () => {
  it('Clip with a +inf max initializer (a log-mel front end clamps power to [1e-10, inf])', async () => {
    const w = new OnnxWriter('clip_inf', 13);
    const x = w.input('x', 'float32', [2, 5]);
    const lo = w.initializer('lo', makeTensor('float32', [], [1e-10]));
    const hi = w.initializer('hi', makeTensor('float32', [], [INF]));
    w.output(w.op('Log', [w.op('Clip', [x, lo, hi])], {}, 'y'), 'float32', [2, 5]);
    const xs = Float32Array.from([0, -1, 1e-20, 3, 1e30, 3.4e38, INF, -INF, 0.5, 7]);
    const { compiled } = await check(w.bytes(), { x: xs }, { x: [2, 5] }, false);
    expect(compiled.notes).toEqual([]);
    expect(compiled.source('c')).toContain('VOLTA_INF');
  });

  it('an additive -inf attention mask: masked keys get probability exactly 0', async () => {
    const w = new OnnxWriter('mask', 17);
    const q = w.input('scores', 'float32', [2, 4, 4]);
    const causal = new Float32Array(16).map((_, i) => (i % 4 > Math.floor(i / 4) ? -INF : 0));
    const m = w.initializer('mask', makeTensor('float32', [4, 4], causal));
    w.output(w.op('Softmax', [w.op('Add', [q, m])], { axis: -1 }, 'p'), 'float32', [2, 4, 4]);
    const { ours } = await check(w.bytes(), { scores: randomFloats(32, 7, 3) }, { scores: [2, 4, 4] }, false);
    const p = ours.p.data as Float32Array;
    for (let i = 0; i < 32; i++) if (causal[i % 16] === -INF) expect(p[i]).toBe(0);
  });

  it('Softmax rows of 40 with NaN, ±inf and ±0 (the lane-wise max and its in-order NaN rescan) equal the interpreter', async () => {
    const w = new OnnxWriter('softmax_nonfinite', 17);
    w.input('x', 'float32', [6, 40]);
    w.output(w.op('Softmax', ['x'], { axis: -1 }, 'p'), 'float32', [6, 40]);
    const xs = randomFloats(240, 11, 4);
    xs[3] = Number.NaN; // row 0: NaN in the first lane block
    xs[40 + 35] = Number.NaN; // row 1: NaN in the tail after 32 lanes
    xs[80 + 1] = INF; // row 2: +inf (exp(inf - inf) = NaN)
    xs.fill(-INF, 120, 160); // row 3: all -inf
    xs.fill(0, 160, 200); // row 4: +0 and -0
    for (let i = 160; i < 200; i += 3) xs[i] = -0;
    xs[200 + 31] = 80; // row 5: the maximum in the last of 32 lanes
    await check(w.bytes(), { x: xs }, { x: [6, 40] }, false);
  });

  it('-inf as the start of a running max and inf scalars inlined as literals', async () => {
    const w = new OnnxWriter('inline', 17);
    const x = w.input('x', 'float32', [6]);
    const ninf = w.op('Constant', [], { value: makeTensor('float32', [], [-INF]) }, 'ninf');
    const top = w.op('Constant', [], { value_float: float(INF) }, 'top');
    const y = w.op('Min', [w.op('Max', [x, ninf]), top], {}, 'y');
    w.output(y, 'float32', [6]);
    const { compiled } = await check(w.bytes(), { x: Float32Array.from([-INF, -3, 0, 2, INF, Number.NaN]) }, { x: [6] }, true);
    expect(compiled.source('c')).toMatch(/\(-VOLTA_INF\)/);
  });

  it("constants holding ±inf and NaN fold at compile time with the kernels' rounding", async () => {
    const w = new OnnxWriter('fold', 17);
    const x = w.input('x', 'float32', [4]);
    const c = w.initializer('c', makeTensor('float32', [4], [INF, -INF, Number.NaN, 2]));
    const two = w.initializer('two', makeTensor('float32', [4], [2, 0, 1, -INF]));
    const folded = w.op('Mul', [c, two], {}, 'cc'); // inf*2, -inf*0 = NaN, NaN*1, 2*-inf
    w.output(w.op('Add', [x, folded], {}, 'y'), 'float32', [4]);
    const { compiled, session } = await check(w.bytes(), { x: Float32Array.from([1, 2, 3, 4]) }, { x: [4] }, true);
    expect(compiled.graph.nodes.map((n) => n.op)).toEqual(['Add']);
    expect(session.report().notes).toEqual(['constant "c" holds NaN (1 of 4 elements, first at element 2)']);
  });
});
