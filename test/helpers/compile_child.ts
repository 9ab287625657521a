// A child process for the concurrency test: compiles test model `which` into
// the shared cache, runs it on a fixed input, and prints one JSON line with the
// fingerprint, whether the addon came from the cache, and the output bits' hash.
import { createHash } from 'node:crypto';
import { Tensor, Volta } from '../../runtime/index.ts';
import { concurrencyModels } from './concurrency_models.ts';

const [which, cacheDir] = [Number(process.argv[2]), process.argv[3]];
const graph = concurrencyModels()[which];
const session = await Volta.compile(graph, { cacheDir });
const x = new Float32Array(64).map((_, i) => (i % 7) / 7 - 0.5);
const y = Object.values(await session.run({ x: new Tensor('float32', x, [4, 16]) }))[0];
const bits = createHash('sha256')
  .update(new Uint8Array(y.data.buffer, y.data.byteOffset, y.data.byteLength))
  .digest('hex');
process.stdout.write(`${JSON.stringify({ which, fingerprint: session.fingerprint, cacheHit: session.report().cacheHit, bits })}\n`);
