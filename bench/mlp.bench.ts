// `npm run bench`: compiles the example MLP (784-128-10) for the C backend and
// times session.run at batch 1 with tinybench. The build is cached, so only the
// first invocation pays for the native compile.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import { decodeTensor } from '../compiler/onnx/proto.ts';
import { tensorFromProto } from '../compiler/onnx/tensor_proto.ts';
import { Tensor, Volta } from '../runtime/index.ts';

const dir = fileURLToPath(new URL('../examples/mlp/', import.meta.url));
const session = await Volta.compile(`${dir}mlp.onnx`, { target: 'c' });
const t = tensorFromProto(decodeTensor(readFileSync(`${dir}input.pb`)));
const feeds = { input: new Tensor(t.dtype, t.data, t.shape) };

const r = session.report();
console.log(`mlp 784-128-10, batch 1, backend ${r.backend}, addon ${r.cacheHit ? 'from cache' : 'built now'}, fingerprint ${r.fingerprint.slice(0, 16)}`);

const bench = new Bench({ name: 'mlp', time: 1000 });
bench.add('session.run (batch 1)', async () => {
  await session.run(feeds);
});
bench.add('session.runSync (batch 1)', () => {
  session.runSync(feeds);
});
await bench.run();
console.table(bench.table());
