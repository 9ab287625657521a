#!/usr/bin/env bash
# CI lane xl: generated graphs of 50 000+ nodes and ResNet-50 shape compile within the documented time and memory, same fingerprint twice.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec npm run xl
