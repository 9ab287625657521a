// The ONNX protobuf layer: conformance fixtures decode, round trips are exact,
// and hostile bytes / tensors / external-data paths only ever yield typed errors.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DTYPES } from '../../compiler/ir/dtype.ts';
import { type ErrorCode, isVoltaError, type VoltaError } from '../../compiler/ir/errors.ts';
import { numel } from '../../compiler/ir/shape.ts';
import { makeTensor } from '../../compiler/ir/tensor.ts';
import { ATTR_TYPE, decodeModel, decodeTensor, encodeModel, encodeTensor, type OnnxModel, type OnnxTensor } from '../../compiler/onnx/proto.ts';
import { tensorFromProto, tensorToProto } from '../../compiler/onnx/tensor_proto.ts';

const NODE_DIR = fileURLToPath(new URL('../fixtures/onnx-node/node', import.meta.url));
const cases = readdirSync(NODE_DIR)
  .filter((c) => c.startsWith('test_'))
  .sort();
const modelBytes = (c: string): Uint8Array => readFileSync(path.join(NODE_DIR, c, 'model.onnx'));

/** Runs f and returns the VoltaError code it throws (undefined when it returns). Anything else fails the test. */
function codeOf(f: () => unknown): ErrorCode | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    if (!isVoltaError(e)) throw new Error(`untyped exception: ${String(e)}`, { cause: e });
    return e.code;
  }
}

function tensor(over: Partial<OnnxTensor>): OnnxTensor {
  return { name: 'w', dataType: 1, dims: [], dataLocation: 0, ...over };
}

