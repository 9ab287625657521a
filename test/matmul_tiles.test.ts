// Tiled matmul kernels give the bits of the reference order (k increasing from +0
// for every output) on random shapes with ragged edges (M not a multiple of the
// register rows, N not of the panel width, K odd), for constant B (packed at
// compile time) and run-time B (packed per task), transposed operands, batches,
// fused epilogues, and for every ISA this host runs: the tile shape changes with
// the ISA's vector width, the bits do not.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostIsa, ISAS, type Isa } from '../compiler/build/isa.ts';
import type { Graph } from '../compiler/ir/graph.ts';
import { GraphBuilder, makeTensor, Volta } from '../runtime/index.ts';
import { mulberry32 } from '../scripts/make_example_model.ts';
import { sameBits } from './helpers/bits.ts';
import { referenceFetches } from './helpers/interp.ts';
import { feedsFor, randomFloats } from './helpers/models.ts';

const cacheDir = join(tmpdir(), 'volta-test-matmul-tiles');

/** Seeded random matmuls, each one output of one graph (one native build per ISA). */
function randomMatmuls(seed: number, count: number): Graph {
  const r = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const b = new GraphBuilder(`matmuls_${seed}`);
  for (let i = 0; i < count; i++) {
    const [m, n, k] = [int(1, 40), int(1, 150), int(1, 70)];
    const form = i % 4;
    if (form === 0) {
      // Gemm, constant B transposed (a Linear layer), bias + Relu epilogue.
      const a = b.input(`a${i}`, 'float32', [m, k]);
      const w = b.constant(`w${i}`, makeTensor('float32', [n, k], randomFloats(n * k, seed * 100 + i, 1)));
      const bias = b.constant(`c${i}`, makeTensor('float32', [n], randomFloats(n, seed * 100 + i + 50, 1)));
      b.output(b.op('Relu', [b.op('Gemm', [a, w, bias], { transB: 1 })]));
    } else if (form === 1) {
      // MatMul, run-time A and B.
      b.output(b.op('MatMul', [b.input(`a${i}`, 'float32', [m, k]), b.input(`b${i}`, 'float32', [k, n])]));
    } else if (form === 2) {
      // Gemm with transA and a run-time transposed B, alpha/beta.
      const a = b.input(`a${i}`, 'float32', [k, m]);
      const w = b.input(`b${i}`, 'float32', [n, k]);
      b.output(b.op('Gemm', [a, w, b.input(`c${i}`, 'float32', [m, n])], { transA: 1, transB: 1, alpha: 0.5, beta: 1.5 }));
    } else {
      // Batched MatMul: run-time A [2, m, k] by a shared constant B [k, n], then Tanh.
      const a = b.input(`a${i}`, 'float32', [2, m, k]);
      const w = b.constant(`w${i}`, makeTensor('float32', [k, n], randomFloats(n * k, seed * 100 + i, 1)));
      b.output(b.op('Tanh', [b.op('MatMul', [a, w])]));
    }
  }
  return b.build();
}

/** Levels of the host's family that it runs (the portable baseline to native). */
function hostLevels(): Isa[] {
  const h = hostIsa();
  if (h === 'armv8-a') return ['armv8-a'];
  return ISAS.filter((i) => i !== 'armv8-a' && ISAS.indexOf(i) <= ISAS.indexOf(h));
}

describe('tiled matmul kernels', () => {
  it('random shapes with ragged edges: C == interpreter, bit for bit, on every ISA of this host', async () => {
    const make = () => randomMatmuls(11, 8);
    const g = make();
    const feeds = feedsFor(g, 3);
    const want = referenceFetches(Volta.compileOnly(g), feeds);
    const levels = hostLevels().filter((l) => l === 'x86-64' || l === 'x86-64-v3' || l === hostIsa() || l === 'armv8-a');
    const tiles = new Set<string>();
    for (const isa of levels) {
      const c = Volta.compileOnly(make(), { isa });
      for (const k of c.schedule.kernels) if (k.plan.kind === 'matmul') tiles.add(`${k.plan.tile.mr}x${k.plan.tile.nr}`);
      const s = await Volta.compile(make(), { isa, cacheDir, threads: 2, minParallelWork: 0 });
      expect(s.report().isa).toBe(isa);
      const got = s.runSync(feeds);
      for (const [name, data] of Object.entries(want)) expect(sameBits(got[name].data, data), `${name} on ${isa}`).toBe(true);
    }
    // The shapes exercise several register tiles (rows 1..4, panels of one to eight vectors).
    expect(tiles.size).toBeGreaterThan(3);
  });

  it('the ISA is part of the fingerprint; portable is baseline x86-64 there', () => {
    const fps = new Set(hostLevels().map((isa) => Volta.compileOnly(randomMatmuls(11, 2), { isa }).fingerprint));
    expect(fps.size).toBe(hostLevels().length);
    if (hostIsa() !== 'armv8-a') expect(Volta.compileOnly(randomMatmuls(11, 2), { isa: 'portable' }).options.isa).toBe('x86-64');
    expect(() => Volta.compileOnly(randomMatmuls(11, 2), { isa: 'x86-64-v9' as Isa })).toThrow(/VOLTA_E_BAD_OPTION/);
  });
});
