// Writes `inspect --report` and `--dot` files: the report needs the graph as imported (before
// the passes), so the model is imported once more without running them. Each file is written
// beside its target and renamed into place, never left half-written.
import { renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Compiled, CompileOptions } from '../../compile.ts';
import { toTensorData } from '../../ir/tensor.ts';
import { importDecoded } from '../../onnx/import.ts';
import { decodeModel } from '../../onnx/proto.ts';
import { readRegularFile } from '../../onnx/read_file.ts';
import { graphDot } from './dot.ts';
import { emittedKernels, reportHtml } from './html.ts';

function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

export function writeReport(model: string, o: CompileOptions, c: Compiled, file: string): void {
  const path = resolve(model);
  const bindInputs = o.bindInputs && Object.fromEntries(Object.entries(o.bindInputs).map(([k, t]) => [k, toTensorData(t)]));
  const before = importDecoded(decodeModel(readRegularFile(path, { what: 'model', code: 'VOLTA_E_BAD_MODEL' })), {
    baseDir: dirname(path),
    inputShapes: o.inputShapes,
    bindInputs,
  });
  writeAtomically(resolve(file), reportHtml({ model, before, compiled: c, timings: c.timings }));
}

export function writeDot(c: Compiled, file: string): void {
  const names = emittedKernels(c, c.options.target === 'cuda' ? 'cuda' : 'c').map((k) => k.name ?? `k${k.index}`);
  writeAtomically(resolve(file), graphDot(c, names));
}
