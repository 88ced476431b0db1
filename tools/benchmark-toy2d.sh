#!/usr/bin/env bash
# Seconds per 2-D iteration (batch 512, the paper's MLPs) for each objective, with the share spent
# generating data in Java and in session.run (feeds, compute, fetches). Runs 500 adversarial iterations each.
#   tools/benchmark-toy2d.sh [dataset=8gaussians] [iterations=500]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q compile
for objective in vae introvae soft; do
  mvn -B -q exec:java -Dexec.mainClass=Toy2D -Dexec.args="--dataset ${1:-8gaussians} --objective $objective \
--iterations ${2:-500} --vae-iterations 0 --lr-drops none --log-every 100000 --runs runs/benchmark-toy2d" \
    | grep -E "ms per iteration"
done
