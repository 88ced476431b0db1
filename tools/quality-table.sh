#!/usr/bin/env bash
# The equal-budget image table: trains on the 60,000 Fashion-MNIST training images with the authors'
# configuration (preset 28: widths 64,128, z 32, batch 128; Soft-IntroVAE β_kl 1, β_rec 1, β_neg 256; no
# VAE warm-up, as the authors' code for Fashion-MNIST), evaluates each run on the 10,000 test images
# (FD-FMNIST-classifier of 10,000 samples, reconstruction MSE, IWAE log p(x) with K = 100, OOD AUROC
# against MNIST digits) and writes runs/quality/table.md and samples.png (64 samples per run).
#   tools/quality-table.sh EPOCHS [ROW ...]     ROW = vae | introvae:alternating | soft:simultaneous | ...
#                                               | soft:alternating:bootstrap (the bootstrap, γ_r = 1 as its authors')
#   PARALLEL=2 THREADS=1 tools/quality-table.sh 1        # two runs side by side, one thread each
#   LR=1e-3 QUALITY_ROOT=runs/quality-lr1e-3 tools/quality-table.sh 1   # another learning rate, its own table
#   SEED=2 ... tools/quality-table.sh 1 soft:alternating                # another seed: rows named ...-seed2
#   BETA_NEG=128 ... tools/quality-table.sh 3 soft:alternating          # another β_neg: rows named ...-bneg128
# Finished runs are skipped, so the script can be re-run (or run with more epochs) to extend the table.
# At ~30-70 images/s an epoch takes 15-35 minutes per run here: run it in the background with nohup.
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${1:?usage: tools/quality-table.sh EPOCHS [ROW ...]}
shift
rows=("$@")
[ ${#rows[@]} -gt 0 ] || rows=(vae introvae:alternating introvae:simultaneous soft:alternating soft:simultaneous)
parallel=${PARALLEL:-1}
threads=${THREADS:-0}
root=${QUALITY_ROOT:-runs/quality}
lr=${LR:-2e-4}  # the authors' rate for Fashion-MNIST
seed=${SEED:-1}
beta_neg=${BETA_NEG:-}  # empty: the preset's

tools/install-fashion-mnist.sh > /dev/null
train=/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
test=/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz
mnist=$(tools/install-mnist.sh | tail -1)
mkdir -p "$root"
source tools/frozen-classpath.sh "$root/.classes"   # the runs train for hours: a copy of the classes

one() {
  local row=$1 objective=${1%%:*} updates=${1#*:} extra=()
  [ "$updates" = "$objective" ] && updates=alternating
  local suffix=""
  if [ "${updates#*:}" = bootstrap ]; then updates=${updates%%:*}; extra=(--bootstrap --gamma-r 1); suffix=-bootstrap; fi
  if [ -n "$beta_neg" ] && [ "$objective" = soft ]; then extra+=(--beta-neg "$beta_neg"); suffix+="-bneg$beta_neg"; fi
  local name="e${epochs}-${objective}$([ "$objective" = vae ] || echo "-$updates")$suffix$([ "$seed" = 1 ] || echo "-seed$seed")"
  if [ ! -f "$root/$name/eval/metrics.json" ]; then
    rm -rf "$root/$name"
    java -Xmx6g -cp "$cp" Train --data "$train" --preset 28 --objective "$objective" --updates "$updates" \
      --epochs "$epochs" --lr "$lr" --seed "$seed" --vae-epochs 0 --held-out 0.002 --threads "$threads" --log-every 20 \
      --runs "$root" --run "$name" "${extra[@]}" > "$root/$name.log" 2>&1
    java -Xmx6g -cp "$cp" Evaluate --run "$root/$name" --data "$test" --ood "$mnist" --images 1000 \
      > "$root/$name.eval.log" 2>&1
  fi
  echo "$name: $(grep -m1 -A1 FD-FMNIST "$root/$name/eval/metrics.json" | tail -1 | tr -d ' ,')"
}
export -f one
export epochs threads lr seed beta_neg root train test mnist cp
printf '%s\n' "${rows[@]}" | xargs -P "$parallel" -I{} bash -c 'one {}'

if [ ! -f "$root/floor.json" ]; then  # the training images against the test images: the best FD a model could reach
  java -cp "$cp" Evaluate --samples "$train" --data "$test" --out "$root/floor" > /dev/null
  cp "$root/floor/metrics.json" "$root/floor.json"
fi
java -cp "$cp" org.introvae.eval.QualityTable "$root" "$root/floor.json"
