// Runs a compiled model entirely in TS: every scheduled kernel plan through the
// interpreter, over buffers laid out like the memory plan's storages. It shares
// the generated code's order and rounding, so it is a bit-exact oracle for the
// C and CUDA backends (and a debugging aid when they disagree).
import type { Compiled } from './compile.ts';
import { interpret } from './eval/interpret.ts';
import { type AnyTypedArray, DTYPES } from './ir/dtype.ts';
import { invariant } from './ir/errors.ts';
import { numel } from './ir/shape.ts';
import type { TensorData } from './ir/tensor.ts';
import { computeReads, kernelReads, kernelWrites } from './kernels/plan.ts';

export function referenceRun(c: Compiled, inputs: readonly TensorData[]): TensorData[] {
  const g = c.graph;
  invariant(inputs.length === g.inputs.length, 'referenceRun: wrong number of inputs');
  const storage = new Map<string, AnyTypedArray>();
  for (const b of c.memory.buffers) {
    if (b.kind === 'input') storage.set(b.id, inputs[b.index].data);
    else if (b.kind === 'const') storage.set(b.id, (g.values.get(b.id)?.data ?? c.schedule.constants.get(b.id)!).data);
    else storage.set(b.id, DTYPES[b.dtype].make(b.bytes / DTYPES[b.dtype].bytes));
  }
  // Plans name value ids; views resolve to their storage.
  const bufs = new Map<string, AnyTypedArray>();
  for (const k of c.schedule.kernels) {
    for (const id of [...kernelWrites(k.plan), ...kernelReads(k.plan)]) bufs.set(id, storage.get(c.memory.bufferOf(id).id)!);
    // The interpreter reads the plan's operands as computed (not their packed copies): originals are graph constants.
    for (const id of computeReads(k.plan)) if (!bufs.has(id)) bufs.set(id, g.value(id).data!.data);
    interpret(k.plan, bufs);
  }
  return g.outputs.map((id, i) => {
    const v = g.value(id);
    const data = storage.get(c.memory.bufferOf(c.schedule.outputs[i]).id)!;
    return { dtype: v.dtype, shape: v.shape, data: data.slice(0, numel(v.shape)) as AnyTypedArray };
  });
}
