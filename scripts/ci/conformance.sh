#!/usr/bin/env bash
# CI lane conformance: the ONNX backend node cases (test/fixtures/onnx-node/ and, from Debian's libonnx-testdata, ONNX 1.12's) through the C backend, with the expected-failures manifests
set -euo pipefail
cd "$(dirname "$0")/../.."
mapfile -t files < <(node scripts/ci/lane_tests.mjs conformance)
exec npx vitest run "${files[@]}"
