// Split, Tile, DepthToSpace, SpaceToDepth, Trilu, Range and Einsum against onnxruntime
// (test-only oracle), a model per opset holding the attribute matrix: the C addon equals
// the TS reference bit for bit, data movement equals onnxruntime bit for bit (NaN, +-Inf
// and +-0 among the values), Einsum (summation order differs) within 1e-5; shape-deciding
// inputs fed at run time are specialised by value; refused equations name the reason.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import type { DType } from '../compiler/ir/dtype.ts';
import { makeTensor } from '../compiler/ir/tensor.ts';
import { OnnxWriter } from '../compiler/onnx/writer.ts';
import { isVoltaError, Tensor, Volta } from '../runtime/index.ts';
import { boolFeed, expectExact, f32Feed, intFeed } from './helpers/ort_exact.ts';
import { compareWithOrt, type Feed, worst } from './helpers/ort_oracle.ts';

const cacheDir = process.env.VOLTA_CACHE_DIR ?? join(tmpdir(), 'volta-ops-cache');
const i64 = (xs: number[]) => makeTensor('int64', [xs.length], xs);
const scalar = (dtype: DType, v: number) => makeTensor(dtype, [], [v]);

function declare(w: OnnxWriter, feeds: Record<string, Feed>) {
  for (const [k, f] of Object.entries(feeds)) w.input(k, f.dtype, f.dims);
}

