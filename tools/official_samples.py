"""Samples of a model trained by the authors' Soft-IntroVAE image code, as an IDX file for Evaluate --samples.

    official_samples.py CODE_DIR CHECKPOINT OUT.idx COUNT SEED MODE

CODE_DIR is the authors' soft_intro_vae/ folder (their model class is imported from it), CHECKPOINT one of
their saves/*.pth for Fashion-MNIST (widths 64,128, z 32). MODE "train" decodes as their own FID code does
(batch normalisation on each batch of 128 samples' statistics); "eval" uses the running averages.
Pixels are converted as their FID code converts them: clip(x * 255, 0, 255) truncated to uint8.
"""
import struct
import sys

import numpy as np
import torch

code_dir, checkpoint, out, count, seed, mode = sys.argv[1:7]
count, seed = int(count), int(seed)
if mode not in ("train", "eval"):
    sys.exit(f"official_samples.py: MODE must be train or eval, not '{mode}'")
sys.path.insert(0, code_dir)
from train_soft_intro_vae import SoftIntroVAE  # noqa: E402  (the authors' network)

model = SoftIntroVAE(cdim=1, zdim=32, channels=[64, 128], image_size=28)
model.load_state_dict(torch.load(checkpoint, map_location="cpu")["model"])
model.train(mode == "train")
torch.manual_seed(seed)
batches = []
with torch.no_grad():
    for _ in range(0, count, 128):
        x = model.sample(torch.randn(128, 32)).numpy()
        batches.append(np.clip(x * 255, 0, 255).astype(np.uint8))
images = np.concatenate(batches)[:count].reshape(count, 28, 28)
with open(out, "wb") as f:
    f.write(struct.pack(">IIII", 0x803, count, 28, 28))
    f.write(images.tobytes())
print(f"{count} samples ({mode} mode) -> {out}")
