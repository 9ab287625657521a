#!/usr/bin/env node
// The installed `volta` command (package.json "bin", built to dist/compiler/cli/bin.js).
// Runs the build's bundle of the command line (dist/compiler/bundle/cli.js, written with
// it by scripts/bundle_cli.mjs) where there is one: it starts faster than the ~130 modules of dist/.
// In the repository bin/volta.mjs runs the same main() from the TypeScript sources.
import { existsSync } from 'node:fs';

const bundle = new URL('../bundle/cli.js', import.meta.url);
const { main }: typeof import('../cli.ts') = existsSync(bundle) ? await import(bundle.href) : await import('../cli.ts');

process.exitCode = await main(process.argv.slice(2));
