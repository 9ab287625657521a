// RNN, GRU and LSTM: one recurrent kernel per node (see RecurrentCompute), not an
// unrolled decomposition: the sequence length is static, but unrolling would emit
// several kernels per time step and direction (hundreds for a CRNN), each a launch
// and a function to compile, with no fusion across the gate slices.

import { attr } from './attr.ts';
import type { OutRef, RecurrentCompute } from './compute.ts';
import { constInput, defineOp, fail, input, intAttr, type LowerCtx, type NodeCtx, type OpDef, type OutType, shapeError } from './define.ts';
import { MAX_KNOWN_OPSET } from './elementwise.ts';
import { ACTIVATION_NAMES, activationExprs, activationName } from './recurrent_activations.ts';

type Cell = RecurrentCompute['cell'];

/** Gates per cell (rows of W and R per direction are gates * hidden) and default activations. */
const CELLS: Record<Cell, { op: string; gates: number; activations: string[] }> = {
  rnn: { op: 'RNN', gates: 1, activations: ['Tanh'] },
  gru: { op: 'GRU', gates: 3, activations: ['Sigmoid', 'Tanh'] },
  lstm: { op: 'LSTM', gates: 4, activations: ['Sigmoid', 'Tanh', 'Tanh'] },
};

/** Per-item state lives in local arrays (C stack, CUDA local memory): hidden sizes up to this. */
export const MAX_HIDDEN = 4096;

interface Dims {
  seq: number;
  batch: number;
  inputSize: number;
  hidden: number;
  dirs: number;
  batchFirst: boolean;
}

function dims(ctx: NodeCtx, cell: Cell): Dims {
  const x = input(ctx, 0);
  const w = input(ctx, 1);
  const r = input(ctx, 2);
  const g = CELLS[cell].gates;
  const batchFirst = intAttr(ctx, 'layout') === 1;
  if (x.shape.length !== 3) shapeError(ctx, `X must be 3-D (${batchFirst ? '[batch, seq, input]' : '[seq, batch, input]'})`, [x.shape]);
  const [seq, batch] = batchFirst ? [x.shape[1], x.shape[0]] : [x.shape[0], x.shape[1]];
  const inputSize = x.shape[2];
  const dirs = ctx.attrs.direction === 'bidirectional' ? 2 : 1;
  const hidden = (ctx.attrs.hidden_size as number | undefined) ?? w.shape[1] / g;
  if (!Number.isInteger(hidden) || hidden < 1) shapeError(ctx, `hidden_size ${hidden} does not divide W's ${g} gates`, [x.shape, w.shape]);
  if (hidden > MAX_HIDDEN) fail(ctx, 'VOLTA_E_UNSUPPORTED_ATTR', `hidden_size=${hidden}`, `at most ${MAX_HIDDEN} (the per-row state is kept in local arrays)`);
  const expect = (i: number, what: string, shape: number[]) => {
    const v = ctx.inputs[i];
    if (v !== undefined && (v.shape.length !== shape.length || v.shape.some((d, k) => d !== shape[k]))) {
      shapeError(ctx, `${what} must have shape [${shape.join(', ')}]`, [x.shape, v.shape]);
    }
  };
  expect(1, 'W', [dirs, g * hidden, inputSize]);
  expect(2, 'R', [dirs, g * hidden, hidden]);
  if (r.shape.length !== 3) shapeError(ctx, 'R must be 3-D', [r.shape]);
  expect(3, 'B', [dirs, 2 * g * hidden]);
  const state = batchFirst ? [batch, dirs, hidden] : [dirs, batch, hidden];
  expect(5, 'initial_h', state);
  if (cell === 'lstm') {
    expect(6, 'initial_c', state);
    expect(7, 'P', [dirs, 3 * hidden]);
  }
  const lens = constInput(ctx, 4, 'sequence_lens input');
  if (lens !== undefined && (lens.length !== batch || lens.some((l) => l !== seq))) {
    fail(
      ctx,
      'VOLTA_E_UNSUPPORTED_ATTR',
      `sequence_lens [${lens.join(',')}]`,
      `every sequence full length (${seq})`,
      'pad the batch to one length or drop sequence_lens',
    );
  }
  return { seq, batch, inputSize, hidden, dirs, batchFirst };
}

/** The activation names per direction, canonical, checked. */
function activations(ctx: NodeCtx, cell: Cell, dirs: number): string[][] {
  const per = CELLS[cell].activations.length;
  const given = ctx.attrs.activations as readonly string[] | undefined;
  let names = given === undefined ? Array.from({ length: dirs }, () => CELLS[cell].activations).flat() : [...given];
  // A bidirectional node may list one direction's functions for both (as onnxruntime accepts).
  if (dirs === 2 && names.length === per) names = [...names, ...names];
  if (names.length !== per * dirs) fail(ctx, 'VOLTA_E_UNSUPPORTED_ATTR', `activations=[${names.join(',')}]`, `${per * dirs} names (${per} per direction)`);
  const canon = names.map((n) => activationName(n) ?? fail(ctx, 'VOLTA_E_UNSUPPORTED_ATTR', `activation ${n}`, ACTIVATION_NAMES.join(', ')));
  return Array.from({ length: dirs }, (_, d) => canon.slice(d * per, (d + 1) * per));
}

