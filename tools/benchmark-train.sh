#!/usr/bin/env bash
# Training throughput and peak memory for a preset and batch size, after warm-up steps.
#   tools/benchmark-train.sh [preset] [batch] [warm-up steps] [timed steps] [objective]
#   tools/benchmark-train.sh 28 128 3 20
#   tools/benchmark-train.sh 32 64 3 10
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q compile exec:java -Dexec.mainClass=org.introvae.tools.TrainBenchmark -Dexec.args="${*:-28 128 3 20 introvae}"
