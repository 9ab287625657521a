#!/usr/bin/env bash
# CI lane cuda_compile: every emitted .cu compiles with nvcc for sm_80 and sm_90; strict PTX has no fma/.approx/.ftz
set -euo pipefail
cd "$(dirname "$0")/../.."
mapfile -t files < <(node scripts/ci/lane_tests.mjs cuda_compile)
exec npx vitest run "${files[@]}"
