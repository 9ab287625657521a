// Resize (opsets 10, 11, 19) and Upsample (opsets 7, 9) over their attribute matrix:
// every nearest_mode x coordinate_transformation_mode, linear and cubic under every
// coordinate mode (up and down), tf_crop_and_resize with extrapolation, cubic_coeff_a
// and exclude_outside, axes, keep_aspect_ratio_policy, scales and sizes, an integer
// input. The C addon equals the TS reference bit for bit; nearest equals onnxruntime
// exactly and linear/cubic agree within 1e-5 (relative, see relError).
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { numel } from '../compiler/ir/shape.ts';
import { makeTensor } from '../compiler/ir/tensor.ts';
import { float, OnnxWriter, type WriterAttr } from '../compiler/onnx/writer.ts';
import { isVoltaError, Volta } from '../runtime/index.ts';
import { randomFloats } from './helpers/models.ts';
import { compareWithOrt, type Feed, worst } from './helpers/ort_oracle.ts';

const cacheDir = join(tmpdir(), 'volta-nets-cache');
const TOLERANCE = 1e-5;

const COORDS = ['half_pixel', 'half_pixel_symmetric', 'pytorch_half_pixel', 'align_corners', 'asymmetric'];
const NEAREST = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];

interface Node {
  name: string;
  x: string;
  attrs: Record<string, WriterAttr>;
  scales?: number[];
  sizes?: number[];
  roi?: number[];
}

function nodes19(): Node[] {
  const out: Node[] = [];
  for (const nearest_mode of NEAREST) {
    // onnxruntime spells tf_half_pixel_for_nearest "tf_half_pixel_for_nn" (Volta takes both).
    for (const c of [...COORDS, 'tf_half_pixel_for_nn']) {
      out.push({ name: `nearest_${nearest_mode}_${c}_up`, x: 'x4', attrs: { nearest_mode, coordinate_transformation_mode: c }, scales: [1, 1, 2, 2.5] });
      out.push({ name: `nearest_${nearest_mode}_${c}_down`, x: 'x4', attrs: { nearest_mode, coordinate_transformation_mode: c }, sizes: [1, 2, 3, 2] });
    }
  }
  for (const mode of ['linear', 'cubic']) {
    for (const c of COORDS) {
      out.push({ name: `${mode}_${c}_up`, x: 'x4', attrs: { mode, coordinate_transformation_mode: c }, scales: [1, 1, 2, 1.5] });
      out.push({ name: `${mode}_${c}_down`, x: 'x4', attrs: { mode, coordinate_transformation_mode: c }, sizes: [1, 2, 3, 3] });
    }
    const crop = { coordinate_transformation_mode: 'tf_crop_and_resize', extrapolation_value: float(10) };
    out.push({ name: `${mode}_tf_crop`, x: 'x4', attrs: { mode, ...crop }, sizes: [1, 2, 5, 6], roi: [0, 0, 0.2, -0.1, 1, 1, 0.9, 1.2] });
  }
  out.push({
    name: 'nearest_tf_crop',
    x: 'x4',
    attrs: { coordinate_transformation_mode: 'tf_crop_and_resize' },
    sizes: [1, 2, 3, 7],
    roi: [0, 0, 0.1, 0.3, 1, 1, 0.8, 1.3],
  });
  out.push({ name: 'cubic_a_exclude_up', x: 'x4', attrs: { mode: 'cubic', cubic_coeff_a: -0.5, exclude_outside: 1 }, scales: [1, 1, 2.5, 1.5] });
  out.push({ name: 'cubic_exclude_down', x: 'x4', attrs: { mode: 'cubic', exclude_outside: 1 }, sizes: [1, 2, 2, 3] });
  out.push({ name: 'linear_axes_not_larger', x: 'x4', attrs: { mode: 'linear', axes: [2, 3], keep_aspect_ratio_policy: 'not_larger' }, sizes: [7, 7] });
  out.push({ name: 'nearest_axes_not_smaller', x: 'x4', attrs: { axes: [2, 3], keep_aspect_ratio_policy: 'not_smaller' }, sizes: [7, 7] });
  out.push({ name: 'cubic_axes_scales', x: 'x4', attrs: { mode: 'cubic', axes: [3, 2] }, scales: [1.5, 2] });
  out.push({ name: 'linear_2d', x: 'x2', attrs: { mode: 'linear' }, scales: [0.6, 1.4] });
  out.push({ name: 'cubic_2d_align', x: 'x2', attrs: { mode: 'cubic', coordinate_transformation_mode: 'align_corners' }, sizes: [9, 4] });
  out.push({ name: 'linear_3d_last', x: 'x3', attrs: { mode: 'linear' }, scales: [1, 1, 2.5] });
  out.push({ name: 'nearest_int32', x: 'xi', attrs: { nearest_mode: 'ceil' }, scales: [1, 1, 1.5, 2] });
  return out;
}

