#!/usr/bin/env bash
# Whether two training runs of one seed repeat bit for bit: trains twice side by side with one thread
# each, or THREADS (the same graph, batch and thread count on the same CPU), and compares the losses of
# metrics.csv, every column but the time. Prints the step where the runs part, or that they did not.
# Long enough to pass the point where TensorFlow's executor, having timed its kernels for ~90 runs of
# a step, starts running the cheap ones inline and so in another order (the default model: 140 warm-up
# steps, then the objective's step: 300 steps reach 160 of it).
#   tools/repeatability.sh [STEPS] [Train arguments ...]
#   tools/repeatability.sh 300
#   tools/repeatability.sh 200 --model translation --held-out 200
#   THREADS=2 tools/repeatability.sh 300     # two threads each: four on two cores take twice as long
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-300}
shift || true
threads=${THREADS:-1}
root=runs/repeatability
source tools/frozen-classpath.sh "$root/.classes"
for run in a b; do
  rm -rf "${root:?}/$run"
  java -cp "$cp" Train --steps "$steps" --seed 1 --threads "$threads" --log-every 10 --runs "$root" --run "$run" "$@" \
    > "$root/$run.log" 2>&1 &
done
wait
status=0
for run in a b; do
  [ -f "$root/$run/metrics.csv" ] || { echo "run $run left no metrics.csv: see $root/$run.log"; status=1; }
done
[ $status = 0 ] || exit 1
# Every column but the last (seconds): the losses as logged, to float32's shortest round-trip digits.
losses() { awk -F, '{ NF--; print }' OFS=, "$1"; }
first=$(diff <(losses "$root/a/metrics.csv") <(losses "$root/b/metrics.csv") | grep -m1 '^<' || true)
rows=$(($(wc -l < "$root/a/metrics.csv") - 1))
if [ -z "$first" ]; then
  echo "identical: $rows logged steps of 2 runs with $threads thread(s) each, through step $steps (runs in $root/a and $root/b)"
else
  step=${first#< }
  step=${step%%,*}
  echo "the runs part at logged step $step:"
  grep "^$step," "$root/a/metrics.csv" | sed 's/^/  a: /'
  grep "^$step," "$root/b/metrics.csv" | sed 's/^/  b: /'
  exit 1
fi
