#!/usr/bin/env bash
# Hyper-parameter sweep: one run per grid point with a step budget, each evaluated on its held-out
# images, then runs/<name>/report.md and report.html (metrics table + final grids), sorted.
#   tools/sweep.sh --grid "alpha=0.1,0.25;beta=2,4;margin=20,40" --steps 500 [--sort METRIC] [--name NAME] [-- Train options]
#   tools/sweep.sh --grid "beta-neg=64,256" --steps 500 -- --objective soft
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q compile exec:java -Dexec.mainClass=org.introvae.eval.Sweep -Dexec.args="$*"
