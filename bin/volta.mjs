#!/usr/bin/env node
// The `volta` command in a clone. Runs the built JavaScript (dist/, from `npm run build`) when it
// was built from exactly the current sources (dist/SOURCE_DIGEST), which starts about 0.3 s faster;
// otherwise, or with VOLTA_FROM_SOURCE=1, registers tsx and runs the TypeScript sources as they are.
// Paths resolve next to this file, so any cwd works.
import { existsSync, readFileSync } from 'node:fs';
import { sourceDigest } from '../scripts/source_digest.mjs';

const root = new URL('../', import.meta.url);
const stamp = new URL('dist/SOURCE_DIGEST', root);
const built = new URL('dist/compiler/cli.js', root);

function distIsCurrent() {
  if (process.env.VOLTA_FROM_SOURCE === '1' || !existsSync(stamp) || !existsSync(built)) return false;
  return readFileSync(stamp, 'utf8').trim() === sourceDigest(new URL('.', root).pathname);
}

let main;
if (distIsCurrent()) ({ main } = await import(built.href));
else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../compiler/cli.ts'));
}
process.exitCode = await main(process.argv.slice(2));