describe('data movement vs onnxruntime', () => {
  it('opset 14: Split (split input), Tile, DepthToSpace, SpaceToDepth, Trilu, Range: exact', async () => {
    const feeds: Record<string, Feed> = {
      x: f32Feed([2, 8, 4, 6], 1),
      m: f32Feed([2, 4, 5], 2),
      q: intFeed('int64', [3, 4], [1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12]),
      p: boolFeed([2, 3], [true, false, true, false, false, true]),
    };
    const w = new OnnxWriter('movement14', 14);
    declare(w, feeds);
    const out = (name: string, t: DType = 'float32') => w.output(name, t);
    w.node('Split', ['x', w.initializer('s1', i64([3, 0, 5]))], { axis: 1 }, { outputs: ['sp_a', 'sp_b', 'sp_c'] });
    w.node('Split', ['m', w.initializer('s2', i64([1, 4]))], { axis: -1 }, { outputs: ['sp_d', 'sp_e'] });
    w.node('Split', ['q'], { axis: 0 }, { outputs: ['sp_f', 'sp_g', 'sp_h'] });
    for (const n of ['sp_a', 'sp_b', 'sp_c', 'sp_d', 'sp_e']) out(n);
    for (const n of ['sp_f', 'sp_g', 'sp_h']) out(n, 'int64');
    out(w.op('Tile', ['m', w.initializer('r1', i64([2, 1, 3]))], {}, 'tile_a'));
    out(w.op('Tile', ['q', w.initializer('r2', i64([1, 2]))], {}, 'tile_b'), 'int64');
    out(w.op('Tile', ['p', w.initializer('r3', i64([3, 2]))], {}, 'tile_c'), 'bool');
    out(w.op('Tile', ['m', w.initializer('r4', i64([1, 0, 2]))], {}, 'tile_empty'));
    out(w.op('DepthToSpace', ['x'], { blocksize: 2 }, 'd2s_dcr'));
    out(w.op('DepthToSpace', ['x'], { blocksize: 2, mode: 'CRD' }, 'd2s_crd'));
    out(w.op('SpaceToDepth', ['x'], { blocksize: 2 }, 's2d_2'));
    out(w.op('DepthToSpace', [w.op('SpaceToDepth', ['x'], { blocksize: 2 })], { blocksize: 2 }, 's2d_roundtrip'));
    for (const [k, upper] of [
      [0, 1],
      [0, 0],
      [-1, 1],
      [2, 1],
      [-2, 0],
      [9, 0],
    ]) {
      const name = `trilu_${upper ? 'u' : 'l'}${k < 0 ? `m${-k}` : k}`;
      out(w.op('Trilu', ['m', w.initializer(`k_${name}`, scalar('int64', k))], { upper }, name));
    }
    out(w.op('Trilu', ['q'], { upper: 0 }, 'trilu_int'), 'int64');
    const rangeOf = (name: string, t: DType, s: number, l: number, d: number) =>
      out(
        w.op('Range', [w.initializer(`${name}_s`, scalar(t, s)), w.initializer(`${name}_l`, scalar(t, l)), w.initializer(`${name}_d`, scalar(t, d))], {}, name),
        t,
      );
    rangeOf('range_f', 'float32', -1.5, 2.25, 0.1);
    rangeOf('range_fneg', 'float32', 3, -4.5, -0.7);
    rangeOf('range_i64', 'int64', -7, 20, 3);
    rangeOf('range_i32', 'int32', 10, 2, -3);
    rangeOf('range_empty', 'int64', 5, 5, 1);
    const r = await compareWithOrt(w.bytes(), feeds, { cacheDir });
    expectExact(r.ours, r.theirs, r.session.outputNames);
  });

  it('Split by attribute (opset 11), into equal parts, and by num_outputs (opset 18): exact', async () => {
    const feeds: Record<string, Feed> = { x: f32Feed([6, 7], 3) };
    const w11 = new OnnxWriter('split11', 11);
    declare(w11, feeds);
    for (const o of w11.node('Split', ['x'], { axis: 1, split: [2, 4, 1] }, { outputs: ['a0', 'a1', 'a2'] })) w11.output(o, 'float32');
    for (const o of w11.node('Split', ['x'], { axis: -2 }, { outputs: ['e0', 'e1', 'e2'] })) w11.output(o, 'float32');
    const r11 = await compareWithOrt(w11.bytes(), feeds, { cacheDir });
    expectExact(r11.ours, r11.theirs, r11.session.outputNames);
    const w18 = new OnnxWriter('split18', 18);
    declare(w18, feeds);
    for (const o of w18.node('Split', ['x'], { axis: 1, num_outputs: 3 }, { outputs: ['n0', 'n1', 'n2'] })) w18.output(o, 'float32');
    for (const o of w18.node('Split', ['x'], { axis: 1, num_outputs: 4 }, { outputs: ['m0', 'm1', 'm2', 'm3'] })) w18.output(o, 'float32');
    const r18 = await compareWithOrt(w18.bytes(), feeds, { cacheDir });
    expectExact(r18.ours, r18.theirs, r18.session.outputNames);
    expect(r18.ours.n2.length).toBe(6);
    // 6 into 4 parts of ceil(6/4) = 2 leaves nothing for the last: refused (onnxruntime fails at run time).
    const bad = new OnnxWriter('split18_bad', 18);
    declare(bad, feeds);
    for (const o of bad.node('Split', ['x'], { axis: 0, num_outputs: 4 }, { outputs: ['b0', 'b1', 'b2', 'b3'], name: 'sp' })) bad.output(o, 'float32');
    expect(() => Volta.compileOnly(bad.bytes())).toThrow(/Split "sp".*num_outputs=4 for a dim of 6/);
  });

  it('Split sizes, Tile repeats, Trilu k and Range bounds fed at run time are specialised by value: exact', async () => {
    const w = new OnnxWriter('movement_inputs', 14);
    w.input('x', 'float32', [4, 6]);
    for (const [n, dims] of [
      ['split', [2]],
      ['repeats', [2]],
    ] as const)
      w.input(n, 'int64', [...dims]);
    for (const n of ['k', 'start', 'limit', 'delta']) w.input(n, n === 'k' ? 'int64' : 'float32', []);
    for (const o of w.node('Split', ['x', 'split'], { axis: 1 }, { outputs: ['s0', 's1'] })) w.output(o, 'float32');
    w.output(w.op('Tile', ['x', 'repeats'], {}, 'tiled'), 'float32');
    w.output(w.op('Trilu', ['x', 'k'], {}, 'band'), 'float32');
    w.output(w.op('Range', ['start', 'limit', 'delta'], {}, 'ramp'), 'float32');
    const bytes = w.bytes();
    const session = await Volta.compile(bytes, { cacheDir, mode: 'strict' });
    const oracle = await ort.InferenceSession.create(bytes);
    const x = f32Feed([4, 6], 9);
    for (const [split, repeats, k, range] of [
      [[1, 5], [2, 1], -1, [0, 1, 0.25]],
      [[4, 2], [1, 3], 2, [2, -1, -0.5]],
    ] as const) {
      const values: Record<string, Feed> = {
        x,
        split: intFeed('int64', [2], [...split]),
        repeats: intFeed('int64', [2], [...repeats]),
        k: { dtype: 'int64', data: BigInt64Array.of(BigInt(k)), dims: [] },
        start: { dtype: 'float32', data: Float32Array.of(range[0]), dims: [] },
        limit: { dtype: 'float32', data: Float32Array.of(range[1]), dims: [] },
        delta: { dtype: 'float32', data: Float32Array.of(range[2]), dims: [] },
      };
      const ours = await session.run(Object.fromEntries(Object.entries(values).map(([n, f]) => [n, new Tensor(f.dtype, f.data, f.dims)])));
      const theirs = await oracle.run(Object.fromEntries(Object.entries(values).map(([n, f]) => [n, new ort.Tensor(f.dtype, f.data, f.dims)])));
      const names = session.outputNames;
      expectExact(
        Object.fromEntries(names.map((n) => [n, ours[n].data as Float32Array])),
        Object.fromEntries(names.map((n) => [n, theirs[n].data as Float32Array])),
        names,
      );
    }
  });
});

