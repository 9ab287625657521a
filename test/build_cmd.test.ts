// `volta build` and volta.config.yaml: validation (one typed problem per bad key, naming
// the key and its line), the build itself (package layout, incremental by fingerprint),
// its progress (plain lines, a redrawn table on a terminal) and --json.
import { copyFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../compiler/cli/project/config.ts';
import { main } from '../compiler/cli.ts';
import { isVoltaError, type VoltaError } from '../runtime/index.ts';

const MODEL = new URL('../examples/mlp/mlp.onnx', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'volta-build-'));
copyFileSync(MODEL, join(dir, 'mlp.onnx'));
const cache = join(dir, 'cache');

function config(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

function problems(file: string): VoltaError[] {
  try {
    loadConfig(file);
  } catch (e) {
    if (!isVoltaError(e, 'VOLTA_E_BAD_CONFIG')) throw e;
    return e.problems.length ? [...e.problems] : [e];
  }
  throw new Error('the config was accepted');
}

async function cli(argv: string[], isTTY = false): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t), isTTY });
  return { code, out, err };
}

describe('volta.config.yaml validation', () => {
  it('reports every unknown key, wrong type and missing file, each with its key and line', () => {
    const f = config(
      'bad.yaml',
      `outDir: out
extra: 1
models:
  - name: digits
    path: mlp.onnx
    target: [c, tpu]
    mode: fast
    threads: two
  - name: 9lives
    path: nowhere.onnx
    inputShapes: { input: [1, -3] }
    colour: blue
`,
    );
    const got = problems(f).map((p) => [p.details.key, p.details.line]);
    expect(got).toEqual([
      ['extra', 2],
      ['models[0].target', 6],
      ['models[0].mode', 7],
      ['models[0].threads', 8],
      ['models[1].colour', 12],
      ['models[1].name', 9],
      ['models[1].path', 10],
      ['models[1].inputShapes.input', 11],
    ]);
    for (const p of problems(f)) expect(p.message).toMatch(new RegExp(`^\\[VOLTA_E_BAD_CONFIG\\] ${f.replace(/[.]/g, '\\.')}:\\d+: `));
  });

  it('missing outDir/models, a non-mapping and broken YAML are typed errors too', () => {
    expect(problems(config('empty.yaml', 'models: []\n')).map((p) => p.details.key)).toEqual(['outDir', 'models']);
    expect(problems(config('list.yaml', '- a\n- b\n'))[0].details.key).toBe('(top level)');
    expect(problems(config('syntax.yaml', 'outDir: [unclosed\n'))[0].message).toMatch(/VOLTA_E_BAD_CONFIG/);
    expect(problems(config('dup.yaml', 'outDir: o\nmodels:\n  - { name: a, path: mlp.onnx }\n  - { name: a, path: mlp.onnx }\n'))[0].details.key).toBe(
      'models[1].name',
    );
  });

  it('the CLI prints the problems and exits 1', async () => {
    const r = await cli(['build', '--config', join(dir, 'bad.yaml')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/VOLTA_E_BAD_CONFIG.*8 problems/);
    expect(r.err).toMatch(/models\[1\]\.path: "nowhere\.onnx": no such file/);
  });
});

describe('volta build', () => {
  const f = config('volta.config.yaml', 'outDir: gen\nmodels:\n  - name: digits\n    path: mlp.onnx\n    inputShapes: { input: [1, 784] }\n');

  it('writes the package, then finds it unchanged and rewrites nothing; --json and the terminal display', async () => {
    const first = await cli(['build', '--config', f, '--cache', cache]);
    expect(first.code, first.err).toBe(0);
    for (const stage of ['import', 'passes', 'codegen', 'cc']) expect(first.out).toMatch(new RegExp(`^digits \\(c\\): ${stage} [\\d.]+ ms$`, 'm'));
    expect(first.out).toMatch(/^digits: wrote .*gen\/digits$/m);
    const pkg = join(dir, 'gen', 'digits');
    const manifest = JSON.parse(readFileSync(join(pkg, 'volta-build.json'), 'utf8'));
    expect(Object.keys(manifest.files).sort()).toEqual(['c/addon.cc', 'c/model.c', 'c/volta.node', 'c/weights.bin', 'index.d.ts', 'index.js', 'package.json']);
    const stamp = statSync(join(pkg, 'index.js')).mtimeMs;

    const again = await cli(['build', '--config', f, '--cache', cache, '--json']);
    const j = JSON.parse(again.out);
    expect(Object.keys(j)).toEqual(['config', 'outDir', 'models', 'totalMs']);
    expect(j.models[0]).toMatchObject({ name: 'digits', cacheHit: true, targets: [{ target: 'c' }] });
    expect(j.models[0].targets[0].fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(join(pkg, 'index.js')).mtimeMs).toBe(stamp);

    // A damaged output is rebuilt even though the fingerprint is unchanged.
    writeFileSync(join(pkg, 'index.js'), '// edited\n');
    const tty = await cli(['build', '--config', f, '--cache', cache], true);
    const ESC = String.fromCharCode(27);
    expect(tty.out).toMatch(new RegExp(`${ESC}\\[\\d+A`));
    expect(tty.out).toMatch(new RegExp(`${ESC}\\[2Kdigits \\(c\\)\\s+import [\\d.]+ ms {2}passes`));
    expect(tty.out).toMatch(/✓ wrote/);
    expect(readFileSync(join(pkg, 'index.js'), 'utf8')).toMatch(/export async function load/);
  });
});
