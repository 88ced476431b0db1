"""KL and JSD of a model of the authors' Soft-IntroVAE 2-D code, evaluated EVALUATIONS times with fresh draws.

    official_toy2d_evaluations.py run EVALUATIONS MAIN_ARGS...         (in a folder holding their main.py)
    official_toy2d_evaluations.py checkpoint EVALUATIONS DATASET CHECKPOINT

"run" executes their main.py unchanged with MAIN_ARGS (its own training, pictures and single evaluation),
then evaluates the model it trained; "checkpoint" evaluates one of their saves/*.pth. Each evaluation is
their calculate_sample_kl (5,000 real and 5,000 generated points, 100x100 bins) on fresh random draws,
as Toy2D's repeated evaluations are, so the two codes' models can be compared beyond one noisy draw.
Prints one line: the first evaluation and the mean, sd, min and max over all of them.
"""
import os
import random
import runpy
import sys

import numpy as np
import torch

mode, evaluations = sys.argv[1], int(sys.argv[2])
sys.path.insert(0, os.getcwd())
import train_soft_intro_vae_2d as official  # noqa: E402  (their module, from the working folder)

if mode == "run":
    sys.argv = ["main.py"] + sys.argv[3:]
    scope = runpy.run_path("main.py", run_name="__main__")
    model, dataset = scope["model"], scope["args"].dataset
    xy = 2 * scope["scale"] * official.ToyDataset(distr=dataset).range
elif mode == "checkpoint":
    dataset, checkpoint = sys.argv[3], sys.argv[4]
    model = official.SoftIntroVAESimple(x_dim=2, zdim=2, n_layers=3, num_hidden=256)
    model.load_state_dict(torch.load(checkpoint, map_location="cpu")["model"])
    xy = 2 * (1 if dataset == "8Gaussians" else 2) * official.ToyDataset(distr=dataset).range
else:
    sys.exit(f"official_toy2d_evaluations.py: mode must be run or checkpoint, not '{mode}'")

model.eval()
data = official.ToyDataset(distr=dataset)
kl, jsd = [], []
for e in range(evaluations):
    np.random.seed(1000 + e)
    random.seed(1000 + e)
    torch.manual_seed(1000 + e)
    with torch.no_grad():
        for values, use_jsd in ((kl, False), (jsd, True)):
            values.append(official.calculate_sample_kl(model, data, num_samples=5000, hist_bins=100,
                                                       use_jsd=use_jsd, xy_range=(-xy, xy)))
kl, jsd = np.array(kl), np.array(jsd)
print("over %d evaluations: KL %.3f +- %.3f (%.3f to %.3f), JSD %.3f +- %.3f (%.3f to %.3f)" % (
    evaluations, kl.mean(), kl.std(ddof=1), kl.min(), kl.max(), jsd.mean(), jsd.std(ddof=1), jsd.min(), jsd.max()))
