#!/usr/bin/env bash
# System packages the lanes need (Debian/Ubuntu), installed when missing: a C/C++ toolchain.
# Workers add theirs here (e.g. libboost-context-dev for cuda-cpu, chromium for the report test,
# dataset-fashion-mnist for training, libonnx-testdata for conformance); .ci/run calls this too.
set -euo pipefail
need=()
command -v g++ >/dev/null || need+=(g++)
# Target cuda-cpu runs CUDA threads as boost.context fibers (templates/cuda_cpu/cuda_cpu.h).
[ -e /usr/include/boost/context/detail/fcontext.hpp ] || need+=(libboost-context-dev)
# The report test opens `volta inspect --report` in Debian's Chromium (never a downloaded browser).
command -v chromium >/dev/null || need+=(chromium)
# Fashion-MNIST for test/train.test.ts (runtime/train/fashion_mnist.ts reads it from here or $VOLTA_FASHION_MNIST).
[ -n "${VOLTA_FASHION_MNIST:-}" ] || [ -e /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || need+=(dataset-fashion-mnist)
# ONNX 1.12's backend node cases for test/conformance_onnx112.test.ts (read from here or $VOLTA_ONNX_TESTDATA).
[ -n "${VOLTA_ONNX_TESTDATA:-}" ] || [ -d /usr/include/onnx/backend/test/data/node ] || need+=(libonnx-testdata)
if [ ${#need[@]} -gt 0 ]; then
  sudo=; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
