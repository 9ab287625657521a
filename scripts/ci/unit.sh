#!/usr/bin/env bash
# CI lane unit: every test file no other lane claims (scripts/ci/lanes.json)
set -euo pipefail
cd "$(dirname "$0")/../.."
mapfile -t files < <(node scripts/ci/lane_tests.mjs unit)
exec npx vitest run "${files[@]}"
