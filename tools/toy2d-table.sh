#!/usr/bin/env bash
# The Soft-IntroVAE paper's 2-D table: VAE, IntroVAE and Soft-IntroVAE (both update orders for the
# adversarial two) on 8gaussians, 2spirals, checkerboard and rings, Soft-IntroVAE with three seeds on
# 8gaussians and rings; then runs/toy2d-table-<N>/table.md (KL, JSD, gnELBO, it/s per phase) and
# densities.png (contact sheet). Two experiments run side by side, one thread each; cells already
# measured are skipped, so an interrupted table resumes.
#   tools/toy2d-table.sh [iterations=30000] [vae iterations=min(2000, N/15)] [runs dir=runs]
# The full protocol (30,000 iterations per cell) takes many hours on 2 cores; a few thousand iterations
# give a quick table.
set -euo pipefail
cd "$(dirname "$0")/.."
iterations=${1:-30000}
vae=${2:-$(( iterations / 15 < 2000 ? iterations / 15 : 2000 ))}
runs=${3:-runs}
mvn -B -q compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt > /dev/null
cp="app/target/classes:$(cat app/target/classpath.txt)"
mkdir -p "$runs"
for shard in 0 1; do
  java -cp "$cp" org.introvae.toy.Toy2DTable "$iterations" "$vae" "$runs" "$shard/2" 1 > "$runs/toy2d-table-$iterations.shard$shard.log" 2>&1 &
done
wait
java -cp "$cp" org.introvae.toy.Toy2DTable "$iterations" "$vae" "$runs" 0/1 1 | grep -v "^$" | tail -40
