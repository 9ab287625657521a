// The ONNX checker's rules: each malformed model the checker rejects is
// refused with a typed error naming where the problem is; well-formed models
// (every conformance fixture, the example) pass untouched.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkModel, MAX_KNOWN_IR_VERSION } from '../../compiler/onnx/checker.ts';
import { ATTR_TYPE, decodeModel, encodeModel, type OnnxModel } from '../../compiler/onnx/proto.ts';
import { isVoltaError, Volta } from '../../runtime/index.ts';

const MLP = readFileSync(new URL('../../examples/mlp/mlp.onnx', import.meta.url));

function broken(edit: (m: OnnxModel) => void): Uint8Array {
  const m = decodeModel(MLP);
  edit(m);
  return encodeModel(m);
}

function refusal(bytes: Uint8Array): { code: string; message: string } {
  try {
    Volta.compileOnly(bytes);
  } catch (e) {
    if (isVoltaError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  return { code: 'accepted', message: '' };
}

const fc1 = (m: OnnxModel) => m.graph.node.find((n) => n.name === 'fc1')!;

describe('ONNX checker rules', () => {
  it('a missing ir_version', () => {
    const r = refusal(broken((m) => void (m.irVersion = 0)));
    expect(r.code).toBe('VOLTA_E_BAD_MODEL');
    expect(r.message).toMatch(/no ir_version/);
  });

  it('an ir_version far beyond the newest known', () => {
    const r = refusal(broken((m) => void (m.irVersion = 99)));
    expect(r.code).toBe('VOLTA_E_UNSUPPORTED_OPSET');
    expect(r.message).toContain(`1..${MAX_KNOWN_IR_VERSION}`);
  });

  it('an opset far beyond the newest known', () => {
    expect(refusal(broken((m) => void (m.opsetImport[0].version = 1000))).code).toBe('VOLTA_E_UNSUPPORTED_OPSET');
  });

  it('a tensor with both raw_data and a typed data field', () => {
    const r = refusal(
      broken((m) => {
        const w = m.graph.initializer[0];
        w.floatData = Array.from(new Float32Array(w.rawData!.buffer.slice(w.rawData!.byteOffset, w.rawData!.byteOffset + w.rawData!.byteLength)));
      }),
    );
    expect(r.code).toBe('VOLTA_E_BAD_MODEL');
    expect(r.message).toMatch(/several fields \(float_data, raw_data\)/);
  });

  it('a tensor whose typed field does not match its element type', () => {
    const r = refusal(
      broken((m) => {
        const w = m.graph.initializer.find((t) => t.dims.length === 1)!;
        const n = w.dims[0];
        delete w.rawData;
        w.int64Data = Array.from({ length: n }, () => 0n);
      }),
    );
    expect(r.code).toBe('VOLTA_E_BAD_MODEL');
    expect(r.message).toMatch(/belong in float_data, not int64_data/);
  });

  it('external_data together with raw_data', () => {
    const r = refusal(
      broken((m) => {
        const w = m.graph.initializer[0];
        w.externalData = [{ key: 'location', value: 'w.bin' }];
        w.dataLocation = 1;
      }),
    );
    expect(r.code).toBe('VOLTA_E_BAD_MODEL');
    expect(r.message).toMatch(/stored externally but also has raw_data/);
  });

  it('an attribute whose declared type disagrees with the value field set', () => {
    const r = refusal(
      broken((m) => {
        const a = fc1(m).attribute.find((x) => x.name === 'transB')!;
        a.type = ATTR_TYPE.FLOAT;
      }),
    );
    expect(r.code).toBe('VOLTA_E_BAD_MODEL');
    expect(r.message).toMatch(/Gemm "fc1": attribute transB is declared FLOAT but sets i/);
  });

  it('an attribute with two value fields set', () => {
    const r = refusal(
      broken((m) => {
        const a = fc1(m).attribute.find((x) => x.name === 'transB')!;
        a.f = 0.5;
      }),
    );
    expect(r.code).toBe('VOLTA_E_IMPORT');
    expect(r.message).toMatch(/attribute transB sets several value fields \(f, i\)/);
  });

  it('ref_attr_name outside a function', () => {
    const r = refusal(
      broken((m) => {
        fc1(m).attribute.push({ name: 'alpha', type: ATTR_TYPE.FLOAT, refAttrName: 'outer_alpha' });
      }),
    );
    expect(r.code).toBe('VOLTA_E_BAD_MODEL');
    expect(r.message).toMatch(/ref_attr_name "outer_alpha", which only a function body may use/);
  });

  it('every problem is listed, with its own code', () => {
    const bytes = broken((m) => {
      fc1(m).attribute.find((x) => x.name === 'transB')!.type = ATTR_TYPE.STRING;
      m.graph.initializer[1].dataType = 0;
    });
    const problems = checkModel(decodeModel(bytes));
    expect(problems.map((p) => p.code)).toEqual(['VOLTA_E_BAD_MODEL', 'VOLTA_E_BAD_MODEL']);
  });

  it('the example and every conformance fixture pass the checker', async () => {
    const { readdirSync } = await import('node:fs');
    const root = new URL('../fixtures/onnx-node/node/', import.meta.url).pathname;
    const bad = readdirSync(root).flatMap((c) => checkModel(decodeModel(readFileSync(`${root}${c}/model.onnx`))).map((p) => `${c}: ${p.message}`));
    expect(bad).toEqual([]);
    expect(readdirSync(root).length).toBeGreaterThan(300);
    expect(checkModel(decodeModel(MLP))).toEqual([]);
  });
});
