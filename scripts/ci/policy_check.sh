#!/usr/bin/env bash
# CI lane policy_check: policies (docs/governance/) name existing tests; CI lanes, flake registry and changelog are consistent
set -euo pipefail
cd "$(dirname "$0")/../.."
mapfile -t files < <(node scripts/ci/lane_tests.mjs policy_check)
exec npx vitest run "${files[@]}"
