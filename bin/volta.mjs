#!/usr/bin/env node
// The `volta` command in a clone. Runs the built JavaScript (dist/, from `npm run build`) when it
// was built from exactly the current sources (dist/SOURCE_DIGEST), which starts about 0.3 s faster:
// its bundle (dist/compiler/bundle/cli.js, scripts/bundle_cli.mjs) where the build made
// one, else dist/compiler/cli.js. Otherwise, or with VOLTA_FROM_SOURCE=1, registers tsx and runs the
// TypeScript sources as they are. Paths resolve next to this file, so any cwd works.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { distIsCurrent } from '../scripts/source_digest.mjs';

const root = fileURLToPath(new URL('../', import.meta.url));
const bundle = new URL('../dist/compiler/bundle/cli.js', import.meta.url);
let main;
if (distIsCurrent(root)) ({ main } = await import(existsSync(bundle) ? bundle.href : new URL('../dist/compiler/cli.js', import.meta.url).href));
else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../compiler/cli.ts'));
}
process.exitCode = await main(process.argv.slice(2));
