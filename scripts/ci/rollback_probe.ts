// Used by rollback_verify.sh: compiles and runs the example model with the Volta
// checkout this file sits in, against a given cache, and prints one JSON line:
// fingerprint, the addon it loaded, and the SHA-256 of its output bits.
import { createHash } from 'node:crypto';
import { Tensor, Volta } from '../../runtime/index.ts';

const cacheDir = process.argv[2];
const model = new URL('../../examples/mlp/mlp.onnx', import.meta.url).pathname;
const session = await Volta.compile(model, { cacheDir });
const x = new Float32Array(784).map((_, i) => ((i * 37) % 101) / 101 - 0.5);
const out = Object.values(await session.run({ input: new Tensor('float32', x, [1, 784]) }))[0];
const bits = createHash('sha256')
  .update(new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength))
  .digest('hex');
const r = session.report();
console.log(JSON.stringify({ fingerprint: session.fingerprint, addonPath: r.addonPath, cacheHit: r.cacheHit, bits }));