// ---- protobuf wire helpers for hand-made hostile inputs ----------------------------

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 127) {
    out.push((n & 127) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}
const ld = (field: number, payload: number[]): number[] => [...varint((field << 3) | 2), ...varint(payload.length), ...payload];

describe('conformance fixtures', () => {
  it('has the expected case folders', () => {
    expect(cases.length).toBe(328);
  });

  it('decodes every model and data file; data matches the graph signature', () => {
    let tensors = 0;
    for (const c of cases) {
      const m = decodeModel(modelBytes(c));
      expect(m.graph.node.length, c).toBeGreaterThan(0);
      expect(m.opsetImport.length, c).toBeGreaterThan(0);
      const dataDir = path.join(NODE_DIR, c, 'test_data_set_0');
      for (const f of readdirSync(dataDir)) {
        const match = /^(input|output)_(\d+)\.pb$/.exec(f);
        if (match === null) continue;
        const t = decodeTensor(readFileSync(path.join(dataDir, f)));
        const td = tensorFromProto(t, { where: `${c}/${f}` });
        const vi = (match[1] === 'input' ? m.graph.input : m.graph.output)[Number(match[2])];
        expect(t.dataType, `${c}/${f}`).toBe(vi.elemType);
        expect(DTYPES[td.dtype].onnx).toBe(t.dataType);
        if (vi.dims?.every((d) => typeof d === 'number')) {
          expect(td.shape, `${c}/${f}`).toEqual(vi.dims);
        }
        expect(td.data.length).toBe(numel(td.shape));
        tensors++;
      }
      // Constant tensors inside attributes convert too.
      for (const n of m.graph.node) {
        for (const a of n.attribute) if (a.t !== undefined) tensorFromProto(a.t, { where: `${c} ${n.opType}.${a.name}` });
      }
    }
    expect(tensors).toBeGreaterThan(900);
  });

  it('reads known facts of test_abs', () => {
    const m = decodeModel(modelBytes('test_abs'));
    expect(m.irVersion).toBeGreaterThan(0);
    expect(m.opsetImport).toEqual([{ domain: '', version: 13 }]);
    expect(m.graph.node).toHaveLength(1);
    expect(m.graph.node[0]).toMatchObject({ opType: 'Abs', domain: '', input: ['x'], output: ['y'], attribute: [] });
    expect(m.graph.input).toEqual([{ name: 'x', elemType: 1, dims: [3, 4, 5] }]);
    expect(m.graph.output).toEqual([{ name: 'y', elemType: 1, dims: [3, 4, 5] }]);
    const x = tensorFromProto(decodeTensor(readFileSync(path.join(NODE_DIR, 'test_abs/test_data_set_0/input_0.pb'))), {});
    const y = tensorFromProto(decodeTensor(readFileSync(path.join(NODE_DIR, 'test_abs/test_data_set_0/output_0.pb'))), {});
    expect(x.dtype).toBe('float32');
    expect(x.shape).toEqual([3, 4, 5]);
    expect(Array.from(y.data as Float32Array)).toEqual(Array.from(x.data as Float32Array, Math.abs));
  });

  it('reads attributes of each kind', () => {
    const gemm = decodeModel(modelBytes('test_gemm_all_attributes')).graph.node[0];
    const attrs = Object.fromEntries(gemm.attribute.map((a) => [a.name, a]));
    expect(attrs.alpha).toMatchObject({ type: ATTR_TYPE.FLOAT });
    expect(typeof attrs.alpha.f).toBe('number');
    expect(attrs.transA).toMatchObject({ type: ATTR_TYPE.INT, i: 1 });
    expect(attrs.alpha.i).toBeUndefined();

    const constant = decodeModel(modelBytes('test_constant')).graph.node[0];
    expect(constant.opType).toBe('Constant');
    const value = constant.attribute.find((a) => a.name === 'value');
    expect(value?.type).toBe(ATTR_TYPE.TENSOR);
    const td = tensorFromProto(value?.t as OnnxTensor, { where: 'Constant value' });
    expect(td.dtype).toBe('float32');
    expect(td.data.length).toBe(numel(td.shape));
  });

  it('reads INTS attributes as numbers', () => {
    const m = decodeModel(modelBytes('test_averagepool_2d_strides'));
    const ks = m.graph.node[0].attribute.find((a) => a.name === 'kernel_shape');
    expect(ks).toMatchObject({ type: ATTR_TYPE.INTS, ints: [5, 5] });
  });
});

/** A deep copy without the decoder's presence records, to compare with hand-built models. */
function stripPresence<T>(x: T): T {
  return JSON.parse(
    JSON.stringify(x, (k, v) =>
      k === 'present' ? undefined : typeof v === 'bigint' ? { bigint: String(v) } : v instanceof Uint8Array ? { bytes: [...v] } : v,
    ),
    (_k, v) => (v && typeof v === 'object' && 'bytes' in v ? new Uint8Array(v.bytes) : v && typeof v === 'object' && 'bigint' in v ? BigInt(v.bigint) : v),
  );
}

describe('round trips', () => {
  it('decode(encode(decode(x))) equals decode(x) for every fixture model', () => {
    for (const c of cases) {
      const m = decodeModel(modelBytes(c));
      expect(decodeModel(encodeModel(m)), c).toEqual(m);
    }
  });

  it('keeps int64 exact and huge dims unsafe rather than wrapped', () => {
    const big = [2n ** 63n - 1n, -(2n ** 63n), -1n, 0n, 2n ** 53n + 1n];
    const t = tensor({ dataType: 7, dims: [5], int64Data: big });
    expect(decodeTensor(encodeTensor(t))).toEqual({ ...t, present: ['int64_data'] });
    expect(tensorFromProto(decodeTensor(encodeTensor(t))).data).toEqual(BigInt64Array.from(big));

    // A dim of 2^63 - 1 on the wire (hand-encoded varint) must not come back as a safe integer.
    const maxVarint = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f];
    const dims = decodeTensor(new Uint8Array([0x08, ...maxVarint, 0x10, 0x01])).dims;
    expect(dims).toHaveLength(1);
    expect(Number.isSafeInteger(dims[0])).toBe(false);
    expect(dims[0]).toBeGreaterThan(2 ** 62);
  });

  it('round-trips a hand-built model with every attribute kind and dim kind', () => {
    const w = tensorToProto('w', makeTensor('float32', [2, 2], [1, -2, 3.5, 0]));
    const m: OnnxModel = {
      irVersion: 9,
      opsetImport: [
        { domain: '', version: 21 },
        { domain: 'com.example', version: 1 },
      ],
      producerName: 'volta-test',
      producerVersion: '0.1',
      graph: {
        name: 'g',
        node: [
          {
            name: 'n0',
            opType: 'Foo',
            domain: 'com.example',
            input: ['x', '', 'w'],
            output: ['y'],
            attribute: [
              { name: 'f', type: ATTR_TYPE.FLOAT, f: 0 },
              { name: 'i', type: ATTR_TYPE.INT, i: -3 },
              { name: 'big', type: ATTR_TYPE.INT, i: 2 ** 60 },
              { name: 's', type: ATTR_TYPE.STRING, s: new TextEncoder().encode('NOTSET') },
              { name: 't', type: ATTR_TYPE.TENSOR, t: w },
              { name: 'fs', type: ATTR_TYPE.FLOATS, floats: [0.5, -1] },
              { name: 'is', type: ATTR_TYPE.INTS, ints: [] },
              { name: 'ss', type: ATTR_TYPE.STRINGS, strings: [new Uint8Array([97]), new Uint8Array(0)] },
              { name: 'ts', type: ATTR_TYPE.TENSORS, tensors: [w] },
            ],
          },
        ],
        initializer: [w, tensorToProto('empty', makeTensor('int64', [0, 3]))],
        input: [
          { name: 'x', elemType: 1, dims: [1, 'batch', null, 0] },
          { name: 'scalar', elemType: 9, dims: [] },
          { name: 'unranked', elemType: 6 },
        ],
        output: [{ name: 'y', elemType: 1, dims: [2, 2] }],
        valueInfo: [{ name: 'mid', elemType: 7, dims: [4] }],
      },
    };
    const back = decodeModel(encodeModel(m));
    // An empty raw_data is indistinguishable from none on the wire.
    const expected = structuredClone(m);
    delete expected.graph.initializer[1].rawData;
    // The decoder records which value fields were on the wire (for the checker); zero scalars and
    // empty lists are not (proto3), so they are not present.
    const present = back.graph.node[0].attribute.map((a) => [a.name, a.present]);
    expect(present).toEqual([
      ['f', []],
      ['i', ['i']],
      ['big', ['i']],
      ['s', ['s']],
      ['t', ['t']],
      ['fs', ['floats']],
      ['is', []],
      ['ss', ['strings']],
      ['ts', ['tensors']],
    ]);
    expect(back.graph.initializer.map((t) => t.present)).toEqual([['raw_data'], []]);
    expect(stripPresence(back)).toEqual(expected);
    expect(tensorFromProto(back.graph.initializer[0])).toEqual(makeTensor('float32', [2, 2], [1, -2, 3.5, 0]));
    expect(tensorFromProto(back.graph.initializer[1]).data.length).toBe(0);
  });

  it('tensorToProto / tensorFromProto round-trip every dtype', () => {
    const cases = [
      makeTensor('float32', [3], [1.5, -0, Number.POSITIVE_INFINITY]),
      makeTensor('int64', [2], [-5, 7]),
      makeTensor('int32', [2, 1], [-2147483648, 2147483647]),
      makeTensor('bool', [4], [0, 1, 1, 0]),
    ];
    for (const td of cases) {
      const back = tensorFromProto(decodeTensor(encodeTensor(tensorToProto('t', td))));
      expect(back).toEqual(td);
    }
  });
});

