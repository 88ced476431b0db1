#!/usr/bin/env bash
# Runs the authors' Soft-IntroVAE 2-D code (soft_intro_vae_2d/ of taldatech/soft-intro-vae-pytorch,
# unchanged) with its README protocol, one thread, so its KL/JSD can be set beside Toy2D's per seed.
#
#   tools/official-toy2d.sh OFFICIAL_CHECKOUT DATASET SEED [ITERATIONS [VAE_ITERATIONS]]
#
# OFFICIAL_CHECKOUT is a checkout of the authors' repository (this machine cannot clone GitHub; bring
# one). DATASET is Toy2D's name (8gaussians, 2spirals, checkerboard, rings). The run works in
# runs/official-toy2d/DATASET-seedSEED/ (-ITERATIONS-VAE_ITERATIONS appended when not the README's
# 30,000 and 2,000; the code writes its pictures, checkpoints and
# results_log_soft_intro_vae.txt into its working folder) and prints the code's own result line, then
# KL and JSD over 20 evaluations of the model it trained (tools/official_toy2d_evaluations.py, which runs
# their main.py unchanged and calls their own calculate_sample_kl on fresh draws; Toy2D reports the same).
# Installs Debian's python3-torch (CPU), numpy, matplotlib and tqdm when missing.
set -euo pipefail

if [ $# -lt 3 ]; then
  echo "usage: tools/official-toy2d.sh OFFICIAL_CHECKOUT DATASET SEED [ITERATIONS [VAE_ITERATIONS]]" >&2
  exit 2
fi
checkout=$1 dataset=$2 seed=$3 iterations=${4:-30000} vae=${5:-2000}
code="$checkout/soft_intro_vae_2d"
if [ ! -f "$code/main.py" ] || [ ! -f "$code/train_soft_intro_vae_2d.py" ]; then
  echo "official-toy2d: $code does not hold main.py and train_soft_intro_vae_2d.py" >&2
  exit 2
fi
# The authors' README hyper-parameters; their dataset names.
case "$dataset" in
  8gaussians) name=8Gaussians kl=0.3 rec=0.2 neg=0.9 ;;
  2spirals) name=2spirals kl=0.5 rec=0.2 neg=1.0 ;;
  checkerboard) name=checkerboard kl=0.1 rec=0.2 neg=0.2 ;;
  rings) name=rings kl=0.2 rec=0.2 neg=1.0 ;;
  *) echo "official-toy2d: unknown dataset '$dataset' (8gaussians, 2spirals, checkerboard, rings)" >&2; exit 2 ;;
esac
for n in "$seed" "$iterations" "$vae"; do
  case "$n" in ''|*[!0-9]*) echo "official-toy2d: '$n' must be a whole number" >&2; exit 2 ;; esac
done

python=/usr/bin/python3
if ! "$python" -c 'import torch, numpy, matplotlib, tqdm' 2>/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch python3-numpy python3-matplotlib python3-tqdm >/dev/null
fi

top=$(cd "$(dirname "$0")/.." && pwd)
work="$top/runs/official-toy2d/$dataset-seed$seed"
[ "$iterations/$vae" = 30000/2000 ] || work="$work-$iterations-$vae"
mkdir -p "$work"
cp "$code/main.py" "$code/train_soft_intro_vae_2d.py" "$work/"
cd "$work"
rm -f results_log_soft_intro_vae.txt
# One thread, as Toy2D's table runs: OpenMP/MKL for the kernels, and torch's own pools.
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
start=$(date +%s)
"$python" -u "$top/tools/official_toy2d_evaluations.py" run 20 --dataset "$name" --device -1 --seed "$seed" --lr 2e-4 --num_vae "$vae" \
  --num_iter "$iterations" --beta_kl "$kl" --beta_rec "$rec" --beta_neg "$neg" > train.log 2>&1
end=$(date +%s)
echo "official $dataset seed $seed ($iterations iterations, $vae as VAE, $((end - start)) s): $(grep 'grid-normalized' train.log); $(grep '^over ' train.log)"
echo "log: $work/train.log"
