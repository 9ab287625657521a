// Thread-count invariance: a kernel's work is split into tasks by its plan (over
// outputs, never a reduction), so 1, 2 and 4 threads give the same bits, and those
// are the TS interpreter's. The graph holds every kernel kind at sizes that split
// into several tasks, and minParallelWork 0 sends every multi-task kernel to the pool.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Graph } from '../compiler/ir/graph.ts';
import { GraphBuilder, makeTensor, Volta } from '../runtime/index.ts';
import { sameBits } from './helpers/bits.ts';
import { referenceFetches } from './helpers/interp.ts';
import { feedsFor, randomFloats } from './helpers/models.ts';

const cacheDir = join(tmpdir(), 'volta-test-threads');
const i64 = (xs: number[]) => makeTensor('int64', [xs.length], xs);
const weight = (shape: number[], seed: number) =>
  makeTensor(
    'float32',
    shape,
    randomFloats(
      shape.reduce((a, b) => a * b, 1),
      seed,
      0.5,
    ),
  );

/** Every kernel kind, each big enough for several tasks. */
export function everyKind(): Graph {
  const b = new GraphBuilder('every_kind');
  const x = b.input('x', 'float32', [64, 1024]);
  const a = b.input('a', 'float32', [70, 300]);
  const bb = b.input('bb', 'float32', [300, 90]);
  const img = b.input('img', 'float32', [2, 8, 20, 20]);
  const idx = b.input('idx', 'int64', [500]);
  // elementwise (fused chain)
  b.output(b.op('Tanh', [b.op('Add', [b.op('Mul', [x, x]), b.constant('c', weight([1024], 1))])]));
  // matmul: runtime B (packed per task) with a Relu epilogue; constant B (packed at compile time), transposed
  b.output(b.op('Relu', [b.op('MatMul', [a, bb])]));
  b.output(b.op('Gemm', [a, b.constant('w', weight([77, 300], 2)), b.constant('bias', weight([77], 3))], { transB: 1 }));
  // softmax, reduce
  const rows = b.op('Reshape', [x, b.constant('shape', i64([512, 128]))]);
  b.output(b.op('Softmax', [rows], { axis: -1 }));
  b.output(b.op('ReduceSum', [rows, b.constant('axes', i64([1]))], { keepdims: 0 }));
  // arg_reduce, topk, cumsum, scatter_rows (ScatterND with repeated rows, add in index order)
  b.output(b.op('ArgMax', [rows], { axis: 1, keepdims: 0 }));
  for (const v of b.ops('TopK', [rows, b.constant('k', i64([3]))], { axis: 1 })) b.output(v);
  b.output(b.op('CumSum', [rows, b.constant('cax', makeTensor('int64', [], [1]))], { reverse: 1 }));
  const rowIdx = makeTensor(
    'int64',
    [64, 1],
    Array.from({ length: 64 }, (_, i) => (i * 5) % 48),
  );
  b.output(b.op('ScatterND', [rows, b.constant('sidx', rowIdx), b.constant('upd', weight([64, 128], 6))], { reduction: 'add' }));
  // concat
  b.output(b.op('Concat', [a, a], { axis: 1 }));
  // window: conv, max and average pools
  const conv = b.op('Conv', [img, b.constant('cw', weight([16, 8, 3, 3], 4)), b.constant('cb', weight([16], 5))], { pads: [1, 1, 1, 1] });
  b.output(conv);
  b.output(b.op('MaxPool', [conv], { kernel_shape: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1] }));
  for (const v of b.ops('MaxPool', [conv], { kernel_shape: [2, 3], strides: [1, 2], storage_order: 1 })) b.output(v);
  b.output(b.op('AveragePool', [conv], { kernel_shape: [2, 2], strides: [1, 1] }));
  // gather, pad
  b.output(b.op('Gather', [b.op('Reshape', [x, b.constant('shape2', i64([1024, 64]))]), idx], { axis: 0 }));
  b.output(b.op('Pad', [img, b.constant('pads', i64([0, 0, 2, 1, 0, 0, 1, 2])), b.constant('v', makeTensor('float32', [], [0.5]))]));
  return b.build();
}

describe('thread-count invariance', () => {
  it('every kernel kind splits into several tasks, and 1, 2 and 4 threads give the same bits, equal to the interpreter', async () => {
    const g = everyKind();
    const compiled = Volta.compileOnly(g);
    const kinds = new Set<string>();
    for (const k of compiled.schedule.kernels) {
      kinds.add(k.plan.kind);
      expect(k.plan.partition.tasks, `${k.plan.name} (${k.plan.kind})`).toBeGreaterThan(1);
    }
    expect([...kinds].sort()).toEqual([
      'arg_reduce',
      'concat',
      'cumsum',
      'elementwise',
      'gather',
      'matmul',
      'pad',
      'reduce',
      'scatter_rows',
      'softmax',
      'topk',
      'window',
    ]);
    const feeds = feedsFor(g, 7);
    const want = referenceFetches(compiled, feeds);
    for (const threads of [1, 2, 4]) {
      const s = await Volta.compile(everyKind(), { cacheDir, threads, minParallelWork: 0 });
      expect(s.report().threads).toBe(threads);
      expect(s.fingerprint).toBe(compiled.fingerprint);
      // Several runs on the same pool: tasks may land on different threads each time.
      for (let run = 0; run < 3; run++) {
        const got = s.runSync(feeds);
        for (const [name, data] of Object.entries(want)) expect(sameBits(got[name].data, data), `${name}, ${threads} threads`).toBe(true);
      }
    }
  });

  it('the thread count is not in the fingerprint; VOLTA_THREADS sets the default and bad values are typed errors', async () => {
    const fp = (o: object) => Volta.compileOnly(everyKind(), o).fingerprint;
    expect(fp({ threads: 1 })).toBe(fp({ threads: 3 }));
    const saved = process.env.VOLTA_THREADS;
    try {
      process.env.VOLTA_THREADS = '3';
      expect(Volta.compileOnly(everyKind()).options.threads).toBe(3);
      process.env.VOLTA_THREADS = 'many';
      expect(() => Volta.compileOnly(everyKind())).toThrow(/VOLTA_E_BAD_OPTION.*VOLTA_THREADS/);
    } finally {
      if (saved === undefined) delete process.env.VOLTA_THREADS;
      else process.env.VOLTA_THREADS = saved;
    }
    for (const threads of [0, -1, 1.5, 5000]) expect(() => Volta.compileOnly(everyKind(), { threads })).toThrow(/VOLTA_E_BAD_OPTION/);
  });
});