const INPUTS: Record<string, Feed> = {
  x4: { dtype: 'float32', data: randomFloats(40, 71, 3), dims: [1, 2, 4, 5] },
  x2: { dtype: 'float32', data: randomFloats(35, 72, 3), dims: [5, 7] },
  x3: { dtype: 'float32', data: randomFloats(36, 73, 3), dims: [2, 3, 6] },
  xi: { dtype: 'int32', data: Int32Array.from({ length: 12 }, (_, i) => ((i * 37) % 11) - 5), dims: [1, 1, 3, 4] },
};

function model(name: string, opset: number, ns: Node[], op = 'Resize'): { bytes: Uint8Array; feeds: Record<string, Feed> } {
  const w = new OnnxWriter(name, opset);
  const used = [...new Set(ns.map((n) => n.x))];
  for (const x of used) w.input(x, INPUTS[x].dtype, INPUTS[x].dims);
  for (const n of ns) {
    const f32 = (k: string, v: number[]) => w.initializer(`${n.name}_${k}`, makeTensor('float32', [v.length], v));
    let ins: string[];
    if (op === 'Upsample' && opset < 9) ins = [n.x];
    else if (op === 'Upsample' || opset < 11) ins = [n.x, f32('scales', n.scales!)];
    else {
      // Before opset 13 roi and scales are required inputs: empty tensors stand for "absent".
      const opt = (k: string, v: number[] | undefined) => (v ? f32(k, v) : opset < 13 ? f32(k, []) : '');
      ins = [n.x, opt('roi', n.roi), opt('scales', n.scales)];
      if (n.sizes) ins.push(w.initializer(`${n.name}_sizes`, makeTensor('int64', [n.sizes.length], n.sizes)));
    }
    w.output(w.op(op, ins, n.attrs, n.name), INPUTS[n.x].dtype);
  }
  return { bytes: w.bytes(), feeds: Object.fromEntries(used.map((x) => [x, INPUTS[x]])) };
}

async function check(label: string, m: { bytes: Uint8Array; feeds: Record<string, Feed> }): Promise<void> {
  const { errors } = await compareWithOrt(m.bytes, m.feeds, { cacheDir });
  const w = worst(errors);
  if (process.env.NETS_DEBUG)
    console.log(
      Object.entries(errors)
        .filter(([, e]) => e > 0)
        .map(([n, e]) => `${n}=${e.toExponential(2)}`)
        .join('\n'),
    );
  console.log(`[${label}] ${Object.keys(errors).length} cases, max relative error vs onnxruntime ${w.error.toExponential(2)} (${w.name})`);
  for (const [n, e] of Object.entries(errors)) {
    if (n.startsWith('nearest')) expect(e, `${n} must equal onnxruntime`).toBe(0);
    else expect(e, n).toBeLessThanOrEqual(TOLERANCE);
  }
}

describe('Resize and Upsample against onnxruntime', () => {
  it('opset 19 attribute matrix', async () => {
    await check('Resize-19', model('resize19', 19, nodes19()));
  });

  it('opsets 10 and 11, Upsample 7 and 9', async () => {
    const nn = (name: string, attrs: Record<string, WriterAttr>, scales: number[], x = 'x4'): Node => ({ name, x, attrs, scales });
    const ups = [nn('nearest_up', {}, [1, 1, 2, 3]), nn('linear_up', { mode: 'linear' }, [1, 1, 2.5, 1.5])];
    const r10 = [...ups, nn('nearest_down', {}, [1, 1, 0.5, 0.6])];
    const r11: Node[] = [
      {
        name: 'nearest_sizes',
        x: 'x4',
        attrs: { coordinate_transformation_mode: 'align_corners', nearest_mode: 'round_prefer_ceil' },
        sizes: [1, 2, 7, 3],
        roi: [],
      },
      { name: 'cubic_scales', x: 'x4', attrs: { mode: 'cubic' }, scales: [1, 1, 1.5, 2], roi: [] },
    ];
    const up7 = ups.map((n) => ({ ...n, attrs: { ...n.attrs, scales: float(n.scales!) } }));
    await Promise.all([
      check('Resize-10', model('resize10', 10, r10)),
      check('Resize-11', model('resize11', 11, r11)),
      check('Upsample-9', model('upsample9', 9, ups, 'Upsample')),
      check('Upsample-7', model('upsample7', 7, up7, 'Upsample')),
    ]);
  });
});

