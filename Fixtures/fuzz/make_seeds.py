#!/usr/bin/env python3
"""Writes the fuzz seed corpora in Fixtures/fuzz/<target>/ from the existing Fixtures (numpy only).
Run from the repository root: python3 Fixtures/fuzz/make_seeds.py"""
import json, os, shutil, struct
import numpy as np

F = "Fixtures"
OUT = "Fixtures/fuzz"

def put(target, name, data):
    os.makedirs(f"{OUT}/{target}", exist_ok=True)
    with open(f"{OUT}/{target}/{name}", "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())

def copy(target, *paths):
    for p in paths:
        put(target, os.path.basename(p), open(p, "rb").read())

copy("ply", *[f"{F}/ply/{n}" for n in ["gaussians_deg0.ply", "gaussians_deg1.ply", "gaussians_deg2_ascii_shuffled.ply",
                                       "gaussians_deg2_be_shuffled.ply", "points3D.ply", "points_float_colors.ply"]])
copy("colmap-cameras-bin", f"{F}/colmap_tiny/sparse/0/cameras.bin")
put("colmap-cameras-bin", "fisheye.bin", open(f"{F}/corrupt/cameras_fisheye/sparse/0/cameras.bin", "rb").read())
copy("colmap-images-bin", f"{F}/colmap_tiny/sparse/0/images.bin")
copy("colmap-points-bin", f"{F}/colmap_tiny/sparse/0/points3D.bin")

# Text model, three files joined by NUL; keep 6 keypoints per image and 20 points to stay small.
txt = f"{F}/colmap_tiny/sparse_txt"
images = open(f"{txt}/images.txt").read().split("\n")
short = []
for i, line in enumerate(images):
    if line.startswith("#") or not line: short.append(line); continue
    fields = line.split()
    short.append(" ".join(fields[:18]) if len(fields) > 10 and "." not in fields[-1] else line)
points = [l for l in open(f"{txt}/points3D.txt").read().split("\n")][:23]
put("colmap-txt", "tiny.txt", open(f"{txt}/cameras.txt").read() + "\0" + "\n".join(short) + "\0" + "\n".join(points) + "\n")
put("colmap-txt", "cameras_only.txt", open(f"{txt}/cameras.txt").read())

copy("transforms-json", f"{F}/nerf_ngp/transforms.json")
put("transforms-json", "blender.json", open(f"{F}/nerf_blender/transforms_train.json").read())
put("transforms-json", "nerfstudio.json", open(f"{F}/nerf_nerfstudio/transforms.json").read())

def npy(arr, fortran=False):
    import io
    b = io.BytesIO(); np.save(b, np.asfortranarray(arr) if fortran else arr); return b.getvalue()
rng = np.random.default_rng(0)
put("npy", "warp_f32.npy", npy(rng.uniform(-1, 1, (3, 4, 4)).astype("<f4")))
put("npy", "cert_f64.npy", npy(rng.uniform(0, 1, (3, 4)).astype("<f8")))
put("npy", "cert_f16.npy", npy(rng.uniform(0, 1, (2, 5)).astype("<f2")))
put("npy", "big_endian.npy", npy(rng.uniform(0, 1, (2, 3)).astype(">f4")))
put("npy", "fortran.npy", npy(rng.uniform(0, 1, (2, 3)).astype("<f4"), fortran=True))

put("match-list", "list.txt", "# x_ref y_ref x_nbr y_nbr confidence\n10 10 12 8 0.9\n10.4 10.2 12 8 0.95\n63.9 47.9 10 5 0.5\n0 0 0 0 0\n")

# Checkpoint v1: degree 0, N = 2, views = 3 (layout in Sources/SplatTrain/Checkpoint.swift).
def checkpoint(degree, n, views):
    rc = 3 * ((degree + 1) ** 2 - 1)
    widths = [3, 3, 4, 1, 3, rc]
    head = b"SPLATCKP" + struct.pack("<IIQQQ", 1, degree, n, 7, 7) + struct.pack("<4Q", 1, 2, 3, 4)
    head += struct.pack("<QQd", 4, len(views), 1.5) + b"".join(struct.pack("<I", v) for v in views)
    body = b"".join(rng.normal(0, 1, n * w * 3).astype("<f4").tobytes() for w in widths)
    return head + body
put("checkpoint", "deg0_n2.ckpt", checkpoint(0, 2, [0, 3, 1]))
put("checkpoint", "deg1_n1.ckpt", checkpoint(1, 1, [2]))

put("yaml", "example.yaml", open(f"{F}/example/run.yaml").read())
put("yaml", "configs_example.yaml", open(f"{F}/configs/example.yaml").read())
put("yaml", "nested.yaml", "scene: .\niterations: 10\nlambda_dssim: 0.2\nwhite_background: true\nsh_degree: 1\n")

for n in ["rgb8.png", "rgba16.png", "palette_trns.png", "gray1.png", "rgb8_interlaced.png", "gray_alpha8.png"]:
    copy("png", f"{F}/images/{n}")
for n in ["baseline.jpg", "progressive.jpg", "gray.jpg", "cmyk.jpg", "subsampled.jpg"]:
    copy("jpeg", f"{F}/images/{n}")
copy("spz", f"{F}/export/expected_v2.spz", f"{F}/export/expected_v3.spz")
copy("splat", f"{F}/export/expected.splat")
