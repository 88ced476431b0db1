#!/usr/bin/env bash
# The training step under each option the speed work considered, one preset/objective/batch:
# default (oneDNN on, TF's thread pools, both updates in one session call), thread pools, separate
# E and G runs, XLA JIT, oneDNN off, half and double batch; then NHWC vs NCHW for single convolutions,
# and the decoder's convolutions of upsampled maps folded vs upsample-then-convolve.
#   tools/benchmark-options.sh [preset] [batch] [objective] [timed steps]
#   tools/benchmark-options.sh 28 128 introvae 8
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-28}"; batch="${2:-128}"; objective="${3:-introvae}"; steps="${4:-8}"
source tools/benchmarks-classpath.sh
run() {  # label, extra env, batch, options
  local label="$1" env="$2" b="$3"; shift 3
  local out
  if ! out=$(env $env java -cp "$cp" org.introvae.tools.TrainBenchmark \
      $preset $b 3 $steps $objective "$@" 2>&1); then
    printf '%-34s failed: %s\n' "$label" "$(echo "$out" | grep -m1 -iE 'error|exception' | cut -c1-120)"
    return
  fi
  printf '%-34s %s | %s\n' "$label" "$(echo "$out" | grep -m1 'images/s')" "$(echo "$out" | grep -m1 'achieved')"
}
echo "preset $preset, objective $objective; $steps timed steps after 3 warm-up steps"
run "default (batch $batch)"            "" "$batch"
run "intra-op 2, inter-op 1"            "" "$batch" --intra 2 --inter 1
run "intra-op 1, inter-op 2"            "" "$batch" --intra 1 --inter 2
run "intra-op 1, inter-op 1"            "" "$batch" --intra 1 --inter 1
run "E and G in two session calls"      "" "$batch" --separate
run "XLA JIT ON_1"                      "" "$batch" --xla
run "oneDNN off"                        "TF_ENABLE_ONEDNN_OPTS=0" "$batch"
run "batch $((batch / 2))"              "" "$((batch / 2))"
run "batch $((batch * 2))"              "" "$((batch * 2))"
java -cp "$cp" org.introvae.tools.LayoutProbe
TF_ENABLE_ONEDNN_OPTS=0 java -cp "$cp" org.introvae.tools.LayoutProbe
java -cp "$cp" org.introvae.tools.UpsampleProbe
