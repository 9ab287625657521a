// Files that are not what they claim: a FIFO with no writer, a character
// device, a directory, a huge file. Each is refused with a typed error before
// any byte is read — never a hang or an exhausted heap — by the API and the CLI.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isVoltaError, Volta } from '../runtime/index.ts';

const MODEL = new URL('../examples/mlp/mlp.onnx', import.meta.url).pathname;
const BIN = new URL('../bin/volta.mjs', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'volta-hostile-files-'));
const fifo = join(dir, 'model.fifo');
execFileSync('mkfifo', [fifo]);

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (isVoltaError(e)) return `${e.code}: ${e.message}`;
    throw e;
  }
  return 'no error';
}

describe('files that are not regular files', () => {
  it('a FIFO with no writer: refused at once (VOLTA_E_BAD_MODEL), no hang', () => {
    expect(codeOf(() => Volta.compileOnly(fifo))).toMatch(/^VOLTA_E_BAD_MODEL: .*is a FIFO/);
  });

  it('a character device (/dev/zero): VOLTA_E_BAD_MODEL', () => {
    expect(codeOf(() => Volta.compileOnly('/dev/zero'))).toMatch(/^VOLTA_E_BAD_MODEL: .*is a character device/);
  });

  it('a directory, a missing file: VOLTA_E_BAD_MODEL', () => {
    expect(codeOf(() => Volta.compileOnly(dir))).toMatch(/^VOLTA_E_BAD_MODEL: .*is a directory/);
    expect(codeOf(() => Volta.compileOnly(join(dir, 'absent.onnx')))).toMatch(/^VOLTA_E_BAD_MODEL: .*ENOENT/);
  });

  it('a symlink to a regular model file is read through', () => {
    const link = join(dir, 'link.onnx');
    symlinkSync(MODEL, link);
    expect(Volta.compileOnly(link).fingerprint).toBe(Volta.compileOnly(MODEL).fingerprint);
  });

  it('a file over the size limit is refused before it is read; the limit is an option', () => {
    const big = join(dir, 'big.onnx');
    copyFileSync(MODEL, big);
    expect(codeOf(() => Volta.compileOnly(big, { maxFileBytes: 1000 }))).toMatch(/^VOLTA_E_BAD_MODEL: .*over the limit of 1000/);
    expect(Volta.compileOnly(big, { maxFileBytes: 10_000_000 }).fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('the CLI: compile of a FIFO and run with a FIFO or /dev/zero input exit 1 with the code, within seconds', () => {
    const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
    const out = join(dir, 'out');
    mkdirSync(out, { recursive: true });
    const c = run('compile', fifo, '-o', out);
    expect(c.signal, 'killed by the timeout: the CLI hung').toBeNull();
    expect(c.status).toBe(1);
    expect(c.stderr).toMatch(/^\[VOLTA_E_BAD_MODEL\].*FIFO/);
    const inFifo = join(dir, 'input.fifo');
    execFileSync('mkfifo', [inFifo]);
    const npy = join(dir, 'zero.npy');
    symlinkSync('/dev/zero', npy);
    for (const file of [inFifo, npy]) {
      const r = run('run', MODEL, '--input', `input=${file}`, '--cache', join(dir, 'cache'));
      expect(r.signal, 'killed by the timeout: the CLI hung').toBeNull();
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/^\[VOLTA_E_BAD_INPUT\].*(FIFO|character device)/);
    }
  });
});
