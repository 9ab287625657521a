// The last steps of `npm run build`, after tsc and the asset copies: Handlebars templates
// precompiled next to the built codegen module (dist/compiler/codegen/templates.precompiled.json,
// read by compiler/codegen/templates.ts), the command line bundled
// (dist/compiler/bundle/, scripts/bundle_cli.mjs), then dist/SOURCE_DIGEST, which bin/volta.mjs checks
// before it runs dist/ instead of the sources. The stamp goes last: a build that failed earlier
// leaves none, so the sources run.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleCli } from './bundle_cli.mjs';
import { writeSourceStamp } from './source_digest.mjs';

export async function finishBuild(root, dist = join(root, 'dist')) {
  const codegen = join(dist, 'compiler', 'codegen');
  const { precompileTemplates } = await import(pathToFileURL(join(codegen, 'templates.js')).href);
  writeFileSync(join(codegen, 'templates.precompiled.json'), `${JSON.stringify(precompileTemplates())}\n`);
  await bundleCli(dist);
  writeSourceStamp(root, dist);
}
