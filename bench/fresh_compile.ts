// Child process of bench/compile_times.ts: times the first Volta.compile of a fresh process
// (modules already loaded, nothing compiled or JIT-warmed yet). Prints {"ms": <number>}.
import { Volta } from '../runtime/index.ts';

const [model, cacheDir] = process.argv.slice(2);
const t0 = performance.now();
await Volta.compile(model, { cacheDir });
console.log(JSON.stringify({ ms: performance.now() - t0 }));