describe('Einsum vs onnxruntime', () => {
  const EQUATIONS: [string, number[][]][] = [
    [
      'ij,jk->ik',
      [
        [3, 4],
        [4, 5],
      ],
    ],
    [
      'ij,jk',
      [
        [3, 4],
        [4, 2],
      ],
    ],
    [
      'bij,bjk->bik',
      [
        [2, 3, 4],
        [2, 4, 5],
      ],
    ],
    [
      'bhqd,bhkd->bhqk',
      [
        [1, 2, 3, 4],
        [1, 2, 5, 4],
      ],
    ],
    [
      'bij,jk->bik',
      [
        [2, 3, 4],
        [4, 5],
      ],
    ],
    ['ij->ji', [[3, 4]]],
    ['ijk->kji', [[2, 3, 4]]],
    ['ijk->ik', [[2, 3, 4]]],
    ['ij->', [[3, 4]]],
    ['ij', [[3, 4]]],
    ['ba', [[3, 4]]],
    ['i,j->ij', [[3], [4]]],
    ['i,i->', [[5], [5]]],
    [
      'ij,ij->ij',
      [
        [3, 4],
        [3, 4],
      ],
    ],
    [
      'ij,ij->i',
      [
        [3, 4],
        [3, 4],
      ],
    ],
    [
      'ik,jkl->ijl',
      [
        [2, 3],
        [4, 3, 5],
      ],
    ],
    [
      'abc,cd->dba',
      [
        [2, 3, 4],
        [4, 2],
      ],
    ],
    [
      'ijx,kx->kj',
      [
        [2, 3, 4],
        [5, 4],
      ],
    ],
  ];

  it(`${EQUATIONS.length} equations: within 1e-5`, async () => {
    const w = new OnnxWriter('einsum', 13);
    const feeds: Record<string, Feed> = {};
    EQUATIONS.forEach(([eq, shapes], i) => {
      const ins = shapes.map((s, k) => {
        const name = `e${i}_${k}`;
        feeds[name] = f32Feed(s, 10 * i + k, 2, false);
        w.input(name, 'float32', s);
        return name;
      });
      w.output(w.op('Einsum', ins, { equation: eq }, `einsum_${i}`), 'float32');
    });
    const r = await compareWithOrt(w.bytes(), feeds, { cacheDir });
    console.log(`[Einsum] ${EQUATIONS.length} equations, max relative error vs onnxruntime ${JSON.stringify(worst(r.errors))}`);
    for (const [n, e] of Object.entries(r.errors)) expect(e, `${n}: ${EQUATIONS[Number(n.slice(7))][0]}`).toBeLessThanOrEqual(1e-5);
  });

  for (const [eq, shapes, why] of [
    ['ii->i', [[3, 3]], 'repeats a letter'],
    [
      '...ij,...jk->...ik',
      [
        [2, 3, 4],
        [2, 4, 5],
      ],
      'ellipsis',
    ],
    ['i,i,i->i', [[3], [3], [3]], '3 operands'],
    [
      'ij,jk->ik',
      [
        [3, 4],
        [5, 6],
      ],
      'letter j is 4 and 5',
    ],
  ] as [string, number[][], string][]) {
    it(`refuses "${eq}" with VOLTA_E_UNSUPPORTED_ATTR naming the reason`, () => {
      const w = new OnnxWriter('einsum_bad', 13);
      const ins = shapes.map((s, k) => w.input(`x${k}`, 'float32', s));
      w.output(w.op('Einsum', ins, { equation: eq }, 'es'), 'float32');
      let err: unknown;
      try {
        Volta.compileOnly(w.bytes());
      } catch (e) {
        err = e;
      }
      expect(isVoltaError(err, 'VOLTA_E_UNSUPPORTED_ATTR'), String(err)).toBe(true);
      expect(String(err)).toContain('Einsum "es"');
      expect(String(err)).toContain(why);
    });
  }
});
