#!/usr/bin/env bash
# CI lane rollback_verify: an older and a newer Volta share one cache safely.
# Builds the previous commit's Volta (ROLLBACK_BASE, default HEAD~1) in a git
# worktree, compiles and runs the example with both into one cache, in both
# orders, and checks: each loads only an artifact built from its own sources
# (older never loads newer's and vice versa), a second run of each is a cache
# hit on its own artifact, and where the generated sources are the same the
# artifact is shared and the outputs are identical bits.
set -euo pipefail
cd "$(dirname "$0")/../.."
here=$(pwd)
base=${ROLLBACK_BASE:-HEAD~1}
work=$(mktemp -d)
trap 'git worktree remove --force "$work/prev" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git worktree add --detach -q "$work/prev" "$base"
(cd "$work/prev" && ONNXRUNTIME_NODE_INSTALL=skip npm ci --prefer-offline --no-audit --no-fund >/dev/null)
# The probe is this commit's: the older checkout gets a copy, run with its own runtime.
mkdir -p "$work/prev/scripts"
cp scripts/ci/rollback_probe.ts "$work/prev/scripts/rollback_probe.ts"
sed -i "s#'../../#'../#g" "$work/prev/scripts/rollback_probe.ts"
cache="$work/cache"
probe_new() { node --import tsx "$here/scripts/ci/rollback_probe.ts" "$cache"; }
probe_old() { (cd "$work/prev" && node --import tsx scripts/rollback_probe.ts "$cache"); }
old1=$(probe_old); new1=$(probe_new); new2=$(probe_new); old2=$(probe_old)
echo "previous ($base): $old1"
echo "current  (HEAD):  $new1"
node - "$old1" "$new1" "$new2" "$old2" <<'JS'
const [o1, n1, n2, o2] = process.argv.slice(2).map((s) => JSON.parse(s));
const fail = (m) => { console.error(`rollback_verify: ${m}`); process.exit(1); };
if (o2.addonPath !== o1.addonPath || !o2.cacheHit) fail('the previous Volta did not reuse its own artifact');
if (n2.addonPath !== n1.addonPath || !n2.cacheHit) fail('the current Volta did not reuse its own artifact');
if (o2.bits !== o1.bits || n2.bits !== n1.bits) fail('a Volta gave different bits on a rerun');
if (o1.addonPath === n1.addonPath) {
  // Shared only when built from the same sources: then the bits must agree.
  if (o1.bits !== n1.bits) fail('a shared artifact gave different outputs');
  console.log('rollback_verify: same generated sources: one shared artifact, identical outputs');
} else {
  console.log(`rollback_verify: separate artifacts (${o1.fingerprint === n1.fingerprint ? 'same fingerprint, other sources' : 'different fingerprints'}); outputs ${o1.bits === n1.bits ? 'identical' : 'differ (the kernels changed)'}`);
}
console.log('1 passed, 0 failed');
JS
