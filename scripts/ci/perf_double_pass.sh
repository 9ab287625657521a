#!/usr/bin/env bash
# CI lane perf_double_pass: the benchmark gate (npm run bench:gate against bench/baselines/main.json): a regression only when two consecutive passes both exceed the threshold.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec npm run bench:gate
