#!/usr/bin/env bash
# CI lane typecheck: tsc over compiler/, runtime/, test/, bench/, scripts/.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec npx tsc -p tsconfig.json --noEmit
