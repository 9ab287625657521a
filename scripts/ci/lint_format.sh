#!/usr/bin/env bash
# CI lane lint_format: biome lint and format check over the repository.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec npx biome check .
