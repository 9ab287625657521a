// Volta as a dependency: `npm pack` (which builds dist/ through `prepare`), the tarball
// installed offline into a fresh project, then used from there as a user would: a plain
// .mjs file imports 'volta' and compiles and runs a model, and `npx volta` works.
// Then examples/model-project from a clean copy: `npm start` runs volta build and tsc, and
// tsc rejects wrong input names and types. Packing happens once for the whole file.
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { Volta } from '../runtime/index.ts';
import { installOffline, pack, ROOT } from './helpers/packed.ts';

const MODEL = join(ROOT, 'examples', 'mlp', 'mlp.onnx');
const work = mkdtempSync(join(tmpdir(), 'volta-package-'));
const project = join(work, 'consumer');
// A cache of its own: the installed package must build its addon from its own templates and headers.
const env = { ...process.env, VOLTA_CACHE_DIR: join(work, 'cache') };
const exec = promisify(execFile);
let tarball = '';

async function inProject(cmd: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return exec(cmd, args, { cwd: project, env, maxBuffer: 16 << 20 });
}

beforeAll(() => {
  tarball = pack(join(work, 'pack'));
  installOffline(project, tarball);
  copyFileSync(MODEL, join(project, 'mlp.onnx'));
});

describe('npm pack -> install -> use', () => {
  it('the tarball holds the built package and no TypeScript sources or tests', async () => {
    const { stdout } = await exec('tar', ['-tzf', tarball]);
    const files = stdout.split('\n').filter(Boolean);
    for (const f of [
      'package/dist/runtime/index.js',
      'package/dist/runtime/index.d.ts',
      'package/dist/compiler/cli/bin.js',
      'package/dist/compiler/bundle/cli.js',
      'package/dist/templates/c/model.hbs',
    ])
      expect(files).toContain(f);
    expect(files).toContain('package/dist/compiler/onnx/onnx.proto');
    expect(files.filter((f) => /\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('package/test/'))).toEqual([]);
    const dts = readFileSync(join(project, 'node_modules', 'volta', 'dist', 'runtime', 'index.d.ts'), 'utf8');
    expect(dts).not.toMatch(/from '\.[^']*\.ts'/);
  });

  it("a plain .mjs file imports { Volta, Tensor } from 'volta', compiles and runs the MLP with the source tree's fingerprint", async () => {
    writeFileSync(
      join(project, 'main.mjs'),
      `import { Tensor, Volta } from 'volta';
const session = await Volta.compile('mlp.onnx', { target: 'c' });
const { probs } = await session.run({ input: new Tensor('float32', new Float32Array(784).fill(0.5), [1, 784]) });
console.log(JSON.stringify({ fingerprint: session.fingerprint, cacheHit: session.report().cacheHit, dims: probs.dims, probs: Array.from(probs.data) }));
`,
    );
    const { stdout } = await inProject(process.execPath, ['main.mjs']);
    const r = JSON.parse(stdout) as { fingerprint: string; cacheHit: boolean; dims: number[]; probs: number[] };
    expect(r.cacheHit).toBe(false);
    expect(r.dims).toEqual([1, 10]);
    expect(r.fingerprint).toBe(Volta.compileOnly(MODEL, { target: 'c' }).fingerprint);
    const sum = r.probs.reduce((a, b) => a + b, 0);
    expect(Math.abs(sum - 1)).toBeLessThan(1e-5);
  });

  it('npx volta --help and npx volta run work in the project', async () => {
    const help = await inProject('npx', ['--offline', 'volta', '--help']);
    expect(help.stdout).toMatch(/^volta \d+\.\d+\.\d+/);
    const run = await inProject('npx', ['--offline', 'volta', 'run', 'mlp.onnx']);
    expect(run.stdout).toMatch(/probs\s+float32 \[1,10\]/);
    expect(run.stdout).toMatch(/cache\s+hit/);
  });
});

