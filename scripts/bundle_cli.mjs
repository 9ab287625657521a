// Bundles the built command line (dist/compiler/cli.js and every module of dist/ it imports) into
// dist/compiler/bundle/: cli.js plus one chunk per lazily loaded command (code splitting, so a
// command's packages, yaml for `build` and `train`, load only with it), which bin/volta.mjs and the
// installed bin run when present: Node then resolves, reads and links a few modules instead of about
// 130 (volta compile of the example MLP, model cached: about 30 ms less CPU). Packages (protobufjs,
// handlebars, ts-morph, ...) stay imports. Each module's `import.meta.url` becomes its own dist/ URL,
// so the files it reads next to itself (templates/, onnx.proto, templates.precompiled.json) resolve
// as they do unbundled.
// Needs esbuild (a devDependency through tsx); without it there is no bundle and dist/ runs as it is.
import { readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

export const BUNDLE_DIR = join('compiler', 'bundle');

/**
 * The import.meta.url plugin: `import.meta.url` in a bundled module -> that module's URL, relative to the
 * bundle's directory. esbuild's define replaces the expression only, never text inside strings (the
 * wrapper generator writes `import.meta.url` into the code it emits).
 */
export function metaUrlPlugin(esbuild, outdir) {
  return {
    name: 'volta-module-url',
    setup(b) {
      b.onLoad({ filter: /\.js$/ }, async (a) => {
        const text = await readFile(a.path, 'utf8');
        if (!text.includes('import.meta.url')) return { contents: text, loader: 'js' };
        let rel = relative(outdir, a.path).split(sep).join('/');
        if (!rel.startsWith('.')) rel = `./${rel}`;
        const name = '__voltaModuleUrl';
        const { code } = await esbuild.transform(text, { loader: 'js', format: 'esm', define: { 'import.meta.url': name } });
        return { contents: `const ${name} = new URL(${JSON.stringify(rel)}, import.meta.url).href;\n${code}`, loader: 'js' };
      });
    },
  };
}

/** Writes <dist>/compiler/bundle/cli.js (and its chunks) from <dist>/compiler/cli.js; false (and no bundle) without esbuild. */
export async function bundleCli(dist, entry = join(dist, 'compiler', 'cli.js'), outdir = join(dist, BUNDLE_DIR)) {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    return false;
  }
  await esbuild.build({
    entryPoints: [entry],
    outdir,
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    splitting: true,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
    plugins: [metaUrlPlugin(esbuild, outdir)],
  });
  return true;
}
