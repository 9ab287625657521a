// Loads the model `volta build` generated and runs it on one input. The types come from
// generated/digits/index.d.ts: a misspelt input name or a Float64Array does not compile.
import { FINGERPRINTS, load } from '../generated/digits/index.js';

const model = await load();
const input = new Float32Array(784).map((_, i) => (i % 10) / 10);
const { probs } = await model.run({ input });
const best = probs.indexOf(Math.max(...probs));
console.log(`digits (${model.target}) fingerprint ${model.fingerprint === FINGERPRINTS.c ? 'matches' : 'DIFFERS from'} the recorded one`);
console.log(`class ${best} with probability ${probs[best].toFixed(4)}`);
console.log(`probs ${Array.from(probs, (p) => p.toFixed(4)).join(' ')}`);
