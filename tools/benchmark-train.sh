#!/usr/bin/env bash
# Training throughput and peak memory for a preset and batch size, after warm-up steps, for each update
# order (alternating, the default, and simultaneous) unless --updates picks one.
#   tools/benchmark-train.sh [preset] [batch] [warm-up steps] [timed steps] [objective] [--updates ORDER]
#   tools/benchmark-train.sh 28 128 3 20
#   tools/benchmark-train.sh 32 64 3 10 soft --updates simultaneous
#   tools/benchmark-train.sh 28-quick 64 3 20 introvae --architecture style
set -euo pipefail
cd "$(dirname "$0")/.."
args="${*:-28 128 3 20 introvae}"
source tools/benchmarks-classpath.sh
if [[ " $args " == *" --updates "* || " $args " == *" vae "* ]]; then
  java -cp "$cp" org.introvae.tools.TrainBenchmark $args
else
  for order in alternating simultaneous; do
    echo "== $order updates"
    java -cp "$cp" org.introvae.tools.TrainBenchmark $args --updates $order
  done
fi
