// SHA-256 over every file that dist/ is built from (compiler/, runtime/, templates/: relative
// paths and contents, in sorted order). The build records it in dist/SOURCE_DIGEST; bin/volta.mjs
// runs the built JavaScript only when the digest of the current sources still matches, so an edited
// source never runs stale code. Plain JavaScript with no dependencies: it runs before tsx is loaded.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const DIGEST_DIRS = ['compiler', 'runtime', 'templates'];

export function sourceDigest(root) {
  const h = createHash('sha256');
  const walk = (rel) => {
    const entries = readdirSync(join(root, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const r = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(r);
      else if (e.isFile())
        h.update(`${r}\0`)
          .update(readFileSync(join(root, r)))
          .update('\0');
    }
  };
  for (const d of DIGEST_DIRS) if (existsSync(join(root, d))) walk(d);
  return h.digest('hex');
}

/** Whether <root>/dist may run in place of the sources: built from exactly them, and not overridden by VOLTA_FROM_SOURCE=1. */
export function distIsCurrent(root, env = process.env) {
  const stamp = join(root, 'dist', 'SOURCE_DIGEST');
  if (env.VOLTA_FROM_SOURCE === '1' || !existsSync(stamp) || !existsSync(join(root, 'dist', 'compiler', 'cli.js'))) return false;
  return readFileSync(stamp, 'utf8').trim() === sourceDigest(root);
}
