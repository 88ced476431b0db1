#!/usr/bin/env bash
# Verifies a GPU install with the gpu profile (TF Java's GPU build + CUDA 12.3 / cuDNN 8.9 from JavaCPP's
# redistributable jars; the machine needs only the NVIDIA driver): the CUDA libraries loaded, the devices
# TensorFlow sees, where a training step's ops ran, then 20 training steps of the 32 preset on --device
# gpu with images/s. On a machine without a GPU everything runs on the CPU, and it says so.
# The first run downloads about 2.5 GB into ~/.m2 (the GPU build and the CUDA libraries).
#   tools/gpu-check.sh [device]      e.g. tools/gpu-check.sh gpu:1
set -euo pipefail
cd "$(dirname "$0")/.."
device=${1:-gpu}
runs=$(mktemp -d)
trap 'rm -rf "$runs"' EXIT
maven_profiles=-Pgpu
source tools/benchmarks-classpath.sh
java -cp "$cp" org.introvae.tools.GpuCheck 32 "$device"
echo "== 20 training steps, preset 32, --device $device"
java -cp "$cp" Train \
  --preset 32 --steps 20 --device "$device" --run gpu-check --runs "$runs" --log-every 5 --image-every 20
