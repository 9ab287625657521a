// Compile option memoryGuard (a debug build): no arena reuse, canary bytes around every arena buffer,
// filled before and checked after every run: by the runtime for the C target, by the emitted host glue
// for the CUDA targets (here cuda-cpu). Guarded builds give the unguarded C build's bits; a write past
// a buffer (injected into the emitted source) fails the run with VOLTA_E_MEMORY_GUARD naming the buffer.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildAddon } from '../compiler/build/build.ts';
import type { Compiled, Target } from '../compiler/compile.ts';
import { isVoltaError } from '../compiler/ir/errors.ts';
import { CANARY, GUARD_BYTES } from '../compiler/schedule/memory_plan.ts';
import { Volta } from '../runtime/index.ts';
import { LoadedModel } from '../runtime/loaded.ts';
import { sameBits } from './helpers/bits.ts';
import { feedsFor, kernelGraphs, mlp, tiledGraphs } from './helpers/models.ts';

const cacheDir = join(tmpdir(), 'volta-test-memory-guard');
const TARGETS = ['c', 'cuda-cpu'] as const;
const graphs = [
  { name: 'mlp', graph: mlp() },
  ...kernelGraphs().filter((k) => ['conv_pool', 'recurrent'].includes(k.name)),
  ...tiledGraphs().filter((k) => k.name === 'tiled_matmul_batched'),
];

describe('memoryGuard builds', () => {
  it('lay out every arena buffer alone between canaries and change the fingerprint', () => {
    const c = Volta.compileOnly(mlp(), { memoryGuard: true });
    const temps = c.memory.buffers.filter((b) => b.kind === 'temp').sort((a, b) => a.offset - b.offset);
    expect(temps.length).toBeGreaterThan(0);
    const guards = c.memory.guards ?? [];
    expect(guards.length).toBe(temps.length + 1);
    temps.forEach((t, i) => {
      expect(guards[i].offset + guards[i].bytes, `guard before ${t.id}`).toBe(t.offset);
      expect(guards[i].bytes).toBeGreaterThanOrEqual(GUARD_BYTES);
      expect(guards[i + 1].offset, `guard after ${t.id}`).toBe(t.offset + t.bytes);
    });
    expect(guards.at(-1)!.bytes).toBeGreaterThanOrEqual(GUARD_BYTES);
    expect(c.fingerprint).not.toBe(Volta.compileOnly(mlp()).fingerprint);
    expect(Volta.compileOnly(mlp()).memory.guards).toBeUndefined();
  });

  for (const { name, graph } of graphs) {
    it(`${name}: guarded c and cuda-cpu give the unguarded C build's bits, run after run`, async () => {
      const base = await Volta.compile(graph, { cacheDir });
      for (const target of TARGETS) {
        const s = await Volta.compile(graph, { cacheDir, target, memoryGuard: true });
        for (const seed of [1, 2]) {
          const feeds = feedsFor(graph, seed);
          const [want, got] = [base.runSync(feeds), s.runSync(feeds)];
          for (const n of base.outputNames) expect(sameBits(got[n].data, want[n].data), `${target}, seed ${seed}, ${n}`).toBe(true);
        }
      }
    });
  }

  /** The MLP, guarded, with one byte written just past its first arena buffer by the emitted run function. */
  async function overrun(target: Target): Promise<[LoadedModel, Compiled]> {
    const c = Volta.compileOnly(mlp(), { target, memoryGuard: true });
    const g = c.memory.guards![1];
    const write = `  arena[${g.offset}] = ${CANARY ^ 1};\n`;
    let src = c.source(target === 'c' ? 'c' : 'cuda');
    const at = target === 'c' ? src.indexOf('{', src.indexOf('int volta_run(')) + 2 : src.indexOf('  VOLTA_CUDA(cudaDeviceSynchronize()');
    expect(at, 'where the write goes').toBeGreaterThan(2);
    src = src.slice(0, at) + write + src.slice(at);
    const build = await buildAddon({ fingerprint: c.fingerprint, options: c.options, source: () => src }, target === 'c' ? 'c' : 'cuda-cpu', cacheDir);
    return [new LoadedModel(c, build, target === 'c' ? 'c' : 'cuda-cpu', undefined, {}), c];
  }

  for (const target of TARGETS) {
    it(`${target}: a write past a buffer fails the run with VOLTA_E_MEMORY_GUARD naming the buffer`, async () => {
      const [m, c] = await overrun(target);
      const g = c.memory.guards![1];
      const err = (() => {
        try {
          m.runSync(feedsFor(c.graph, 1));
        } catch (e) {
          return e;
        }
      })();
      expect(isVoltaError(err, 'VOLTA_E_MEMORY_GUARD'), String(err)).toBe(true);
      const msg = (err as Error).message;
      expect(msg).toContain(`arena byte ${g.offset} `);
      expect(msg).toContain(`past the end of buffer ${JSON.stringify(c.graph.value(g.after!).name)}`);
    });
  }
});
