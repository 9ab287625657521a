// Golden files: the generated C/CUDA/glue/IR/fingerprint of a few models are
// checked in under generated/, so any change to what Volta emits shows up as a
// reviewable diff. On a mismatch: run `npm run golden:update` and review it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_DIR, exampleModel } from '../scripts/make_example_model.ts';
import { GOLDEN_DIR, GOLDEN_FILES, GOLDEN_MODELS, goldenFiles } from './golden_models.ts';

const UPDATE = 'If the change is intended, run `npm run golden:update` and review the diff (git diff generated/) before committing.';

/** A unified-style excerpt of the first differing region (common head and tail trimmed, 3 lines of context). */
export function diffExcerpt(expected: string, actual: string, maxLines = 12): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const from = Math.max(0, head - 3);
  const removed = a.slice(head, a.length - tail);
  const added = b.slice(head, b.length - tail);
  const cut = (lines: string[], sign: string) => [
    ...lines.slice(0, maxLines).map((l) => `${sign}${l}`),
    ...(lines.length > maxLines ? [`${sign}... (${lines.length - maxLines} more lines)`] : []),
  ];
  return [
    `@@ -${head + 1},${removed.length} +${head + 1},${added.length} @@`,
    ...a.slice(from, head).map((l) => ` ${l}`),
    ...cut(removed, '-'),
    ...cut(added, '+'),
    ...a.slice(a.length - tail, a.length - tail + 3).map((l) => ` ${l}`),
  ].join('\n');
}

describe('golden generated files', () => {
  it('examples/mlp is what scripts/make_example_model.ts writes (byte for byte)', () => {
    const { model, input } = exampleModel();
    const same = (file: string, bytes: Uint8Array) => Buffer.from(bytes).equals(readFileSync(join(EXAMPLE_DIR, file)));
    expect(same('mlp.onnx', model), 'examples/mlp/mlp.onnx differs: run `npm run example:model`').toBe(true);
    expect(same('input.pb', input), 'examples/mlp/input.pb differs: run `npm run example:model`').toBe(true);
  });

  it('generated/ holds one directory per golden model and nothing else', () => {
    const dirs = readdirSync(GOLDEN_DIR, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    expect(dirs, UPDATE).toEqual(GOLDEN_MODELS.map((m) => m.name).sort());
  });

  for (const m of GOLDEN_MODELS) {
    it(`generated/${m.name} (${m.what}) matches what Volta emits now`, () => {
      const problems: string[] = [];
      const files = goldenFiles(m);
      for (const file of GOLDEN_FILES) {
        const path = join(GOLDEN_DIR, m.name, file);
        if (!existsSync(path)) {
          problems.push(`generated/${m.name}/${file} is missing`);
          continue;
        }
        const checkedIn = readFileSync(path, 'utf8');
        if (checkedIn !== files[file]) problems.push(`generated/${m.name}/${file} differs (- checked in, + now):\n${diffExcerpt(checkedIn, files[file])}`);
      }
      if (problems.length > 0) throw new Error(`${problems.join('\n\n')}\n\n${UPDATE}`);
    });
  }

  it('the diff excerpt shows the changed lines with context', () => {
    const d = diffExcerpt('a\nb\nc\nd\ne\nf\n', 'a\nb\nc\nD\ne\nf\n');
    expect(d).toBe(['@@ -4,1 +4,1 @@', ' a', ' b', ' c', '-d', '+D', ' e', ' f', ' '].join('\n'));
  });
});
