#!/usr/bin/env python3
"""Right-half held-out PSNR of test renders, as rendered and after an affine colour fit on the
left half (docs/config.md, "Exposure compensation"), for several strengths of the pull towards
the identity. Independent of splat's own HeldOutExposureFit (numpy least squares).

    splat render MODEL --scene SCENE --views test --downscale N -o DIR
    python3 scripts/exposure_fit_compare.py DIR SCENE/images N
"""
import os, sys
import numpy as np
from PIL import Image


def psnr(a, b):
    return -10 * np.log10(np.mean((np.clip(a, 0, 1) - np.clip(b, 0, 1)) ** 2))


def main():
    renders, photos, down = sys.argv[1], sys.argv[2], int(sys.argv[3])
    by_stem = {os.path.splitext(f)[0]: f for f in os.listdir(photos)}
    names = [f for f in sorted(os.listdir(renders)) if f.endswith(".png") and not f.endswith(("_depth.png", "_alpha.png"))]
    ridges = [0.0, 0.01, 0.03, 0.1, 0.3]
    scores = {"as rendered": []} | {f"fit, ridge {r:g}": [] for r in ridges}
    identity = np.vstack([np.eye(3), np.zeros((1, 3))])
    for name in names:
        r = np.asarray(Image.open(os.path.join(renders, name)).convert("RGB"), dtype=np.float64) / 255
        h, w, _ = r.shape
        t = np.asarray(Image.open(os.path.join(photos, by_stem[name[:-4]])).convert("RGB"), dtype=np.float64)
        t = t[: h * down, : w * down].reshape(h, down, w, down, 3).mean((1, 3)) / 255  # area downscale
        half = w // 2
        x_left = np.hstack([r[:, :half].reshape(-1, 3), np.ones((h * half, 1))])
        x_right = np.hstack([r[:, half:].reshape(-1, 3), np.ones((h * (w - half), 1))])
        t_left, t_right = t[:, :half].reshape(-1, 3), t[:, half:].reshape(-1, 3)
        scores["as rendered"].append(psnr(x_right[:, :3], t_right))
        for lam in ridges:
            n = len(x_left) * max(lam, 1e-9)
            weights = np.linalg.solve(x_left.T @ x_left + n * np.eye(4), x_left.T @ t_left + n * identity)
            scores[f"fit, ridge {lam:g}"].append(psnr(x_right @ weights, t_right))
    for k, v in scores.items():
        print(f"{k}: right-half PSNR {np.mean(v):.3f} dB over {len(v)} views")


if __name__ == "__main__":
    main()
