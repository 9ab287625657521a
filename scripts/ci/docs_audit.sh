#!/usr/bin/env bash
# CI lane docs_audit: every shell block of README.md and docs/ runs as documented; generated docs are current
set -euo pipefail
cd "$(dirname "$0")/../.."
mapfile -t files < <(node scripts/ci/lane_tests.mjs docs_audit)
exec npx vitest run "${files[@]}"
