#!/usr/bin/env bash
# The Soft-IntroVAE paper's 2-D table: vae, introvae and soft on 8gaussians, 2spirals, checkerboard and
# rings, then runs/toy2d-table-<N>/table.md (KL, JSD, gnELBO) and densities.png (contact sheet).
#   tools/toy2d-table.sh [iterations=30000] [vae iterations=min(2000, N/15)]
# The full protocol (30,000 iterations × 12 runs) takes many hours on 2 cores; a few thousand
# iterations give a quick table.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q compile exec:java -Dexec.mainClass=org.introvae.toy.Toy2DTable -Dexec.args="${*:-30000}"
