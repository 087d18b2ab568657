#!/usr/bin/env python3
"""Writes correspondences in both formats of docs/correspondences.md from known geometry.

The geometry is the analytic test scene of Tests/SplatInitTests/SyntheticScene.swift: an
axis-aligned cube (centre at the origin, half-size `cube_half`) in front of the plane
z = `wall_z`. The scene JSON gives the cameras (OpenCV axes, X_cam = R X_world + t, pixel
centres at +0.5) and the (reference, neighbour) pairs by image name:

  {"cube_half": 0.5, "wall_z": -1.5,
   "cameras": [{"name": "v0.png", "width": 128, "height": 96, "fx": .., "fy": .., "cx": .., "cy": ..,
                "R": [[..], [..], [..]], "t": [.., .., ..]}, ...],
   "pairs": [["v0.png", "v1.png"], ...]}

For each reference pixel centre the true surface point is projected into the neighbour;
certainty is 1 where that point is visible in the neighbour (inside the image, not occluded)
and 0 elsewhere. Usage:

  make_correspondences.py SCENE.json OUTDIR --format dense|list [--grid W H]
"""
import argparse
import json
import os

import numpy as np


def ray_hits(origins, dirs, cube_half, wall_z):
    """Distance along unit rays [N,3] to the first surface; inf where nothing is hit."""
    n = dirs.shape[0]
    best = np.full(n, np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        t_wall = (wall_z - origins[:, 2]) / dirs[:, 2]
        best = np.where((t_wall > 0) & np.isfinite(t_wall), t_wall, best)
        t1 = (-cube_half - origins) / dirs
        t2 = (cube_half - origins) / dirs
    tmin = np.max(np.minimum(t1, t2), axis=1)
    tmax = np.min(np.maximum(t1, t2), axis=1)
    box = (tmin <= tmax) & (tmin > 0)
    return np.where(box & (tmin < best), tmin, best)


def camera_arrays(c):
    K = np.array([[c["fx"], 0, c["cx"]], [0, c["fy"], c["cy"]], [0, 0, 1.0]])
    R = np.array(c["R"], dtype=np.float64)
    t = np.array(c["t"], dtype=np.float64)
    return K, R, t, -R.T @ t


def true_matches(ref, nbr, grid_w, grid_h, cube_half, wall_z):
    """Reference pixel centres [N,2], neighbour pixels [N,2], certainty [N] on a grid."""
    K1, R1, t1, C1 = camera_arrays(ref)
    K2, R2, t2, C2 = camera_arrays(nbr)
    xs = (np.arange(grid_w) + 0.5) * ref["width"] / grid_w
    ys = (np.arange(grid_h) + 0.5) * ref["height"] / grid_h
    u, v = np.meshgrid(xs, ys)
    pix = np.stack([u.ravel(), v.ravel()], axis=1)
    d_cam = np.stack([(pix[:, 0] - K1[0, 2]) / K1[0, 0], (pix[:, 1] - K1[1, 2]) / K1[1, 1], np.ones(len(pix))], axis=1)
    d = d_cam @ R1  # rows are R1^T d
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    t = ray_hits(np.repeat(C1[None], len(d), 0), d, cube_half, wall_z)
    X = C1[None] + t[:, None] * d
    Xc = X @ R2.T + t2
    with np.errstate(divide="ignore", invalid="ignore"):
        q = (Xc @ K2.T)[:, :2] / Xc[:, 2:3]
    ok = np.isfinite(t) & (Xc[:, 2] > 1e-9)
    ok &= (q[:, 0] >= 0) & (q[:, 1] >= 0) & (q[:, 0] < nbr["width"]) & (q[:, 1] < nbr["height"])
    to_x = X - C2[None]
    dist = np.linalg.norm(to_x, axis=1)
    t_back = ray_hits(np.repeat(C2[None], len(d), 0), to_x / dist[:, None], cube_half, wall_z)
    ok &= np.abs(t_back - dist) < 1e-3 * dist
    q = np.where(ok[:, None], q, 0.0)
    return pix, q, ok.astype(np.float32)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("scene")
    ap.add_argument("outdir")
    ap.add_argument("--format", choices=["dense", "list"], required=True)
    ap.add_argument("--grid", nargs=2, type=int, metavar=("W", "H"), help="dense warp size (default: image size)")
    a = ap.parse_args()
    with open(a.scene) as f:
        scene = json.load(f)
    cams = {c["name"]: c for c in scene["cameras"]}
    os.makedirs(a.outdir, exist_ok=True)
    lines = ["# reference neighbour files (docs/correspondences.md)"]
    for k, (rn, nn) in enumerate(scene["pairs"]):
        ref, nbr = cams[rn], cams[nn]
        gw, gh = a.grid if a.grid else (ref["width"], ref["height"])
        if a.format == "list":
            gw, gh = ref["width"], ref["height"]
        pix, q, cert = true_matches(ref, nbr, gw, gh, scene["cube_half"], scene["wall_z"])
        if a.format == "dense":
            warp = np.empty((gh * gw, 4), dtype=np.float32)
            warp[:, 0] = pix[:, 0] / ref["width"] * 2 - 1
            warp[:, 1] = pix[:, 1] / ref["height"] * 2 - 1
            warp[:, 2] = q[:, 0] / nbr["width"] * 2 - 1
            warp[:, 3] = q[:, 1] / nbr["height"] * 2 - 1
            np.save(os.path.join(a.outdir, f"pair{k:03d}.warp.npy"), warp.reshape(gh, gw, 4).astype("<f4"))
            np.save(os.path.join(a.outdir, f"pair{k:03d}.certainty.npy"), cert.reshape(gh, gw).astype("<f4"))
            lines.append(f"{rn} {nn} pair{k:03d}.warp.npy pair{k:03d}.certainty.npy")
        else:
            keep = cert > 0
            rows = np.concatenate([pix[keep], q[keep], cert[keep, None]], axis=1)
            np.savetxt(os.path.join(a.outdir, f"pair{k:03d}.txt"), rows, fmt="%.6f",
                       header="x_ref y_ref x_nbr y_nbr confidence")
            lines.append(f"{rn} {nn} pair{k:03d}.txt")
    with open(os.path.join(a.outdir, "pairs.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
