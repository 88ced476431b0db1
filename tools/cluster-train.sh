#!/usr/bin/env bash
# Multi-machine training on TensorFlow's distributed runtime, on one machine: for each worker count N,
# starts N-1 worker tasks and the chief (task 0) as separate JVMs on 127.0.0.1, trains the same steps
# and prints images/s measured from the chief's metrics.csv (first logged step to last, so start-up and
# graph shipping are left out). On one machine the tasks share its cores: the figure is the
# distributed runtime's overhead; across machines each task brings its own cores or GPU.
#   tools/cluster-train.sh [worker counts] [steps] [extra Train options...]
#   tools/cluster-train.sh "1 2" 60 --preset 28 --batch 128
set -euo pipefail
cd "$(dirname "$0")/.."
counts=${1:-"1 2"}; steps=${2:-60}
shift $(( $# < 2 ? $# : 2 ))
extra=("$@")
[ ${#extra[@]} -gt 0 ] || extra=(--preset 28 --batch 128)
mvn -B -q -pl app -am install -DskipTests >/dev/null
(cd app && mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/classpath.txt >/dev/null)
cp="app/target/classes:$(cat app/target/classpath.txt)"
out=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$out"' EXIT
base=$(( 20000 + RANDOM % 20000 ))
for n in $counts; do
  workers=""
  for t in $(seq 0 $((n - 1))); do workers+="${workers:+,}127.0.0.1:$((base + t))"; done
  base=$((base + n))
  for t in $(seq 1 $((n - 1))); do
    java -cp "$cp" Train --cluster "worker=$workers" --task "$t" > "$out/worker-$n-$t.log" 2>&1 &
  done
  started=$(date +%s)
  java -cp "$cp" Train --cluster "worker=$workers" --task 0 --steps "$steps" --log-every 10 --vae-epochs 0 \
    --image-every 100000 --checkpoint-every 100000 --runs "$out/runs" --run "workers-$n" "${extra[@]}" \
    > "$out/chief-$n.log" 2>&1 || { echo "chief of $n worker(s) failed:"; grep -v " I tensorflow" "$out/chief-$n.log" | tail -5; exit 1; }
  wait
  batch=$(grep -o "batch [0-9]*" "$out/chief-$n.log" | head -1 | cut -d' ' -f2)
  awk -F, -v n="$n" -v b="$batch" -v wall="$(( $(date +%s) - started ))" 'NR == 2 { s0 = $1; t0 = $NF } NR > 2 { s = $1; t = $NF }
    END { printf "%d worker(s): %.1f img/s (%d steps of %d from step %d; run %d s wall with start-up)\n",
          n, (s - s0) * b / (t - t0), s - s0, b, s0, wall }' "$out/runs/workers-$n/metrics.csv"
  grep "^device" "$out/chief-$n.log"
done
