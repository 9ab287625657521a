// Bad models, options and feeds: each must end in a typed VoltaError with the
// right code (never a crash or an untyped throw), and the process and any open
// session must keep working afterwards.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OnnxModel } from '../compiler/onnx/proto.ts';
import { encodeModel } from '../compiler/onnx/proto.ts';
import { cudaStatus } from '../runtime/cuda_probe.ts';
import { ERROR_CODES, GraphBuilder, isVoltaError, type Session, Tensor, Volta, type VoltaError } from '../runtime/index.ts';
import { identifiers, splitSource } from './helpers/c_source.ts';
import { HOSTILE, HOSTILE_ESCAPED, hostileMlpBytes } from './helpers/hostile.ts';
import { feedsFor, kernelGraphs, mlp } from './helpers/models.ts';
import { graphToOnnx, graphToOnnxBytes } from './helpers/onnx.ts';

const cacheDir = join(tmpdir(), 'volta-test-bad-input');
const MLP_BYTES = graphToOnnxBytes(mlp());

/** The error f throws; fails the test if it returns or throws anything but a VoltaError. */
async function voltaError(f: () => unknown): Promise<VoltaError> {
  let thrown: unknown;
  try {
    await f();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, 'expected a VoltaError, got no error').toBeDefined();
  if (!isVoltaError(thrown)) throw new Error(`expected a VoltaError, got ${String(thrown)}`, { cause: thrown });
  expect(Object.keys(ERROR_CODES)).toContain(thrown.code);
  return thrown;
}

/** The MLP as an OnnxModel, edited by `edit`, encoded. */
function mlpWith(edit: (m: OnnxModel) => void): Uint8Array {
  const m = graphToOnnx(mlp());
  edit(m);
  return encodeModel(m);
}

function setFloat(m: OnnxModel, initializer: string, index: number, value: number): void {
  const t = m.graph.initializer.find((x) => x.name === initializer)!;
  const raw = new Uint8Array(t.rawData!);
  new DataView(raw.buffer).setFloat32(index * 4, value, true);
  t.rawData = raw;
}

let mlpSession: Promise<Session> | undefined;
const session = () => (mlpSession ??= Volta.compile(mlp(), { cacheDir }));

let baseline: Buffer | undefined;

/** The shared session runs, and gives the same bits as on its first run. */
async function stillRuns(): Promise<void> {
  const s = await session();
  const probs = s.runSync(feedsFor(mlp(), 1)).probs.data as Float32Array;
  expect(Math.abs(probs.reduce((x, y) => x + y, 0) - 1)).toBeLessThan(1e-5);
  const bits = Buffer.from(probs.buffer, probs.byteOffset, probs.byteLength);
  baseline ??= bits;
  expect(bits.equals(baseline)).toBe(true);
}

