#!/usr/bin/env bash
# CI lane perf_double_pass: gate:the benchmark gate: a regression only when two consecutive passes both exceed the threshold.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec npm run bench
