#!/usr/bin/env bash
# Iterations per second of the 2-D experiment (batch 512, the paper's MLPs) in its VAE phase and its
# adversarial phase, for each objective and update order, with one intra-op and one inter-op thread
# (how tools/toy2d-table.sh runs two experiments side by side on two cores).
#   tools/benchmark-toy2d.sh [dataset=8gaussians] [iterations per phase=500] [threads=1]
# With OFFICIAL=<checkout of the authors' repository>, the authors' 2-D code runs the same two phases
# right after ours (tools/official-toy2d.sh, one thread); its rates are tqdm's at the end of each phase.
set -euo pipefail
cd "$(dirname "$0")/.."
dataset=${1:-8gaussians}; n=${2:-500}; threads=${3:-1}
mvn -B -q compile
for case in vae introvae:alternating introvae:simultaneous soft:alternating soft:simultaneous; do
  objective=${case%%:*}; order=${case#*:}; [ "$order" = "$objective" ] && order=alternating
  printf '%-24s ' "$case"
  mvn -B -q exec:java -Dexec.mainClass=Toy2D -Dexec.args="--dataset $dataset --objective $objective --updates $order \
--iterations $((2 * n)) --vae-iterations $n --lr-drops none --log-every 100000 --threads $threads \
--runs runs/benchmark-toy2d --run $objective-$order" | grep -o "[0-9.-]* it/s in the VAE phase, [0-9.-]* in the adversarial phase"
done

if [ -n "${OFFICIAL:-}" ]; then
  printf '%-24s ' "authors' code (soft)"
  log=$(tools/official-toy2d.sh "$OFFICIAL" "$dataset" 92 $((2 * n)) "$n" | sed -n 's/^log: //p')
  # tqdm's rate (a moving average) shown at the last iterations of each phase, before the final plots.
  /usr/bin/python3 - "$log" "$n" <<'EOF'
import re, sys
text, n = open(sys.argv[1]).read().replace("\r", "\n"), int(sys.argv[2])
rates = {}
for it, rate in re.findall(r"\| *(\d+)/\d+ \[[^]]*?, *([0-9.]+)it/s\]", text):
    for phase, end in (("vae", n), ("adversarial", 2 * n)):
        if int(it) <= end - 5:
            rates[phase] = rate
print(f"{rates.get('vae', '-')} it/s in the VAE phase, {rates.get('adversarial', '-')} in the adversarial phase")
EOF
fi
