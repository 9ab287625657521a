#!/usr/bin/env node
// The installed `volta` command (package.json "bin", built to dist/compiler/cli/bin.js).
// In the repository bin/volta.mjs runs the same main() from the TypeScript sources.
import { main } from '../cli.ts';

process.exitCode = await main(process.argv.slice(2));
