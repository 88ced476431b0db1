#!/usr/bin/env bash
# Trains the feature classifier behind FD-FMNIST-classifier on the 60,000 Fashion-MNIST training
# images, tests it on the bundled 10,000, and exports it to models/fmnist-classifier/1.
#   tools/train-classifier.sh [epochs=3]
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-fashion-mnist.sh > /dev/null
d=/usr/share/datasets/fashion-mnist
mvn -B -q compile exec:java -Dexec.mainClass=org.introvae.eval.ClassifierTraining -Dexec.args="\
$d/train-images-idx3-ubyte.gz $d/train-labels-idx1-ubyte.gz \
data/fashion-mnist/t10k-images-idx3-ubyte.gz data/fashion-mnist/t10k-labels-idx1-ubyte.gz \
models/fmnist-classifier ${1:-3}"
