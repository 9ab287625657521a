// `npm run golden:update`: rewrites generated/<model>/ for every golden model
// (see test/golden_models.ts) and says which files changed, so the diff can be
// reviewed before it is committed.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GOLDEN_DIR, GOLDEN_MODELS, goldenFiles } from '../test/golden_models.ts';

let changed = 0;
mkdirSync(GOLDEN_DIR, { recursive: true });
for (const m of GOLDEN_MODELS) {
  const dir = join(GOLDEN_DIR, m.name);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(goldenFiles(m))) {
    const path = join(dir, file);
    const old = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    if (old === text) continue;
    writeFileSync(path, text);
    changed++;
    console.log(`${old === undefined ? 'created' : 'updated'} generated/${m.name}/${file}`);
  }
}
// Directories of models no longer in the list would otherwise linger unchecked.
for (const d of readdirSync(GOLDEN_DIR, { withFileTypes: true })) {
  if (d.isDirectory() && !GOLDEN_MODELS.some((m) => m.name === d.name)) {
    rmSync(join(GOLDEN_DIR, d.name), { recursive: true, force: true });
    changed++;
    console.log(`removed generated/${d.name}`);
  }
}
console.log(changed === 0 ? 'golden files are up to date' : `${changed} change(s): review them with git diff generated/`);
