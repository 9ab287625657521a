#!/usr/bin/env node
// `npm run build`: compiles compiler/ and runtime/ to dist/ (JavaScript and .d.ts) with tsc,
// then copies the files the compiler reads at run time next to the built modules, at the same
// relative paths as in the sources (so `new URL('../../templates/', import.meta.url)` resolves
// the same way from dist/compiler/codegen/ as from compiler/codegen/). Last, scripts/build_finish.mjs
// precompiles the templates and writes dist/SOURCE_DIGEST, which lets bin/volta.mjs run dist/.
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { finishBuild } from './build_finish.mjs';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
/** Files read at run time through import.meta.url; keep in step with the sources that read them. */
const ASSETS = ['templates', 'compiler/onnx/onnx.proto'];

rmSync(dist, { recursive: true, force: true });
const tsc = spawnSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

// tsc rewrites '.ts' specifiers to '.js' in the JavaScript (rewriteRelativeImportExtensions)
// but keeps them in declarations; point those at the emitted .js too, for every consumer's resolver.
function* files(dir) {
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) yield* files(p);
    else yield p;
  }
}
for (const f of files(dist)) {
  if (!f.endsWith('.d.ts')) continue;
  const text = readFileSync(f, 'utf8');
  const fixed = text.replace(/((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]*?)\.ts(['"])/g, '$1$2.js$3');
  if (fixed !== text) writeFileSync(f, fixed);
}
for (const a of ASSETS) cpSync(join(root, a), join(dist, a), { recursive: true });
// The stamp goes last: a build that fails before it leaves the sources running.
await finishBuild(root, dist);
