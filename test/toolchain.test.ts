// The toolchain runner (compiler/build/toolchain.ts, through zx): PATH lookup as `which` does it, and a failed
// or missing compiler reported as VOLTA_E_TOOLCHAIN with the exit status, stderr's tail and the command.
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTool, which } from '../compiler/build/toolchain.ts';
import { isVoltaError } from '../compiler/ir/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'volta-toolchain-'));
const tool = (sub: string, name: string, body: string, mode = 0o755) => {
  mkdirSync(join(dir, sub), { recursive: true });
  const p = join(dir, sub, name);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, mode);
  return p;
};

describe('toolchain', () => {
  it('which (zx): the first executable file on PATH; skips non-executables, directories and relative entries', async () => {
    tool('a', 'mycc', 'exit 0', 0o644);
    mkdirSync(join(dir, 'b', 'mycc'), { recursive: true });
    const c = tool('c', 'mycc', 'exit 0');
    tool('d', 'mycc', 'exit 0');
    const path = ['rel', join(dir, 'a'), join(dir, 'b'), join(dir, 'c'), join(dir, 'd')].join(delimiter);
    expect(await which('mycc', path)).toBe(c);
    expect(await which('nosuchtool', path)).toBeUndefined();
  });

  it('runTool: arguments reach the tool as they are (zx quotes each, shell metacharacters stay text); a failure names the code, stderr and command', async () => {
    const echo = tool('e', 'argcheck', '[ "$1" = "a b;c" ] && [ "$2" = \'$x\' ] || { echo bad args >&2; exit 3; }; exit 0');
    await expect(runTool(echo, ['a b;c', '$x'], 'kept.c', dir)).resolves.toBeGreaterThanOrEqual(0);
    const fail = tool('e', 'failing', 'echo first >&2; echo "error: the last line" >&2; exit 7');
    const e = await runTool(fail, ['-c', 'x.c'], 'kept.c', dir).catch((x: unknown) => x);
    expect(isVoltaError(e) && e.code).toBe('VOLTA_E_TOOLCHAIN');
    expect(String((e as Error).message)).toMatch(/exited with code 7/);
    expect(String((e as Error).message)).toContain('error: the last line');
    expect(String((e as Error).message)).toContain(`${fail} -c x.c`);
  });

  it('runTool: a tool that cannot start and one killed by a signal are errors too', async () => {
    const missing = await runTool(join(dir, 'nope', 'cc'), [], 'kept.c', dir).catch((x: unknown) => x);
    expect(isVoltaError(missing) && missing.code).toBe('VOLTA_E_TOOLCHAIN');
    expect(String((missing as Error).message)).toMatch(/could not run/);
    const killed = await runTool(tool('e', 'selfkill', 'kill -9 $$'), [], 'kept.c', dir).catch((x: unknown) => x);
    expect(String((killed as Error).message)).toMatch(/killed by SIGKILL/);
  });
});
