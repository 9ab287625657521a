#!/usr/bin/env bash
# CI lane fuzz_long: 10 000 fuzz cases (or FUZZ_COUNT) under a watchdog; prints the tally.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec npm run fuzz -- --count "${FUZZ_COUNT:-10000}"
