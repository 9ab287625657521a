// The bundle of the built command line (scripts/bundle_cli.mjs): every bundled module still finds
// the files next to it through its own import.meta.url, packages stay imports, and a lazily
// imported command's packages load only when it runs.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleCli } from '../scripts/bundle_cli.mjs';

const dist = mkdtempSync(join(tmpdir(), 'volta-bundle-'));
afterAll(() => rmSync(dist, { recursive: true, force: true }));

function put(rel: string, text: string) {
  mkdirSync(join(dist, rel, '..'), { recursive: true });
  writeFileSync(join(dist, rel), text);
}

describe('cli bundle', () => {
  it('keeps each module reading next to itself, loads lazily imported modules, and leaves packages external', async () => {
    put('templates/c/x.hbs', 'template text');
    put('compiler/onnx/onnx.proto', 'proto text');
    put(
      'compiler/codegen/templates.js',
      "import { readFileSync } from 'node:fs';\nexport const t = () => readFileSync(new URL('../../templates/c/x.hbs', import.meta.url), 'utf8');\n",
    );
    put(
      'compiler/onnx/proto.js',
      "import { readFileSync } from 'node:fs';\nexport const p = () => readFileSync(new URL('./onnx.proto', import.meta.url), 'utf8');\n" +
        "export const emitted = 'new URL(`./c/`, import.meta.url)';\n",
    );
    put('node_modules/fakepkg/package.json', '{"name":"fakepkg","type":"module","exports":"./index.js"}');
    put('node_modules/fakepkg/index.js', "export const v = 'as bundled';\n");
    put(
      'compiler/cli/compile_cmd.js',
      "import { t } from '../codegen/templates.js';\nimport { emitted, p } from '../onnx/proto.js';\nimport { v } from 'fakepkg';\nexport const run = () => [t(), p(), v, emitted];\n",
    );
    put('compiler/cli.js', "export async function main() { const { run } = await import('./cli/compile_cmd.js'); return run(); }\n");
    expect(await bundleCli(dist)).toBe(true);
    // The originals go away (the bundle must not need them); the package changes (it must be imported, not inlined).
    rmSync(join(dist, 'compiler', 'codegen'), { recursive: true });
    rmSync(join(dist, 'compiler', 'onnx', 'proto.js'));
    rmSync(join(dist, 'compiler', 'cli'), { recursive: true });
    rmSync(join(dist, 'compiler', 'cli.js'));
    put('node_modules/fakepkg/index.js', "globalThis.fakepkgLoaded = true;\nexport const v = 'at run time';\n");
    const g = globalThis as { fakepkgLoaded?: boolean };
    const { main } = (await import(pathToFileURL(join(dist, 'compiler', 'bundle', 'cli.js')).href)) as { main: () => Promise<string[]> };
    expect(g.fakepkgLoaded).toBeUndefined(); // the command's package waits for the command
    // Text that only mentions import.meta.url (code a generator writes out) stays as it is.
    expect(await main()).toEqual(['template text', 'proto text', 'at run time', 'new URL(`./c/`, import.meta.url)']);
    expect(g.fakepkgLoaded).toBe(true);
  });
});