it('tf_half_pixel_for_nn is an alias of tf_half_pixel_for_nearest', () => {
  const plan = (c: string) => {
    const m = model('alias', 19, [{ name: 'r', x: 'x4', attrs: { coordinate_transformation_mode: c, nearest_mode: 'ceil' }, scales: [1, 1, 1.5, 2.5] }]);
    return Volta.compileOnly(m.bytes).schedule.kernels[0].plan;
  };
  expect(plan('tf_half_pixel_for_nn')).toEqual(plan('tf_half_pixel_for_nearest'));
  expect(plan('tf_half_pixel_for_nn')).not.toEqual(plan('half_pixel'));
});

it('negative axes count from the end (onnxruntime 1.31 ignores them; the spec does not)', () => {
  const plan = (axes: number[]) => {
    const m = model('axes', 19, [{ name: 'r', x: 'x4', attrs: { axes, keep_aspect_ratio_policy: 'not_smaller' }, sizes: [7, 7] }]);
    return Volta.compileOnly(m.bytes).schedule.kernels[0].plan;
  };
  expect(plan([-2, -1])).toEqual(plan([2, 3]));
  expect((plan([-2, -1]) as unknown as { outShape: number[] }).outShape).toEqual([1, 2, 7, 9]);
});

describe('Resize refusals are typed and name the node', () => {
  const refuse =
    (attrs: Record<string, WriterAttr>, code: string, found: string, x = 'x4', scales = [1, 1, 0.5, 0.5]) =>
    () => {
      const m = model('bad', 19, [{ name: 'resize_bad', x, attrs, scales }]);
      let err: unknown;
      try {
        Volta.compileOnly(m.bytes);
      } catch (e) {
        err = e;
      }
      expect(isVoltaError(err), String(err)).toBe(true);
      const e = err as { code: string; message: string; problems: readonly { code: string; message: string }[] };
      const first = e.problems.length ? e.problems[0] : e;
      expect(first.code).toBe(code);
      expect(first.message).toContain('Resize "resize_bad"');
      expect(first.message).toContain(found);
    };
  it('antialias=1', refuse({ mode: 'linear', antialias: 1 }, 'VOLTA_E_UNSUPPORTED_ATTR', 'antialias=1'));
  it('an unknown coordinate_transformation_mode', refuse({ coordinate_transformation_mode: 'tf_half_pixel' }, 'VOLTA_E_UNSUPPORTED_ATTR', 'tf_half_pixel'));
  it('an unknown nearest_mode', refuse({ nearest_mode: 'round' }, 'VOLTA_E_UNSUPPORTED_ATTR', 'nearest_mode="round"'));
  it('linear on int32', refuse({ mode: 'linear' }, 'VOLTA_E_UNSUPPORTED_DTYPE', 'mode=linear', 'xi'));
  it('scales of the wrong length', refuse({}, 'VOLTA_E_SHAPE', 'scales has 2 values', 'x4', [2, 2]));

  it('a scales input computed at run time is VOLTA_E_DYNAMIC_SHAPE', () => {
    const w = new OnnxWriter('dyn', 19);
    w.input('x', 'float32', [1, 1, 2, 2]);
    w.input('s', 'float32', [4]);
    w.output(w.op('Resize', ['x', '', 's'], {}, 'resize_dyn'), 'float32');
    expect(() => Volta.compileOnly(w.bytes())).toThrow(/VOLTA_E_DYNAMIC_SHAPE/);
  });
});

it('resize tables: output size and index per nearest mode match hand-computed values', () => {
  // x [1,1,1,4] resized to 7 along the last axis, asymmetric: source x = o * 4 / 7.
  const w = new OnnxWriter('hand', 19);
  w.input('x', 'float32', [1, 1, 1, 4]);
  const sizes = w.initializer('sizes', makeTensor('int64', [4], [1, 1, 1, 7]));
  for (const m of ['floor', 'ceil'])
    w.output(w.op('Resize', ['x', '', '', sizes], { coordinate_transformation_mode: 'asymmetric', nearest_mode: m }, m), 'float32');
  const c = Volta.compileOnly(w.bytes());
  const tables = c.schedule.kernels.map((k) => (k.plan.kind === 'resize' ? k.plan.axes[3].index : []));
  // o * 4/7 = 0, .571, 1.143, 1.714, 2.286, 2.857, 3.429
  expect(tables).toEqual([
    [0, 0, 1, 1, 2, 2, 3],
    [0, 1, 2, 2, 3, 3, 3],
  ]);
  expect(numel(c.graph.value(c.graph.outputs[0]).shape)).toBe(7);
});
