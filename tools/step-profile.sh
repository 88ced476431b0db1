#!/usr/bin/env bash
# Where one training step's time goes: TF step stats per op type (runs per step, ms, share, GFLOP/s of
# the convolution and matrix kernels), the slowest single nodes, and the FLOPs the kernels that ran
# did per image next to the analytic count.
#   tools/step-profile.sh [preset] [batch] [objective] [traced steps]
#   tools/step-profile.sh 28 128 soft 3
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/benchmarks-classpath.sh
if [ $# -eq 0 ]; then set -- 28 128 introvae 3; fi
java -cp "$cp" org.introvae.tools.StepProfile "$@"