describe('hostile model bytes', () => {
  const onlyBadModel = (bytes: Uint8Array): void => {
    const code = codeOf(() => decodeModel(bytes));
    if (code !== undefined) expect(code).toBe('VOLTA_E_BAD_MODEL');
  };

  it('rejects empty input, a tensor file and missing graph as BAD_MODEL', () => {
    expect(codeOf(() => decodeModel(new Uint8Array(0)))).toBe('VOLTA_E_BAD_MODEL');
    expect(codeOf(() => decodeModel(readFileSync(path.join(NODE_DIR, 'test_abs/test_data_set_0/input_0.pb'))))).toBe('VOLTA_E_BAD_MODEL');
    expect(codeOf(() => decodeModel(new TextEncoder().encode('version https://git-lfs.github.com/spec/v1\n')))).toBe('VOLTA_E_BAD_MODEL');
    expect(codeOf(() => decodeTensor(new Uint8Array([0x0a, 0x05, 0x01])))).toBe('VOLTA_E_BAD_MODEL');
  });

  it('rejects nesting deeper than the recursion limit as BAD_MODEL', () => {
    // ModelProto.graph -> GraphProto.node -> NodeProto.attribute -> AttributeProto.g -> ... 300 levels.
    let graph: number[] = [];
    for (let i = 0; i < 300; i++) graph = ld(1, ld(5, ld(6, graph)));
    expect(codeOf(() => decodeModel(new Uint8Array(ld(7, graph))))).toBe('VOLTA_E_BAD_MODEL');
  });

  it('every truncation of a real model decodes or throws BAD_MODEL', () => {
    for (const c of ['test_abs', 'test_gemm_all_attributes', 'test_constant']) {
      const bytes = modelBytes(c);
      for (let n = 0; n < bytes.length; n++) onlyBadModel(bytes.subarray(0, n));
    }
  });

  it('random bytes decode or throw BAD_MODEL', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), onlyBadModel), { numRuns: 1000 });
  });

  it('mutated real models decode or throw BAD_MODEL; their tensors convert or throw typed errors', () => {
    const base = modelBytes('test_constant');
    const arb = fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(arb, (edits) => {
        const bytes = Uint8Array.from(base);
        for (const [at, v] of edits) bytes[at] = v;
        let m: OnnxModel;
        try {
          m = decodeModel(bytes);
        } catch (e) {
          expect(isVoltaError(e, 'VOLTA_E_BAD_MODEL')).toBe(true);
          return;
        }
        for (const n of m.graph.node) {
          for (const a of n.attribute) {
            if (a.t !== undefined) codeOf(() => tensorFromProto(a.t as OnnxTensor, {}));
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('tensor edge cases', () => {
  it('rejects huge and negative dims with shape errors', () => {
    expect(codeOf(() => tensorFromProto(tensor({ dims: [2 ** 40] })))).toBe('VOLTA_E_SHAPE_TOO_LARGE');
    expect(codeOf(() => tensorFromProto(tensor({ dims: [65536, 65536] })))).toBe('VOLTA_E_SHAPE_TOO_LARGE');
    expect(codeOf(() => tensorFromProto(tensor({ dims: [2, -1] })))).toBe('VOLTA_E_SHAPE');
    // Through the wire, so the int64 conversion is exercised too.
    const wire = decodeTensor(encodeTensor(tensor({ dims: [2 ** 40], rawData: new Uint8Array(4) })));
    expect(wire.dims).toEqual([2 ** 40]);
    expect(codeOf(() => tensorFromProto(wire))).toBe('VOLTA_E_SHAPE_TOO_LARGE');
    expect(codeOf(() => tensorFromProto(decodeTensor(encodeTensor(tensor({ dims: [-7] })))))).toBe('VOLTA_E_SHAPE');
  });

  it('rejects element-count mismatches naming the tensor and counts', () => {
    const cases: OnnxTensor[] = [
      tensor({ name: 'w1', dims: [2, 3], floatData: [1, 2, 3] }),
      tensor({ name: 'w2', dims: [2], rawData: new Uint8Array(12) }),
      tensor({ name: 'w3', dims: [1], rawData: new Uint8Array(3) }),
      tensor({ name: 'w4', dataType: 7, dims: [2], int64Data: [1n] }),
      tensor({ name: 'w5', dataType: 6, dims: [3] }),
      tensor({ name: 'w6', dataType: 9, dims: [2], int32Data: [1, 0, 1] }),
      tensor({ name: 'w7', dims: [2], int32Data: [1, 2] }), // float data in the wrong field
    ];
    for (const t of cases) {
      try {
        tensorFromProto(t, { where: 'initializer' });
        expect.unreachable(t.name);
      } catch (e) {
        expect(isVoltaError(e, 'VOLTA_E_BAD_CONSTANT'), String(e)).toBe(true);
        const msg = (e as VoltaError).message;
        expect(msg).toContain(`"${t.name}"`);
        expect(msg).toContain(`${numel(t.dims)} elements`);
      }
    }
  });

  it('accepts empty tensors and scalars', () => {
    expect(tensorFromProto(tensor({ dims: [0, 5] })).data.length).toBe(0);
    expect(tensorFromProto(tensor({ dataType: 7, dims: [3, 0] })).data).toEqual(new BigInt64Array(0));
    expect(tensorFromProto(tensor({ dims: [], floatData: [2.5] })).data).toEqual(Float32Array.of(2.5));
  });

  it('rejects unsupported dtypes by name', () => {
    const f16 = tensor({ name: 'half', dataType: 10, dims: [2], rawData: new Uint8Array(4) });
    expect(() => tensorFromProto(f16)).toThrow(/FLOAT16/);
    expect(codeOf(() => tensorFromProto(f16))).toBe('VOLTA_E_UNSUPPORTED_DTYPE');
    const f64 = tensor({ name: 'dbl', dataType: 11, dims: [2], rawData: new Uint8Array(new Float64Array([1, 2]).buffer) });
    expect(() => tensorFromProto(f64)).toThrow(/"dbl".*DOUBLE/);
    expect(codeOf(() => tensorFromProto(tensor({ dataType: 0 })))).toBe('VOLTA_E_UNSUPPORTED_DTYPE');
  });

  it('reads raw data at an odd offset, little-endian, and copies it', () => {
    const buf = new Uint8Array(1 + 8);
    new DataView(buf.buffer).setFloat32(1, 1.25, true);
    new DataView(buf.buffer).setFloat32(5, -3, true);
    const raw = buf.subarray(1);
    const td = tensorFromProto(tensor({ dims: [2], rawData: raw }));
    expect(Array.from(td.data as Float32Array)).toEqual([1.25, -3]);
    raw.fill(0);
    expect(Array.from(td.data as Float32Array)).toEqual([1.25, -3]);
  });

  it('normalises bool bytes to 0/1', () => {
    expect(tensorFromProto(tensor({ dataType: 9, dims: [3], rawData: Uint8Array.of(0, 2, 255) })).data).toEqual(Uint8Array.of(0, 1, 1));
    expect(tensorFromProto(tensor({ dataType: 9, dims: [2], int32Data: [7, 0] })).data).toEqual(Uint8Array.of(1, 0));
  });
});

describe('external data', () => {
  let root: string;
  let base: string;
  const payload = new Float32Array([1, 2, 3, 4]);
  const bytes = new Uint8Array(payload.buffer);

  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'volta-ext-'));
    base = path.join(root, 'model');
    mkdirSync(path.join(base, 'sub'), { recursive: true });
    writeFileSync(path.join(base, 'weights.bin'), Buffer.concat([Buffer.alloc(16), Buffer.from(bytes)]));
    writeFileSync(path.join(base, 'sub', 'w.bin'), bytes);
    writeFileSync(path.join(root, 'secret.bin'), bytes);
    symlinkSync(path.join(root, 'secret.bin'), path.join(base, 'escape.bin'));
    symlinkSync(path.join(base, 'sub', 'w.bin'), path.join(base, 'inside.bin'));
    symlinkSync(root, path.join(base, 'up'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('refuses a FIFO without blocking on it', () => {
    const fifo = path.join(base, 'pipe.bin');
    if (spawnSync('mkfifo', [fifo]).status !== 0) return; // no mkfifo here (e.g. Windows)
    expect(codeOf(() => tensorFromProto(ext({ location: 'pipe.bin' }), { baseDir: base }))).toBe('VOLTA_E_EXTERNAL_DATA');
  });

  const ext = (entries: Record<string, string>, dims = [2, 2]): OnnxTensor =>
    tensor({ name: 'ext', dims, dataLocation: 1, externalData: Object.entries(entries).map(([key, value]) => ({ key, value })) });

  it('reads a valid external file (with and without offset/length, via an inside symlink)', () => {
    const ok = (e: Record<string, string>) => Array.from(tensorFromProto(ext(e), { baseDir: base }).data as Float32Array);
    expect(ok({ location: 'weights.bin', offset: '16', length: '16' })).toEqual([1, 2, 3, 4]);
    expect(ok({ location: 'weights.bin', offset: '16' })).toEqual([1, 2, 3, 4]);
    expect(ok({ location: 'weights.bin', offset: '0', length: '16' })).toEqual([0, 0, 0, 0]);
    expect(ok({ location: 'sub/w.bin' })).toEqual([1, 2, 3, 4]);
    expect(ok({ location: './sub/w.bin', length: '16' })).toEqual([1, 2, 3, 4]);
    expect(ok({ location: 'inside.bin' })).toEqual([1, 2, 3, 4]);
    // Survives an encode/decode of the tensor.
    const wire = decodeTensor(encodeTensor(ext({ location: 'sub/w.bin', checksum: 'ignored' })));
    expect(Array.from(tensorFromProto(wire, { baseDir: base }).data as Float32Array)).toEqual([1, 2, 3, 4]);
  });

  it('refuses escapes, bad ranges and bytes-only loading', () => {
    const refused: Record<string, string>[] = [
      { location: '../secret.bin' },
      { location: 'sub/../../secret.bin' },
      { location: 'sub/../weights.bin', offset: '16' }, // any '..' is refused, even one that stays inside
      { location: path.join(root, 'secret.bin') },
      { location: '/etc/passwd' },
      { location: 'escape.bin' },
      { location: 'up/secret.bin' },
      { location: 'missing.bin' },
      { location: 'sub' },
      { location: '.' },
      { location: '' },
      { offset: '0' },
      { location: 'a\0b' },
      { location: 'weights.bin', offset: '1000' },
      { location: 'weights.bin', offset: '16', length: '32' },
      { location: 'weights.bin', offset: '0' }, // 32 bytes to EOF, 16 needed
      { location: 'weights.bin', offset: '-4' },
      { location: 'weights.bin', offset: '1.5' },
      { location: 'weights.bin', offset: '16', length: '0x10' },
      { location: 'weights.bin', offset: '99999999999999999999' },
      { location: 'sub/w.bin', length: '12' },
    ];
    for (const e of refused) {
      expect(
        codeOf(() => tensorFromProto(ext(e), { baseDir: base })),
        JSON.stringify(e),
      ).toBe('VOLTA_E_EXTERNAL_DATA');
    }
    const dup = tensor({
      dims: [4],
      dataLocation: 1,
      externalData: [
        { key: 'location', value: 'sub/w.bin' },
        { key: 'location', value: '../x' },
      ],
    });
    expect(codeOf(() => tensorFromProto(dup, { baseDir: base }))).toBe('VOLTA_E_EXTERNAL_DATA');
  });

  it('refuses external data without a base directory, with a hint', () => {
    try {
      tensorFromProto(ext({ location: 'weights.bin' }));
      expect.unreachable();
    } catch (e) {
      expect(isVoltaError(e, 'VOLTA_E_EXTERNAL_DATA')).toBe(true);
      expect((e as VoltaError).details.hint).toMatch(/file path/);
    }
  });
});
