// The volta command, driven in-process through main(argv, io): each subcommand's
// output, files and exit codes, and the .npy reader it uses for inputs.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../compiler/cli.ts';
import { makeTensor } from '../compiler/ir/tensor.ts';
import { OnnxWriter } from '../compiler/onnx/writer.ts';
import { readNpy } from '../runtime/npy.ts';

const MODEL = new URL('../examples/mlp/mlp.onnx', import.meta.url).pathname;
const cache = join(tmpdir(), 'volta-cli-cache');

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

/** A version-1 .npy file: magic, header dict padded to 64 bytes, little-endian data. */
function npy(descr: string, shape: number[], data: ArrayBufferView, fortran = false): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
  const head = new Uint8Array(10 + header.length);
  head.set([0x93, ...Buffer.from('NUMPY'), 1, 0, header.length & 0xff, header.length >> 8]);
  head.set(Buffer.from(header, 'latin1'), 10);
  return Buffer.concat([head, Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

describe('volta CLI', () => {
  it('--help lists the commands, and each command has its own --help', async () => {
    const top = await cli('--help');
    expect(top.code).toBe(0);
    for (const c of ['compile', 'run', 'inspect']) {
      expect(top.out).toContain(c);
      const h = await cli(c, '--help');
      expect(h.code).toBe(0);
      expect(h.out).toMatch(new RegExp(`volta ${c}`));
    }
  });

  it('run prints outputs, fingerprint, cache miss then hit, and timings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'volta-cli-run-'));
    const first = await cli('run', MODEL, '--example', '--cache', dir);
    expect(first.code, first.err).toBe(0);
    expect(first.out).toMatch(/fingerprint\s+[0-9a-f]{64}/);
    expect(first.out).toMatch(/cache\s+miss/);
    expect(first.out).toMatch(/probs\s+float32 \[1,10\]/);
    expect(first.out).toMatch(/build-cc/);
    const second = await cli('run', MODEL, '--example', '--cache', dir);
    expect(second.out).toMatch(/cache\s+hit/);
    expect(second.out).not.toMatch(/build-cc/);
  });

  it('run takes .npy inputs and rejects bad ones with a typed error and exit code 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'volta-cli-npy-'));
    const good = join(dir, 'x.npy');
    writeFileSync(good, npy('<f4', [1, 784], new Float32Array(784).fill(0.25)));
    const ok = await cli('run', MODEL, '--input', `input=${good}`, '--cache', cache);
    expect(ok.code, ok.err).toBe(0);
    const wrong = join(dir, 'w.npy');
    writeFileSync(wrong, npy('<f4', [2, 784], new Float32Array(1568)));
    const bad = await cli('run', MODEL, '--input', `input=${wrong}`, '--cache', cache);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^\[VOLTA_E_BAD_INPUT\]/);
  });

  it('--bind fixes an input that decides shapes; without it compile says how, run specialises, inspect notes NaN', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'volta-cli-bind-'));
    const w = new OnnxWriter('bind', 17);
    const shape = w.input('shape', 'int64', [2]);
    const nan = w.initializer('k', makeTensor('float32', [6], [1, 2, Number.NaN, 4, 5, 6]));
    w.output(w.op('Reshape', [nan, shape], {}, 'y'));
    const model = join(dir, 'm.onnx');
    writeFileSync(model, w.bytes());
    const file = join(dir, 'shape.npy');
    writeFileSync(file, npy('<i8', [2], BigInt64Array.from([2n, 3n])));
    const refused = await cli('compile', model, '-o', join(dir, 'out'), '--cache', cache);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/^\[VOLTA_E_DYNAMIC_SHAPE\] input "shape" decides shapes/);
    expect(refused.err).toContain('--bind shape=file.npy');
    const compiled = await cli('compile', model, '-o', join(dir, 'out'), '--bind', `shape=${file}`, '--cache', cache);
    expect(compiled.code, compiled.err).toBe(0);
    expect(compiled.out).toContain('note: constant "k" holds NaN (1 of 6 elements, first at element 2)');
    const inspected = await cli('inspect', model, '--bind', `shape=${file}`, '--json');
    expect(JSON.parse(inspected.out)).toMatchObject({ inputs: [], outputs: [{ name: 'y', shape: [2, 3] }], notes: [expect.stringContaining('holds NaN')] });
    const ran = await cli('run', model, '--input', `shape=${file}`, '--cache', cache);
    expect(ran.code, ran.err).toBe(0);
    expect(ran.out).toMatch(/specialised\s+on shape=\[2,3\]/);
    expect(ran.out).toMatch(/y\s+float32 \[2,3\]/);
    const twice = await cli('inspect', model, '--bind', `shape=${file}`, '--bind', `shape=${file}`);
    expect(twice.code).toBe(1);
    expect(twice.err).toMatch(/^\[VOLTA_E_BAD_OPTION\] --bind names "shape" twice/);
  });

  it('compile writes sources, weights, plan and the addon', async () => {
    const out = mkdtempSync(join(tmpdir(), 'volta-cli-out-'));
    const r = await cli('compile', MODEL, '-o', out, '--cache', cache);
    expect(r.code, r.err).toBe(0);
    for (const f of ['model.c', 'model.cu', 'addon.cc', 'weights.bin', 'plan.json', 'volta.node']) expect(existsSync(join(out, f)), f).toBe(true);
    const plan = JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8'));
    expect(JSON.stringify(plan)).toContain(r.out.match(/[0-9a-f]{64}/)![0]);
    // Target c runs no nvcc unless asked.
    expect(r.out).not.toMatch(/nvcc/);
    expect(existsSync(join(out, 'model_cuda.o'))).toBe(false);
  });

  it('inspect shows passes with rewrites, kernels and the fingerprint; --compare names the first divergent pass', async () => {
    const r = await cli('inspect', MODEL, '--passes');
    expect(r.code, r.err).toBe(0);
    for (const p of ['infer-shapes', 'canonicalize', 'fold-constants', 'eliminate-dead-code', 'fuse-elementwise']) expect(r.out).toContain(p);
    expect(r.out).toContain('gemm-pretranspose-b');
    expect(r.out).toMatch(/[0-9a-f]{64}/);
    const same = await cli('inspect', MODEL, '--compare', MODEL);
    expect(same.code).toBe(0);
    expect(same.out).toMatch(/no pass diverges|identical|none/i);
    const json = await cli('inspect', MODEL, '--json');
    expect(JSON.parse(json.out).fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it("run --target cuda-cpu runs the CUDA source on the CPU and prints the C target's outputs", async () => {
    const cpu = await cli('run', MODEL, '--target', 'cuda-cpu', '--cache', cache, '--json');
    const c = await cli('run', MODEL, '--target', 'c', '--cache', cache, '--json');
    expect(cpu.code, cpu.err).toBe(0);
    const [jc, jcpu] = [JSON.parse(c.out), JSON.parse(cpu.out)];
    expect(jcpu.backend).toBe('cuda-cpu');
    expect(jcpu.outputs).toEqual(jc.outputs);
    const human = await cli('run', MODEL, '--target', 'cuda-cpu', '--cache', cache);
    expect(human.out).toMatch(/backend\s+cuda-cpu \(target cuda-cpu, mode strict/);
    const guarded = await cli('run', MODEL, '--target', 'cuda-cpu', '--memory-guard', '--cache', cache, '--json');
    expect(guarded.code, guarded.err).toBe(0);
    expect(JSON.parse(guarded.out).outputs).toEqual(jc.outputs);
    expect(JSON.parse(guarded.out).fingerprint).not.toBe(jcpu.fingerprint);
  });

  it('user errors exit 1 with the code first; unknown commands and flags too', async () => {
    const missing = await cli('run', join(tmpdir(), 'no-such-model.onnx'));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^\[VOLTA_E_BAD_MODEL\]/);
    const strict = await cli('run', MODEL, '--target', 'cuda', '--cache', cache);
    expect(strict.code).toBe(1);
    expect(strict.err).toMatch(/^\[VOLTA_E_NO_CUDA_DEVICE\]/);
    expect((await cli('frobnicate')).code).toBe(1);
    const flag = await cli('run', MODEL, '--no-such-flag');
    expect(flag.code).toBe(1);
    expect(flag.err).toMatch(/^\[VOLTA_E_BAD_OPTION\]/);
  });
});

describe('.npy reader', () => {
  it('reads float32, int64, int32 and bool in C order', () => {
    expect(Array.from(readNpy(npy('<f4', [2], new Float32Array([1.5, -2]))).data as Float32Array)).toEqual([1.5, -2]);
    expect(Array.from(readNpy(npy('<i8', [2], new BigInt64Array([3n, -4n]))).data as BigInt64Array)).toEqual([3n, -4n]);
    expect(readNpy(npy('<i4', [1, 2], new Int32Array([7, 8]))).dims).toEqual([1, 2]);
    expect(readNpy(npy('|b1', [3], new Uint8Array([1, 0, 1]))).type).toBe('bool');
  });

  it('rejects float64, big-endian, Fortran order and garbage with VOLTA_E_BAD_INPUT', () => {
    const cases = [
      npy('<f8', [1], new Float64Array([1])),
      npy('>f4', [1], new Float32Array([1])),
      npy('<f4', [2, 2], new Float32Array(4), true),
      new Uint8Array([1, 2, 3]),
      npy('<f4', [3], new Float32Array(2)),
    ];
    for (const c of cases) expect(() => readNpy(c)).toThrow(/VOLTA_E_BAD_INPUT/);
  });
});