describe('examples/model-project from a clean copy', () => {
  // The copy keeps the example's layout (examples/model-project beside examples/mlp), with
  // "volta": "file:../.." pointed at the packed tarball instead of the repository.
  const examples = join(work, 'examples');
  const app = join(examples, 'model-project');
  const npm = (args: string[]) => exec('npm', args, { cwd: app, env, maxBuffer: 16 << 20 });

  beforeAll(() => {
    cpSync(join(ROOT, 'examples', 'mlp'), join(examples, 'mlp'), { recursive: true });
    cpSync(join(ROOT, 'examples', 'model-project'), app, {
      recursive: true,
      filter: (f) => !/[/\\](node_modules|generated|dist|\.volta-cache)$/.test(f),
    });
    installOffline(app, tarball);
  });

  it('npm start builds (volta build as prebuild, then tsc) and runs it; a second start rewrites nothing', async () => {
    const first = await npm(['start']);
    expect(first.stdout).toMatch(/digits \(c\): import [\d.]+ ms/);
    expect(first.stdout).toMatch(/digits \(c\): cc [\d.]+ ms/);
    expect(first.stdout).toMatch(/fingerprint matches the recorded one/);
    expect(first.stdout).toMatch(/class \d with probability 0\.\d{4}/);
    const gen = join(app, 'generated', 'digits');
    const dts = readFileSync(join(gen, 'index.d.ts'), 'utf8');
    expect(dts).toMatch(/export declare function load\(options\?: \{\s*target\?: DigitsTarget;?\s*\}\): Promise<DigitsModel>/);
    expect(dts).toMatch(/run\(inputs: DigitsInputs\): Promise<DigitsOutputs>/);
    expect(dts).toMatch(/float32 \[1,784\][^\n]*\n\s*readonly input: Float32Array/);
    expect(dts).toMatch(/float32 \[1,10\][^\n]*\n\s*probs: Float32Array/);
    const fp = Volta.compileOnly(MODEL, { target: 'c' }).fingerprint;
    expect(dts).toContain(fp);
    const stamp = statSync(join(gen, 'c', 'volta.node')).mtimeMs;
    const second = await npm(['start']);
    expect(second.stdout).toMatch(/digits: unchanged \(cache hit\), nothing written/);
    expect(statSync(join(gen, 'c', 'volta.node')).mtimeMs).toBe(stamp);
  });

  it('tsc rejects a wrong input name and a wrong typed-array type', async () => {
    const bad = {
      name: 'await m.run({ inptu: new Float32Array(784) });',
      type: 'await m.run({ input: new Float64Array(784) });',
    };
    for (const [k, call] of Object.entries(bad))
      writeFileSync(join(app, 'src', `bad_${k}.ts`), `import { load } from '../generated/digits/index.js';\nconst m = await load();\n${call}\n`);
    const tsc = await exec(join(app, 'node_modules', '.bin', 'tsc'), ['-p', '.', '--noEmit'], { cwd: app }).then(
      () => ({ stdout: '', code: 0 }),
      (e: { stdout: string; code: number }) => e,
    );
    expect(tsc.code).not.toBe(0);
    expect(tsc.stdout).toMatch(/bad_name\.ts\(3,\d+\): error TS\d+: .*'inptu' does not exist in type 'DigitsInputs'/);
    expect(tsc.stdout).toMatch(/bad_type\.ts\(3,\d+\): error TS2322: Type 'Float64Array.*' is not assignable to type 'Float32Array/);
    expect(tsc.stdout).not.toMatch(/main\.ts/);
  });

  it('load() refuses an addon whose fingerprint is not the one index.js recorded', async () => {
    const gen = join(app, 'generated', 'digits');
    const js = readFileSync(join(gen, 'index.js'), 'utf8');
    const fp = /"c": "([0-9a-f]{64})"/.exec(js)![1];
    writeFileSync(
      join(app, 'tampered.mjs'),
      `import { load } from './generated/digits/index.js';\ntry { await load(); console.log('loaded'); } catch (e) { console.log(e.message); }\n`,
    );
    const original = readFileSync(join(gen, 'index.js'));
    try {
      writeFileSync(join(gen, 'index.js'), js.replaceAll(fp, '0'.repeat(64)));
      const { stdout } = await exec(process.execPath, ['tampered.mjs'], { cwd: app });
      expect(stdout).toMatch(/^\[VOLTA_E_ADDON\] addon .*volta\.node has fingerprint [0-9a-f]{64}; supported: 0{64}/);
    } finally {
      writeFileSync(join(gen, 'index.js'), original);
    }
  });
});

describe('volta build with a list of targets, in the installed package', () => {
  it('builds c and cuda side by side; load() picks the target, and cuda without a device is a typed error', async () => {
    writeFileSync(join(project, 'two.yaml'), 'outDir: gen\nmodels:\n  - name: digits\n    path: mlp.onnx\n    target: [c, cuda]\n');
    const built = await inProject('npx', ['--offline', 'volta', 'build', '--config', 'two.yaml', '--json']);
    const [m] = JSON.parse(built.stdout).models as { targets: { target: string; fingerprint: string }[] }[];
    expect(m.targets.map((t) => t.target)).toEqual(['c', 'cuda']);
    expect(m.targets[0].fingerprint).not.toBe(m.targets[1].fingerprint);
    const dts = readFileSync(join(project, 'gen', 'digits', 'index.d.ts'), 'utf8');
    expect(dts).toContain(`readonly c: "${m.targets[0].fingerprint}"`);
    expect(dts).toContain(`readonly cuda: "${m.targets[1].fingerprint}"`);
    writeFileSync(
      join(project, 'two.mjs'),
      `import { load } from './gen/digits/index.js';
const input = new Float32Array(784).fill(0.5);
const c = await load({ target: 'c' });
const r = { c: c.fingerprint, probs: Array.from((await c.run({ input })).probs) };
try { r.cuda = Array.from((await (await load({ target: 'cuda' })).run({ input })).probs); } catch (e) { r.cudaError = e.message; }
console.log(JSON.stringify(r));
`,
    );
    const r = JSON.parse((await inProject(process.execPath, ['two.mjs'])).stdout) as { c: string; probs: number[]; cuda?: number[]; cudaError?: string };
    expect(r.c).toBe(m.targets[0].fingerprint);
    // Without a GPU (CI) loading the cuda build says so; on a GPU it gives the C backend's bits.
    if (r.cudaError !== undefined) expect(r.cudaError).toMatch(/^\[VOLTA_E_NO_CUDA_DEVICE\]/);
    else expect(r.cuda).toEqual(r.probs);
  });
});
