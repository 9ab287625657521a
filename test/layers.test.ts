// The compiler's layers, kept honest: every import in compiler/ and runtime/
// goes to the same layer or one before it. Ops declare, kernels plan, passes
// and the schedule order plans, codegen renders them, build compiles them.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

/** Layers in order; a file may import its own layer and the ones before it. */
const LAYERS: readonly { name: string; files: RegExp }[] = [
  { name: 'ir', files: /^compiler\/(ir\/|version\.ts$)/ },
  { name: 'ops', files: /^compiler\/ops\// },
  { name: 'kernels', files: /^compiler\/kernels\// },
  { name: 'eval', files: /^compiler\/eval\// },
  { name: 'onnx', files: /^compiler\/onnx\// },
  { name: 'passes/schedule', files: /^compiler\/(passes|schedule|autograd|train)\// },
  { name: 'codegen', files: /^compiler\/codegen\// },
  { name: 'build', files: /^compiler\/build\// },
  { name: 'compile', files: /^compiler\/(compile|fingerprint|reference)\.ts$/ },
  { name: 'runtime', files: /^runtime\// },
  { name: 'cli', files: /^compiler\/(cli\/|cli\.ts$)/ },
];

function layerOf(file: string): number {
  const i = LAYERS.findIndex((l) => l.files.test(file));
  if (i < 0) throw new Error(`${file} belongs to no layer: add it to LAYERS in test/layers.test.ts`);
  return i;
}

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Relative module specifiers of static imports, re-exports and dynamic imports (type-only ones too). */
export function importsOf(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(
    /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|^import\s*['"]([^'"]+)['"]/gm,
  )) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec.startsWith('.')) out.push(spec);
  }
  return out;
}

const FILES = [...sources('compiler'), ...sources('runtime')].sort();

describe('layers', () => {
  it('every file imports only its own layer or earlier ones, and ir imports nothing else of the compiler', () => {
    const violations: string[] = [];
    for (const file of FILES) {
      const from = layerOf(file);
      for (const spec of importsOf(readFileSync(join(ROOT, file), 'utf8'))) {
        const target = relative(ROOT, resolve(ROOT, dirname(file), spec));
        const to = layerOf(target);
        if (to > from) violations.push(`${file} (${LAYERS[from].name}) imports ${target} (${LAYERS[to].name})`);
        if (LAYERS[from].name === 'ir' && to !== from) violations.push(`${file} (ir) imports ${target}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('sees the imports it must judge', () => {
    // The checker itself: an upward import in any of these forms is found.
    const text = [
      "import { a } from '../codegen/emit.ts';",
      "import type { B } from '../build/build.ts';",
      "export { c } from '../codegen/kernels.ts';",
      "const m = await import('../build/toolchain.ts');",
      "import {\n  d,\n  e,\n} from '../codegen/names.ts';",
    ].join('\n');
    expect(importsOf(text)).toEqual(['../codegen/emit.ts', '../build/build.ts', '../codegen/kernels.ts', '../build/toolchain.ts', '../codegen/names.ts']);
    expect(layerOf('compiler/ops/matmul.ts')).toBeLessThan(layerOf('compiler/kernels/plan.ts'));
    expect(layerOf('compiler/kernels/plan.ts')).toBeLessThan(layerOf('compiler/schedule/schedule.ts'));
    expect(layerOf('compiler/schedule/schedule.ts')).toBeLessThan(layerOf('compiler/codegen/emit.ts'));
  });
});
