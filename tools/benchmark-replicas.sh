#!/usr/bin/env bash
# Training throughput with the batch split over 1 and 2 replicas (in-graph data parallelism), run
# alternately in the same session so that both see the same machine. On CPU the replicas are CPU
# devices sharing the same cores: the figure is the replication's overhead, not a speed-up.
#   tools/benchmark-replicas.sh [preset] [batch] [warm-up steps] [timed steps] [rounds] [--device D]
#   tools/benchmark-replicas.sh 28 128 3 10 2
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-28}; batch=${2:-128}; warm=${3:-3}; timed=${4:-10}; rounds=${5:-2}
shift $(( $# < 5 ? $# : 5 ))
source tools/benchmarks-classpath.sh
for round in $(seq "$rounds"); do
  for replicas in 1 2; do
    echo "== round $round, $replicas replica(s)"
    java -cp "$cp" org.introvae.tools.TrainBenchmark \
      "$preset" "$batch" "$warm" "$timed" introvae --replicas "$replicas" "$@" | grep -E "img/s|images/s|replicas|preset"
  done
done
