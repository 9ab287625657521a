// bin/volta.mjs runs dist/ only when dist/SOURCE_DIGEST matches the current sources
// (scripts/source_digest.mjs): an edited, added or removed source, or VOLTA_FROM_SOURCE=1,
// sends it back to the TypeScript sources.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { distIsCurrent, sourceDigest, writeSourceStamp } from '../scripts/source_digest.mjs';

const root = mkdtempSync(join(tmpdir(), 'volta-digest-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function put(rel: string, text: string) {
  mkdirSync(join(root, rel, '..'), { recursive: true });
  writeFileSync(join(root, rel), text);
}

describe('source digest', () => {
  it('dist runs only while it was built from exactly the current sources', () => {
    put('compiler/a.ts', 'export const a = 1;\n');
    put('compiler/sub/b.ts', 'export const b = 2;\n');
    put('templates/c/model.hbs', '{{x}}\n');
    put('runtime/index.ts', "export * from '../compiler/a.ts';\n");
    expect(distIsCurrent(root, {})).toBe(false); // nothing built
    put('dist/compiler/cli.js', '');
    writeSourceStamp(root);
    expect(distIsCurrent(root, {})).toBe(true);
    expect(distIsCurrent(root, { VOLTA_FROM_SOURCE: '1' })).toBe(false);

    put('templates/c/model.hbs', '{{y}}\n'); // an edited template
    expect(distIsCurrent(root, {})).toBe(false);
    put('templates/c/model.hbs', '{{x}}\n'); // the same contents again: current again
    expect(distIsCurrent(root, {})).toBe(true);
    put('compiler/sub/c.ts', ''); // an added file
    expect(distIsCurrent(root, {})).toBe(false);
    rmSync(join(root, 'compiler/sub/c.ts'));
    rmSync(join(root, 'compiler/sub/b.ts')); // a removed file
    expect(distIsCurrent(root, {})).toBe(false);
  });

  it('a file moved to another path changes the digest', () => {
    const a = sourceDigest(root);
    put('compiler/moved.ts', 'export const a = 1;\n');
    rmSync(join(root, 'compiler/a.ts'));
    expect(sourceDigest(root)).not.toBe(a);
  });
});
