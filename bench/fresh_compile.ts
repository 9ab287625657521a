// Child process of bench/compile_times.ts: times the first Volta.compile of a fresh process
// (modules already loaded, nothing compiled or JIT-warmed yet). Prints {"ms": <number>, "from": ...}.
// Runs what a user of the package runs: the built dist/ when it is current with the sources, else the sources.
import { fileURLToPath } from 'node:url';
import { distIsCurrent } from '../scripts/source_digest.mjs';

const [model, cacheDir] = process.argv.slice(2);
const from = distIsCurrent(fileURLToPath(new URL('../', import.meta.url))) ? 'dist' : 'source';
const { Volta }: typeof import('../runtime/index.ts') =
  from === 'dist' ? await import(new URL('../dist/runtime/index.js', import.meta.url).href) : await import('../runtime/index.ts');
const t0 = performance.now();
await Volta.compile(model, { cacheDir });
console.log(JSON.stringify({ ms: performance.now() - t0, from }));
