#!/usr/bin/env bash
# Trains the authors' Soft-IntroVAE image code (soft_intro_vae/ of taldatech/soft-intro-vae-pytorch,
# unchanged) on the 60,000 Fashion-MNIST training images with their Fashion-MNIST configuration
# (widths 64,128, z 32, batch 128, β_kl 1, β_rec 1, β_neg 256, no VAE warm-up), one thread, then scores
# 10,000 of its samples with the same FD-FMNIST-classifier as tools/quality-table.sh (Evaluate --samples
# against the 10,000 test images), so the two implementations meet at an equal budget of images.
#
#   tools/official-images.sh OFFICIAL_CHECKOUT EPOCHS SEED [LR]      (LR: 1e-3 as the quality table's rows)
#
# OFFICIAL_CHECKOUT is a checkout of the authors' repository (this machine cannot clone GitHub; bring one).
# Works in runs/official-images/e<EPOCHS>-lr<LR>-seed<SEED>/: the authors' outputs (figures_fmnist/,
# saves/), train.log, samples-train.idx and samples-eval.idx (batch norm on batch statistics, as the
# authors' FID code samples, and on running averages), eval-*/metrics.json. Prints both FDs.
# Installs Debian's python3-torch, torchvision, numpy, scipy, matplotlib and tqdm when missing.
set -euo pipefail

if [ $# -lt 3 ]; then
  echo "usage: tools/official-images.sh OFFICIAL_CHECKOUT EPOCHS SEED [LR]" >&2
  exit 2
fi
checkout=$1 epochs=$2 seed=$3 lr=${4:-1e-3}
code="$checkout/soft_intro_vae"
if [ ! -f "$code/main.py" ] || [ ! -f "$code/train_soft_intro_vae.py" ]; then
  echo "official-images: $code does not hold main.py and train_soft_intro_vae.py" >&2
  exit 2
fi
for n in "$epochs" "$seed"; do
  case "$n" in ''|*[!0-9]*) echo "official-images: '$n' must be a whole number" >&2; exit 2 ;; esac
done

python=/usr/bin/python3
if ! "$python" -c 'import torch, torchvision, numpy, scipy, matplotlib, tqdm' 2>/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch python3-torchvision python3-numpy \
    python3-scipy python3-matplotlib python3-tqdm >/dev/null
fi

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
tools/install-fashion-mnist.sh > /dev/null
data=/usr/share/datasets/fashion-mnist
work="$top/runs/official-images/e$epochs-lr$lr-seed$seed"
mkdir -p "$work/fmnist_ds/FashionMNIST/raw"
# torchvision reads the unpacked IDX files when they are present and then downloads nothing.
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  [ -f "$work/fmnist_ds/FashionMNIST/raw/$f" ] || gunzip -c "$data/$f.gz" > "$work/fmnist_ds/FashionMNIST/raw/$f"
done

# Evaluate runs from a copy of the classes taken now: another tool's mvn compile during the two-hour
# training would otherwise replace them under the JVM.
source tools/frozen-classpath.sh "$work/classes"

export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
start=$(date +%s)
(cd "$work" && "$python" -u "$code/main.py" --dataset fmnist --device -1 --seed "$seed" --lr "$lr" \
  --num_epochs "$epochs" --num_vae 0 --z_dim 32 --batch_size 128 --beta_kl 1.0 --beta_rec 1.0 --beta_neg 256 \
  > train.log 2>&1)
end=$(date +%s)
checkpoint=$(ls -t "$work"/saves/*model_epoch_$((epochs - 1))_iter_*.pth | head -1)
echo "official Fashion-MNIST, $epochs epoch(s), lr $lr, seed $seed: trained in $((end - start)) s ($checkpoint)"

for mode in train eval; do
  "$python" tools/official_samples.py "$code" "$checkpoint" "$work/samples-$mode.idx" 10000 "$seed" "$mode"
  java -cp "$cp" Evaluate --samples "$work/samples-$mode.idx" --data "$data/t10k-images-idx3-ubyte.gz" \
    --out "$work/eval-$mode" > "$work/eval-$mode.log" 2>&1
  echo "FD-FMNIST-classifier of 10,000 samples ($mode-mode batch norm) vs the test images:" \
    "$(grep -A1 FD-FMNIST "$work/eval-$mode/metrics.json" | tail -1 | tr -d ' ,')"
done