function infer(cell: Cell) {
  return (ctx: NodeCtx): OutType[] => {
    const d = dims(ctx, cell);
    activations(ctx, cell, d.dirs);
    const y = d.batchFirst ? [d.batch, d.seq, d.dirs, d.hidden] : [d.seq, d.dirs, d.batch, d.hidden];
    const state = d.batchFirst ? [d.batch, d.dirs, d.hidden] : [d.dirs, d.batch, d.hidden];
    const dtype = input(ctx, 0).dtype;
    return [{ dtype, shape: y }, { dtype, shape: state }, ...(cell === 'lstm' ? [{ dtype, shape: state }] : [])];
  };
}

function compute(cell: Cell) {
  return (ctx: LowerCtx): RecurrentCompute => {
    const d = dims(ctx, cell);
    const acts = activations(ctx, cell, d.dirs);
    const alphas = (ctx.attrs.activation_alpha as readonly number[] | undefined) ?? [];
    const betas = (ctx.attrs.activation_beta as readonly number[] | undefined) ?? [];
    // Alphas and betas run through the whole list (both directions), in order.
    const flat = activationExprs(acts.flat(), alphas, betas);
    const per = CELLS[cell].activations.length;
    const ref = (i: number): OutRef | undefined => {
      const v = ctx.inputs[i];
      return v && { buf: v.id, dtype: v.dtype };
    };
    const outRef = (i: number): OutRef | undefined => {
      const v = ctx.outputs[i];
      return v && { buf: v.id, dtype: v.dtype };
    };
    const [y, yH, yC] = [outRef(0), outRef(1), cell === 'lstm' ? outRef(2) : undefined];
    const direction = ctx.attrs.direction as string;
    const clip = ctx.attrs.clip as number | undefined;
    return {
      kind: 'recurrent',
      name: cell,
      ops: [ctx.node.op],
      nodes: [ctx.node.name],
      cell,
      seq: d.seq,
      batch: d.batch,
      inputSize: d.inputSize,
      hidden: d.hidden,
      reverse: direction === 'bidirectional' ? [false, true] : [direction === 'reverse'],
      batchFirst: d.batchFirst,
      activations: Array.from({ length: d.dirs }, (_, k) => flat.slice(k * per, (k + 1) * per)),
      ...(clip === undefined ? {} : { clip: Math.fround(clip) }),
      linearBeforeReset: ctx.attrs.linear_before_reset === 1,
      inputForget: ctx.attrs.input_forget === 1,
      x: ref(0)!,
      w: ref(1)!,
      r: ref(2)!,
      b: ref(3),
      initialH: ref(5),
      initialC: cell === 'lstm' ? ref(6) : undefined,
      peephole: cell === 'lstm' ? ref(7) : undefined,
      y,
      yH,
      yC,
      out: (y ?? yH ?? yC)!,
    };
  };
}

function recurrentOp(cell: Cell, since: number, extra: Record<string, ReturnType<typeof attr.int>>, coverage: string): OpDef {
  const name = CELLS[cell].op;
  return defineOp({
    name,
    onnx: { opType: name, domain: '', opsets: [since, MAX_KNOWN_OPSET] },
    inputs: [
      { name: 'X', type: 'T' },
      { name: 'W', type: 'T' },
      { name: 'R', type: 'T' },
      { name: 'B', type: 'T', optional: true },
      { name: 'sequence_lens', type: 'T1', optional: true, constant: true },
      { name: 'initial_h', type: 'T', optional: true },
      ...(cell === 'lstm'
        ? [
            { name: 'initial_c', type: 'T', optional: true },
            { name: 'P', type: 'T', optional: true },
          ]
        : []),
    ],
    outputs: cell === 'lstm' ? ['Y', 'Y_h', 'Y_c'] : ['Y', 'Y_h'],
    types: { T: ['float32'], T1: ['int32'] },
    attrs: {
      activation_alpha: attr.floats({ optional: true }),
      activation_beta: attr.floats({ optional: true }),
      activations: attr.strings({ optional: true, doc: `any of ${ACTIVATION_NAMES.join(', ')}` }),
      clip: attr.float({ optional: true, check: (v) => ((v as number) > 0 ? undefined : 'a positive clip') }),
      direction: attr.string({ default: 'forward', allowed: ['forward', 'reverse', 'bidirectional'] }),
      hidden_size: attr.int({ optional: true }),
      layout: attr.int({ default: 0, allowed: [0, 1], doc: 'opset 14+' }),
      ...extra,
    },
    infer: infer(cell),
    lowering: { kind: 'kernel', compute: compute(cell) },
    coverage: `float32; forward, reverse, bidirectional; layout 0 and 1; initial states; activations (${ACTIVATION_NAMES.join(', ')}) with activation_alpha/beta; clip; ${coverage}; sequence_lens only as a constant of full lengths; one kernel, one item per (direction, batch row) stepping through time in order; each gate sums x W then h R from +0 in increasing k, then + Wb + Rb; hidden_size up to ${MAX_HIDDEN}`,
  });
}

export const RNN = recurrentOp('rnn', 7, {}, 'outputs Y, Y_h');
export const GRU = recurrentOp('gru', 7, { linear_before_reset: attr.int({ default: 0, allowed: [0, 1] }) }, 'linear_before_reset 0 and 1; outputs Y, Y_h');
export const LSTM = recurrentOp('lstm', 7, { input_forget: attr.int({ default: 0, allowed: [0, 1] }) }, 'peepholes P, input_forget; outputs Y, Y_h, Y_c');
