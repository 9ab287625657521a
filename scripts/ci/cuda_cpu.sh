#!/usr/bin/env bash
# CI lane cuda_cpu: the emitted CUDA executed on the CPU: bit parity with the C backend in both thread orders
set -euo pipefail
cd "$(dirname "$0")/../.."
mapfile -t files < <(node scripts/ci/lane_tests.mjs cuda_cpu)
exec npx vitest run "${files[@]}"
