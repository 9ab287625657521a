#!/usr/bin/env node
// The `volta` command. Registers tsx so the TypeScript sources run as they are,
// then hands over to compiler/cli.ts (resolved next to this file, so any cwd works).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../compiler/cli.ts');
process.exitCode = await main(process.argv.slice(2));
