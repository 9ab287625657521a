// The CLI conveniences: --json on every command (the keys docs/CLI_JSON.md promises),
// --input-shape, and run --profile (per-kernel times from a profiled build).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../compiler/cli.ts';
import { encodeModel } from '../compiler/onnx/proto.ts';
import { GraphBuilder } from '../runtime/index.ts';
import { graphToOnnx } from './helpers/onnx.ts';

const MODEL = new URL('../examples/mlp/mlp.onnx', import.meta.url).pathname;
const cache = mkdtempSync(join(tmpdir(), 'volta-cli-json-'));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

async function json(...argv: string[]): Promise<Record<string, unknown>> {
  const r = await cli(...argv, '--json');
  expect(r.code, r.err).toBe(0);
  return JSON.parse(r.out);
}

describe('--json', () => {
  it('compile, run and inspect print one object with the documented keys', async () => {
    const out = mkdtempSync(join(tmpdir(), 'volta-cli-json-out-'));
    const c = await json('compile', MODEL, '-o', out, '--cache', cache);
    expect(Object.keys(c)).toEqual(['model', 'target', 'mode', 'fingerprint', 'outDir', 'files', 'cacheHit', 'addonPath', 'dumped', 'timings']);
    expect(c.files).toContain('volta.node');
    const r = await json('run', MODEL, '--example', '--cache', cache);
    expect(Object.keys(r)).toEqual([
      'model',
      'backend',
      'requestedTarget',
      'mode',
      'fallback',
      'fingerprint',
      'cacheHit',
      'addonPath',
      'inputs',
      'outputs',
      'notes',
      'timings',
      'run',
    ]);
    expect(r.fingerprint).toBe(c.fingerprint);
    expect(r.cacheHit).toBe(true);
    const [probs] = r.outputs as { name: string; dtype: string; shape: number[]; data: number[] }[];
    expect(probs).toMatchObject({ name: 'probs', dtype: 'float32', shape: [1, 10] });
    expect(probs.data).toHaveLength(10);
    const i = await json('inspect', MODEL);
    expect(i.fingerprint).toBe(c.fingerprint);
    expect(Object.keys(i)).toContain('kernels');
  });

  it('an error is a JSON object too, with the stable code, and exit status 1', async () => {
    const r = await cli('run', join(cache, 'missing.onnx'), '--json');
    expect(r.code).toBe(1);
    const e = JSON.parse(r.out).error;
    expect(e.code).toBe('VOLTA_E_BAD_MODEL');
    expect(e.message).toMatch(/^\[VOLTA_E_BAD_MODEL\]/);
    expect(r.err).toMatch(/VOLTA_E_BAD_MODEL/);
  });
});

describe('--input-shape', () => {
  // A model whose input has a symbolic batch: it compiles only once the shape is fixed.
  const dynamic = join(cache, 'dynamic.onnx');
  const b = new GraphBuilder('dyn');
  b.output(b.op('Relu', [b.input('x', 'float32', [1, 3])]));
  const m = graphToOnnx(b.build());
  m.graph.input[0].dims = ['N', 3];
  m.graph.output[0].dims = ['N', 3];
  writeFileSync(dynamic, encodeModel(m));

  it('fixes a symbolic dimension on run and inspect; a bad spec or unknown name is a typed error', async () => {
    const bad = await cli('inspect', dynamic);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/VOLTA_E_DYNAMIC_SHAPE/);
    const i = await json('inspect', dynamic, '--input-shape', 'x=4,3');
    expect(i.inputs).toEqual([{ name: 'x', dtype: 'float32', shape: [4, 3] }]);
    const r = await json('run', dynamic, '--input-shape', 'x=2,3', '--cache', cache);
    expect((r.outputs as { shape: number[] }[])[0].shape).toEqual([2, 3]);
    const malformed = await cli('run', dynamic, '--input-shape', 'x=2,a');
    expect(malformed.err).toMatch(/VOLTA_E_BAD_OPTION.*--input-shape "x=2,a"/);
    const stray = await cli('inspect', dynamic, '--input-shape', 'x=2,3', '--input-shape', 'y=1');
    expect(stray.err).toMatch(/VOLTA_E_BAD_OPTION.*"y"/);
  });
});

describe('run --profile', () => {
  it('times each kernel of a profiled build; its outputs are the unprofiled build bits', async () => {
    const plain = await json('run', MODEL, '--example', '--cache', cache);
    const prof = await json('run', MODEL, '--example', '--cache', cache, '--profile', '--runs', '3');
    expect(prof.fingerprint).not.toBe(plain.fingerprint);
    expect((prof.outputs as { data: number[] }[])[0].data).toEqual((plain.outputs as { data: number[] }[])[0].data);
    const kernels = prof.profile as { kernel: string; medianNs: number; share: number }[];
    const inspect = await json('inspect', MODEL);
    expect(kernels).toHaveLength((inspect.kernels as unknown[]).length);
    for (const k of kernels) {
      expect(k.kernel).toMatch(/^k\d+_/);
      expect(k.medianNs).toBeGreaterThan(0);
    }
    expect(kernels.reduce((s, k) => s + k.share, 0)).toBeCloseTo(100, 5);
    const text = await cli('run', MODEL, '--example', '--cache', cache, '--profile');
    expect(text.out).toMatch(/profile \(median of 5 profiled runs/);
    expect(text.out).toContain(kernels[0].kernel);
    const cuda = await cli('run', MODEL, '--profile', '--target', 'cuda');
    expect(cuda.err).toMatch(/VOLTA_E_BAD_OPTION.*--profile/);
  });
});
