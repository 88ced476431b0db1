#!/usr/bin/env bash
# Native-memory soak of the server: Serve runs as its own process (batching on, heap capped at 512 MB so
# that growth would show as native memory) and gets a mix of requests for MINUTES from CLIENTS threads —
# REST and gRPC decode (batch 1) and reconstruct (batch 16), encoded PNGs, wrong shapes over both
# protocols, metadata, samples.png and clients that hang up mid-body. Prints the server's RSS every
# INTERVAL seconds, the requests by kind (answered as expected / not) and the RSS trend over the
# second half (MB per hour and per 100,000 requests).
#   tools/soak-serving.sh [minutes] [clients] [interval seconds] [models dir] [model]
#   tools/soak-serving.sh 30 8 30
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/benchmarks-classpath.sh
java -cp "$cp" org.introvae.tools.ServeSoak "${4:-models}" "${5:-fashion-mnist}" "${1:-30}" "${2:-8}" "${3:-30}"
