// Volta as a dependency: `npm pack` (which builds dist/ through `prepare`), the tarball
// installed offline into a fresh project, then used from there as a user would: a plain
// .mjs file imports 'volta' and compiles and runs a model, and `npx volta` works.
// Packing and installing are the expensive part, so they happen once for the whole file.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
