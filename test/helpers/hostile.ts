// The test MLP with C-hostile text in every model-provided name that can reach
// generated code (graph and node names) and in intermediate value names.
import { encodeModel } from '../../compiler/onnx/proto.ts';
import { mlp } from './models.ts';
import { graphToOnnx } from './onnx.ts';

export const HOSTILE = ['"; system("x"); //', '*/ evil /*', 'line1\nline2 */ int evil2;', 'ünïcødé 名前 ??/ \u2028 end', 'trailing backslash \\'];

/** How each HOSTILE string must look inside a generated comment (see compiler/codegen/names.ts comment()). */
export const HOSTILE_ESCAPED = [
  '\\"; system(\\"x\\"); //',
  '*\\/ evil /\\*',
  'line1\\nline2 *\\/ int evil2;',
  '\\u540d\\u524d ?\\?/ \\u2028',
  'trailing backslash \\\\',
];

export function hostileMlpBytes(): Uint8Array {
  const m = graphToOnnx(mlp());
  m.graph.name = HOSTILE[1];
  // MLP nodes: fc1, relu1, fc2, probs.
  m.graph.node.forEach((n, i) => {
    n.name = [HOSTILE[0], HOSTILE[2], HOSTILE[3], HOSTILE[4]][i];
  });
  const rename = new Map([
    ['fc1', HOSTILE[2]],
    ['relu1', HOSTILE[3]],
    ['fc2', HOSTILE[4]],
  ]);
  for (const n of m.graph.node) {
    n.input = n.input.map((x) => rename.get(x) ?? x);
    n.output = n.output.map((x) => rename.get(x) ?? x);
  }
  return encodeModel(m);
}
