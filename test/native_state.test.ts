// The addon's persistent state (templates/addon/addon.cc.hbs, class State): the last
// inputs and outputs of a model are state slots kept in two native banks; step() reads one
// and writes the other. Inference (run) is unchanged.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileGraph } from '../compiler/compile.ts';
import { GraphBuilder, isVoltaError } from '../runtime/index.ts';
import { load } from '../runtime/volta.ts';

const cacheDir = join(tmpdir(), 'volta-state-cache');

/** inputs (x [3], p [3], n [1] int64); outputs (y = sum(p * x), p + x, n + 1). */
async function model() {
  const b = new GraphBuilder('state');
  const x = b.input('x', 'float32', [3]);
  const p = b.input('p', 'float32', [3]);
  const n = b.input('n', 'int64', [1]);
  b.output(b.op('ReduceSum', [b.op('Mul', [p, x])], { keepdims: 0 }));
  b.output(b.op('Add', [p, x]));
  b.output(b.op('Add', [n, b.constant('one', { dtype: 'int64', shape: [1], data: BigInt64Array.from([1n]) })]));
  return load(compileGraph(b.build()), { cacheDir });
}

describe('native state', () => {
  it('steps update the state in native memory; save and load round-trip a bank', async () => {
    const m = await model();
    const st = m.createState(2);
    expect(st.bytes).toBe(128); // two slots, each padded to 64 bytes
    const init = new Uint8Array(128);
    new Float32Array(init.buffer, 0, 3).set([1, 2, 3]);
    new BigInt64Array(init.buffer, 64, 1).set([10n]);
    st.load(init);
    const y = new Float32Array(1);
    const x = Float32Array.from([0.5, -1, 2]);
    for (let i = 0; i < 3; i++) st.step([x], [y]);
    // After two steps p = [1, 2, 3] + 2x = [2, 0, 7]; the third step reads that: 2*0.5 + 0 + 7*2 = 15.
    expect(y[0]).toBe(15);
    const saved = st.save();
    expect(Array.from(new Float32Array(saved.buffer, 0, 3))).toEqual([2.5, -1, 9]);
    expect(new BigInt64Array(saved.buffer, 64, 1)[0]).toBe(13n);
    expect(st.steps).toBe(3);
    // A second state of the same model is independent; loading the saved bank resumes exactly.
    const other = m.createState(2);
    other.load(saved);
    other.step([x], [y]);
    expect(y[0]).toBe(2.5 * 0.5 + 1 + 18);
    // Inference is unchanged.
    const out = m.runSync({
      x: { type: 'float32', data: x, dims: [3] },
      p: { type: 'float32', data: x, dims: [3] },
      n: { type: 'int64', data: BigInt64Array.from([0n]), dims: [1] },
    });
    expect(out[m.outputNames[0]].data[0]).toBe(0.25 + 1 + 4);
  });

  it('bad slot counts, sizes and buffers are VOLTA_E_ADDON errors', async () => {
    const m = await model();
    const codeOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return isVoltaError(e) ? e.code : String(e);
      }
      return 'no error';
    };
    // Three slots would pair input x (12 bytes) with output y (4 bytes).
    expect(codeOf(() => m.createState(3))).toBe('VOLTA_E_ADDON');
    expect(codeOf(() => m.createState(0))).toBe('VOLTA_E_ADDON');
    const st = m.createState(2);
    expect(codeOf(() => st.load(new Uint8Array(64)))).toBe('VOLTA_E_ADDON');
    expect(codeOf(() => st.step([new Float32Array(2)], [new Float32Array(1)]))).toBe('VOLTA_E_ADDON');
    expect(codeOf(() => st.step([new Float32Array(3)], []))).toBe('VOLTA_E_ADDON');
  });
});
