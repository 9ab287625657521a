#!/usr/bin/env bash
# CI lane golden: generated/ against fresh output
set -euo pipefail
cd "$(dirname "$0")/../.."
mapfile -t files < <(node scripts/ci/lane_tests.mjs golden)
exec npx vitest run "${files[@]}"
