// Writes a whole output directory or nothing: everything goes into a private
// directory beside the target, renamed into place only once complete. A
// compile killed half-way (timeout, Ctrl-C, OOM) leaves at most a `.tmp-`
// sibling, never a target with some files new and some missing or stale.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { VoltaError } from '../ir/errors.ts';

/**
 * Fills `target` through `fill(tmpDir)`. An existing target is replaced only if it is empty or
 * holds `marker` (a previous output of the same kind); anything else is refused, so a mistyped
 * `-o .` never deletes a user's files.
 */
export async function writeDirAtomically<T>(target: string, marker: string, fill: (dir: string) => Promise<T>): Promise<T> {
  if (existsSync(target)) {
    if (!statSync(target).isDirectory()) throw new VoltaError('VOLTA_E_BAD_OPTION', { found: `output ${target} exists and is not a directory` });
    const entries = readdirSync(target);
    if (entries.length > 0 && !entries.includes(marker)) {
      throw new VoltaError('VOLTA_E_BAD_OPTION', {
        found: `output directory ${target} is not empty and holds no ${marker}`,
        hint: 'compile into a new or empty directory (or a previous output directory, which is replaced)',
      });
    }
  }
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const tag = `${process.pid}-${randomUUID().slice(0, 8)}`;
  const tmp = join(parent, `.${basename(target)}.tmp-${tag}`);
  mkdirSync(tmp);
  try {
    const r = await fill(tmp);
    if (existsSync(target)) {
      const old = join(parent, `.${basename(target)}.old-${tag}`);
      renameSync(target, old);
      renameSync(tmp, target);
      rmSync(old, { recursive: true, force: true });
    } else renameSync(tmp, target);
    return r;
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
