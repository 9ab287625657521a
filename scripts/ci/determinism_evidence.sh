#!/usr/bin/env bash
# CI lane determinism_evidence: evidence:the determinism stress matrix, written to docs/governance/determinism-evidence.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec npm run determinism
