#!/usr/bin/env python3
"""Independent reference for splat's image metrics, used by Tests/SplatTrainTests.

Usage: metrics_reference.py A.f32 B.f32 WIDTH HEIGHT
A and B are raw little-endian float32 RGB images, [H][W][3] interleaved. Prints two lines:
  psnr <value>   scikit-image peak_signal_noise_ratio, data_range 1, images clamped to [0, 1]
  ssim <value>   the 3DGS definition in numpy/scipy: per channel, 11x11 Gaussian window
                 (sigma 1.5, normalised), zero padding (conv2d padding=5), C1 = 0.01^2,
                 C2 = 0.03^2, mean of the SSIM map over all pixels and channels.
"""
import sys

import numpy as np
from scipy.ndimage import correlate
from skimage.metrics import peak_signal_noise_ratio


def load(path, w, h):
    a = np.fromfile(path, dtype="<f4").astype(np.float64)
    return np.clip(a.reshape(h, w, 3), 0.0, 1.0)


def ssim_3dgs(a, b):
    g = np.exp(-((np.arange(11) - 5.0) ** 2) / (2 * 1.5 ** 2))
    g /= g.sum()
    window = np.outer(g, g)
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    maps = []
    for c in range(3):
        x, y = a[:, :, c], b[:, :, c]
        f = lambda img: correlate(img, window, mode="constant", cval=0.0)
        mx, my = f(x), f(y)
        sxx, syy, sxy = f(x * x) - mx * mx, f(y * y) - my * my, f(x * y) - mx * my
        maps.append(((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2)))
    return float(np.mean(np.stack(maps)))


def main():
    pa, pb, w, h = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    a, b = load(pa, w, h), load(pb, w, h)
    print("psnr %.12g" % peak_signal_noise_ratio(a, b, data_range=1.0))
    print("ssim %.12g" % ssim_3dgs(a, b))


if __name__ == "__main__":
    main()
