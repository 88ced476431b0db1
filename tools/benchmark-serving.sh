#!/usr/bin/env bash
# Loader and serving figures for an exported model:
#   loader:  ms per decode call, RSS after 1,000 vs 10,000 calls, loader vs bare session.run
#   serving: Serve as a process of its own, the clients in the benchmark's JVM: requests/s and p50/p99
#            latency for REST and gRPC at 1, 16, 32 and 64 clients, batching off and on, for decode at batch 1
#            and reconstruct at batch 1 and 64; CPU per request of clients and server (the server's by
#            thread role); the server's RSS before and after; per setting of TensorFlow's session pools
#            (TF Serving's --tensorflow_intra_op_parallelism and --tensorflow_inter_op_parallelism)
#   tools/benchmark-serving.sh [models dir] [model name] [requests per level] ["intra,inter ..."] [cases]
#     [batching]
#   (default settings: "0,0 0,-1": TensorFlow's choice, one per core, and each call's ops in its calling
#   thread (TF Serving's --tensorflow_inter_op_parallelism=-1); cases: all, or
#   some of decode1,reconstruct1,reconstruct64; batching: off,on (on: batch_timeout_micros 1000), or e.g.
#   on:0,on:3000 to compare timeouts, on:3000:1 for one batch thread; SERVE_JVM_OPTIONS reaches the server's JVM)
set -euo pipefail
cd "$(dirname "$0")/.."
models="${1:-models}"
name="${2:-fashion-mnist}"
requests="${3:-1000}"
pools="${4:-0,0 0,-1}"
cases="${5:-all}"
batching="${6:-off,on}"
source tools/benchmarks-classpath.sh
java -cp "$cp" org.introvae.tools.LoaderBenchmark "$models/$name" 10000
for p in $pools; do
  java -cp "$cp" org.introvae.tools.ServeBenchmark "$models" "$name" "$requests" "$p" "$cases" "$batching"
done