describe('malformed model bytes', () => {
  const cuts = [0, 1, 2, 5, 17, 100, 4096, MLP_BYTES.length >> 1, MLP_BYTES.length - 10, MLP_BYTES.length - 1];
  for (const cut of cuts) {
    it(`truncated to ${cut} of ${MLP_BYTES.length} bytes: VOLTA_E_BAD_MODEL`, async () => {
      const e = await voltaError(() => Volta.compileOnly(MLP_BYTES.slice(0, cut)));
      expect(e.code).toBe('VOLTA_E_BAD_MODEL');
    });
  }

  it('random bytes (100 runs): always a typed VoltaError, never an untyped throw', () => {
    const codes = new Set<string>();
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 2048 }), (bytes) => {
        let thrown: unknown;
        try {
          Volta.compileOnly(bytes);
        } catch (e) {
          thrown = e;
        }
        if (!isVoltaError(thrown)) throw new Error(`not a VoltaError: ${String(thrown)}`);
        codes.add(thrown.code);
      }),
      { numRuns: 100, seed: 20240611 },
    );
    // Random bytes are almost always not protobuf at all; any other code must still be typed.
    expect(codes.has('VOLTA_E_BAD_MODEL')).toBe(true);
  });

  it('byte mutations of valid small models (200 runs): compile, or a typed VoltaError', () => {
    const seeds = kernelGraphs().map((k) => graphToOnnxBytes(k.graph));
    fc.assert(
      fc.property(fc.nat(seeds.length - 1), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (which, edits) => {
        const b = seeds[which].slice();
        for (const [at, v] of edits) b[at % b.length] = v;
        try {
          Volta.compileOnly(b).source('c');
        } catch (e) {
          if (!isVoltaError(e) || e.code === 'VOLTA_E_INTERNAL') throw new Error(`untyped or internal error: ${String(e)}`);
        }
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});

describe('bad nodes and attributes', () => {
  it('Gemm transA=2: VOLTA_E_UNSUPPORTED_ATTR naming the node', async () => {
    const bytes = mlpWith((m) => {
      m.graph.node.find((n) => n.name === 'fc1')!.attribute.find((a) => a.name === 'transA')!.i = 2;
    });
    const e = await voltaError(() => Volta.compileOnly(bytes));
    expect(e.code).toBe('VOLTA_E_UNSUPPORTED_ATTR');
    expect(e.details.node).toBe('fc1');
  });

  it('an unknown attribute: VOLTA_E_UNSUPPORTED_ATTR', async () => {
    const bytes = mlpWith((m) => {
      m.graph.node.find((n) => n.name === 'relu1')!.attribute.push({ name: 'not_an_attr', type: 2, i: 1 });
    });
    const e = await voltaError(() => Volta.compileOnly(bytes));
    expect(e.code).toBe('VOLTA_E_UNSUPPORTED_ATTR');
    expect(e.message).toContain('not_an_attr');
  });

  it('an unsupported op: VOLTA_E_UNSUPPORTED_OP', async () => {
    const bytes = mlpWith((m) => {
      m.graph.node.find((n) => n.name === 'relu1')!.opType = 'NonMaxSuppression';
    });
    const e = await voltaError(() => Volta.compileOnly(bytes));
    expect(e.code).toBe('VOLTA_E_UNSUPPORTED_OP');
    expect(e.details.node).toBe('relu1');
  });

  it('two unsupported ops: VOLTA_E_IMPORT listing each node', async () => {
    const bytes = mlpWith((m) => {
      m.graph.node.find((n) => n.name === 'relu1')!.opType = 'NonMaxSuppression';
      m.graph.node.find((n) => n.name === 'probs')!.opType = 'NotAnOnnxOp';
    });
    const e = await voltaError(() => Volta.compileOnly(bytes));
    expect(e.code).toBe('VOLTA_E_IMPORT');
    // Structured on the error itself, so tools can act on each problem.
    const problems = e.problems.map((p) => [p.code, p.node, p.op]);
    expect(problems).toEqual([
      ['VOLTA_E_UNSUPPORTED_OP', 'relu1', 'NonMaxSuppression'],
      ['VOLTA_E_UNSUPPORTED_OP', 'probs', 'NotAnOnnxOp'],
    ]);
    expect(JSON.parse(JSON.stringify(e.problems.map((p) => ({ code: p.code, node: p.node, op: p.op }))))[1]).toEqual({
      code: 'VOLTA_E_UNSUPPORTED_OP',
      node: 'probs',
      op: 'NotAnOnnxOp',
    });
    expect(e.message).toContain('relu1');
    expect(e.message).toContain('probs');
  });
});

describe('C-hostile names', () => {
  const hostileBytes = hostileMlpBytes();

  it('compile and run bit-identically to the plain model', async () => {
    const s = await Volta.compile(hostileBytes, { cacheDir });
    const feeds = feedsFor(mlp(), 2);
    const got = s.runSync(feeds).probs.data;
    const want = (await session()).runSync(feeds).probs.data;
    expect(Buffer.from(got.buffer).equals(Buffer.from(want.buffer))).toBe(true);
  });

  for (const backend of ['c', 'cuda'] as const) {
    it(`reach generated ${backend} source only inside comments, escaped`, () => {
      const src = Volta.compileOnly(hostileBytes).source(backend);
      const { code, comments, strings } = splitSource(src);
      for (const h of HOSTILE) expect(code.includes(h), JSON.stringify(h)).toBe(false);
      // Outside comments: printable ASCII only, no identifier from the names, plain string literals.
      expect(code).toMatch(/^[\x20-\x7e\n]*$/);
      for (const bad of ['system', 'evil', 'evil2', 'line1', 'line2', 'trailing']) expect(identifiers(code).has(bad), bad).toBe(false);
      for (const s of strings) expect(s).toMatch(/^[A-Za-z0-9_ .,:%()-]*$/);
      // Every name did reach a comment, in its escaped form.
      const text = comments.join('\n');
      for (const h of HOSTILE_ESCAPED) expect(text, h).toContain(h);
    });
  }
});

describe('bad shapes and constants', () => {
  it('a dim of 2^40 on an input (GraphBuilder): VOLTA_E_SHAPE_TOO_LARGE', async () => {
    const e = await voltaError(() => new GraphBuilder('big').input('x', 'float32', [2 ** 40, 4]));
    expect(e.code).toBe('VOLTA_E_SHAPE_TOO_LARGE');
  });

  // The refusal itself leads, and consumers of a refused input or initializer are
  // skipped quietly, so the refusal's own code is also the top-level code.
  const inputCases: [string, (number | string | null)[], string][] = [
    ['a dim of 2^40', [2 ** 40, 784], 'VOLTA_E_SHAPE_TOO_LARGE'],
    ['a negative dim', [-1, 784], 'VOLTA_E_SHAPE'],
    ['a symbolic dim', ['N', 784], 'VOLTA_E_DYNAMIC_SHAPE'],
    ['an unknown dim', [null, 784], 'VOLTA_E_DYNAMIC_SHAPE'],
  ];
  for (const [what, dims, code] of inputCases) {
    const bytes = mlpWith((m) => {
      m.graph.input[0].dims = dims;
    });
    it(`${what} on an ONNX input: the input's own problem comes first (${code})`, async () => {
      const e = await voltaError(() => Volta.compileOnly(bytes));
      const first = e.code === 'VOLTA_E_IMPORT' ? e.details.problems![0] : e;
      expect(first.code).toBe(code);
      expect(first.message).toContain('"input"');
    });
    it(`${what} on an ONNX input: top-level ${code}, no cascade`, async () => {
      const e = await voltaError(() => Volta.compileOnly(bytes));
      expect(e.code).toBe(code);
    });
  }

  it('a dynamic dim fixed with inputShapes compiles', () => {
    const bytes = mlpWith((m) => {
      m.graph.input[0].dims = ['N', 784];
    });
    expect(Volta.compileOnly(bytes, { inputShapes: { input: [1, 784] } }).fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  // Non-finite constants are data, in both modes: strict promises no silent fallback and
  // deterministic bits, not the absence of IEEE special values.
  const nanBytes = mlpWith((m) => setFloat(m, 'fc2.bias', 3, Number.NaN));
  const infBytes = mlpWith((m) => setFloat(m, 'fc2.bias', 3, Number.NEGATIVE_INFINITY));

  for (const mode of ['strict', 'balanced'] as const) {
    it(`NaN in an initializer, ${mode}: accepted, noted, and it runs`, async () => {
      const s = await Volta.compile(nanBytes, { mode, cacheDir });
      expect(s.report().notes.join('\n')).toMatch(/constant "fc2\.bias" holds NaN \(1 of 10 elements, first at element 3\)/);
      const probs = s.runSync(feedsFor(mlp(), 1)).probs.data as Float32Array;
      expect(probs.every((x) => Number.isNaN(x))).toBe(true); // a NaN logit poisons the softmax sum
    });

    it(`-Infinity in an initializer, ${mode}: accepted without a note, and it runs`, async () => {
      const s = await Volta.compile(infBytes, { mode, cacheDir });
      expect(s.report().notes).toEqual([]);
      const probs = s.runSync(feedsFor(mlp(), 1)).probs.data as Float32Array;
      // a -inf logit is a masked class: probability exactly 0, the rest still sums to 1.
      expect(probs[3]).toBe(0);
      expect(Math.abs(probs.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
    });
  }
});

describe('bad options', () => {
  it('an unknown compile option: VOLTA_E_BAD_OPTION (compileOnly and compile)', async () => {
    const opts = { target: 'c', optimise: true } as never;
    expect((await voltaError(() => Volta.compileOnly(MLP_BYTES, opts))).code).toBe('VOLTA_E_BAD_OPTION');
    expect((await voltaError(() => Volta.compile(MLP_BYTES, opts))).code).toBe('VOLTA_E_BAD_OPTION');
  });

  it('bad option values: VOLTA_E_BAD_OPTION', async () => {
    for (const opts of [{ target: 'tpu' }, { mode: 'fast' }, { disablePasses: ['no-such-pass'] }] as never[]) {
      expect((await voltaError(() => Volta.compileOnly(MLP_BYTES, opts))).code).toBe('VOLTA_E_BAD_OPTION');
    }
  });
});

describe('bad feeds at run time', () => {
  const good = () => new Tensor('float32', new Float32Array(784), [1, 784]);
  const cases: [string, Record<string, unknown>][] = [
    ['a wrong input name', { inputs: good() }],
    ['an extra input', { input: good(), extra: good() }],
    ['no inputs', {}],
    ['a wrong dtype', { input: new Tensor('int32', new Int32Array(784), [1, 784]) }],
    ['a wrong shape', { input: new Tensor('float32', new Float32Array(784), [784]) }],
    ['a transposed shape', { input: new Tensor('float32', new Float32Array(784), [784, 1]) }],
    ['data shorter than its dims', { input: { type: 'float32', data: new Float32Array(10), dims: [1, 784] } }],
    ['data of the wrong array type', { input: { type: 'float32', data: new Float64Array(784), dims: [1, 784] } }],
  ];
  for (const [what, feeds] of cases) {
    it(`${what}: VOLTA_E_BAD_INPUT, and the session keeps working`, async () => {
      await stillRuns();
      const s = await session();
      const e = await voltaError(() => s.runSync(feeds as never));
      expect(e.code).toBe('VOLTA_E_BAD_INPUT');
      await stillRuns();
    });
  }
});

// Whether this machine has a usable CUDA device decides which of the cases below apply.
const cuda = await cudaStatus(cacheDir);

describe("target 'cuda' without a usable device", () => {
  const g = mlp();

  it.skipIf(cuda.devices > 0)('strict: VOLTA_E_NO_CUDA_DEVICE (this machine has no CUDA device)', async () => {
    await stillRuns();
    const e = await voltaError(() => Volta.compile(g, { target: 'cuda', mode: 'strict', cacheDir }));
    expect(e.code).toBe('VOLTA_E_NO_CUDA_DEVICE');
    await stillRuns();
  });

  it.skipIf(cuda.devices > 0)('balanced: runs the C code and the report says why', async () => {
    const s = await Volta.compile(g, { target: 'cuda', mode: 'balanced', cacheDir });
    const r = s.report();
    expect(r.requestedTarget).toBe('cuda');
    expect(r.backend).toBe('c');
    expect(r.fallback).toMatchObject({ from: 'cuda', to: 'c' });
    expect(r.fallback!.reason).toBe(cuda.reason);
    expect(r.fallback!.reason.length).toBeGreaterThan(0);
    // The same bits as a balanced C session (balanced mode may contract to FMA, so not those of strict mode).
    const feeds = feedsFor(g, 1);
    const want = (await Volta.compile(g, { target: 'c', mode: 'balanced', cacheDir })).runSync(feeds).probs.data;
    expect(Buffer.from(s.runSync(feeds).probs.data.buffer).equals(Buffer.from(want.buffer))).toBe(true);
  });

  it.skipIf(cuda.devices === 0)('with a CUDA device, strict cuda runs on it', async () => {
    const s = await Volta.compile(g, { target: 'cuda', mode: 'strict', cacheDir });
    expect(s.report().backend).toBe('cuda');
    expect(s.report().fallback).toBeUndefined();
  });
});
