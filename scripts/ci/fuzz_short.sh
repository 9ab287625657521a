#!/usr/bin/env bash
# CI lane fuzz_short: a bounded fuzz run of the importer and the whole compile
set -euo pipefail
cd "$(dirname "$0")/../.."
mapfile -t files < <(node scripts/ci/lane_tests.mjs fuzz_short)
exec npx vitest run "${files[@]}"
