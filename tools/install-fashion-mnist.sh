#!/usr/bin/env bash
# Installs the full Fashion-MNIST (60,000 training + 10,000 test images, MIT licence) from Debian's
# package and prints the Train command for it. data/ ships only the 10,000-image test split.
set -euo pipefail
dir=/usr/share/datasets/fashion-mnist
if [ ! -f "$dir/train-images-idx3-ubyte.gz" ]; then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq dataset-fashion-mnist
fi
ls -l "$dir"
echo
echo "Train on the 60,000 training images:"
echo "  mvn -q compile exec:java -Dexec.mainClass=Train -Dexec.args=\"--data $dir/train-images-idx3-ubyte.gz --preset 28\""
