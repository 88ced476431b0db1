#!/usr/bin/env bash
# Loader and REST server figures for an exported model:
#   loader: ms per decode call, RSS after 1,000 vs 10,000 calls, loader vs bare session.run
#   REST:   requests/s and p50/p95/p99 latency at 1, 4, 16 concurrent clients (decode, batch 1)
#   tools/benchmark-serving.sh [models dir] [model name]
set -euo pipefail
cd "$(dirname "$0")/.."
models="${1:-models}"
name="${2:-fashion-mnist}"
mvn -B -q compile exec:java -Dexec.mainClass=org.introvae.tools.LoaderBenchmark -Dexec.args="$models/$name 10000"
mvn -B -q exec:java -Dexec.mainClass=org.introvae.tools.ServeBenchmark -Dexec.args="$models $name 2000"
