#!/usr/bin/env bash
# CI lane conformance: the ONNX backend node cases through the C backend, with the expected-failures manifest
set -euo pipefail
cd "$(dirname "$0")/../.."
mapfile -t files < <(node scripts/ci/lane_tests.mjs conformance)
exec npx vitest run "${files[@]}"
