#!/usr/bin/env python3
"""Compares `splat render --depth` output (<name>_depth.npy) with a COLMAP scene's sparse points.

For every rendered view and every sparse point that COLMAP observed in it, the point's
view-space depth z = (R·X + t).z is compared with the .npy value at its observed pixel (scaled
to the render size). Prints per-view and overall median |rendered − z| / z over the pixels
where something was drawn. Usage:

    splat render MODEL --scene SCENE --views test --depth --downscale N -o DIR
    python3 scripts/depth_vs_sparse.py SCENE DIR
"""
import os, struct, sys
import numpy as np


def read_images(path):
    images = {}
    with open(path, "rb") as f:
        (count,) = struct.unpack("<Q", f.read(8))
        for _ in range(count):
            _id, qw, qx, qy, qz, tx, ty, tz, _cam = struct.unpack("<i7di", f.read(64))
            name = b""
            while (c := f.read(1)) != b"\0":
                name += c
            (n2d,) = struct.unpack("<Q", f.read(8))
            obs = np.frombuffer(f.read(24 * n2d), dtype=[("x", "<f8"), ("y", "<f8"), ("id", "<i8")])
            images[name.decode()] = ((qw, qx, qy, qz), np.array([tx, ty, tz]), obs)
    return images


def read_points(path):
    points = {}
    with open(path, "rb") as f:
        (count,) = struct.unpack("<Q", f.read(8))
        for _ in range(count):
            pid, x, y, z, _r, _g, _b, _err, length = struct.unpack("<Q3d3BdQ", f.read(51))
            f.read(8 * length)
            points[pid] = (x, y, z)
    return points


def rotation(q):
    w, x, y, z = q
    return np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
                     [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
                     [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)]])


def main():
    scene, renders = sys.argv[1], sys.argv[2]
    model = scene + "/sparse/0" if os.path.exists(scene + "/sparse/0") else scene + "/sparse"
    images, points = read_images(model + "/images.bin"), read_points(model + "/points3D.bin")
    from PIL import Image
    errors = []
    for name, (q, t, obs) in sorted(images.items()):
        stem = os.path.splitext(name)[0].replace("/", "_")
        npy = os.path.join(renders, stem + "_depth.npy")
        if not os.path.exists(npy):
            continue
        depth = np.load(npy)
        full_w, full_h = Image.open(os.path.join(scene, "images", name)).size
        sx, sy = depth.shape[1] / full_w, depth.shape[0] / full_h
        r = rotation(q)
        view = []
        for o in obs[obs["id"] >= 0]:
            z = (r @ np.array(points[int(o["id"])]) + t)[2]
            u, v = int(o["x"] * sx), int(o["y"] * sy)
            if 0 <= u < depth.shape[1] and 0 <= v < depth.shape[0] and depth[v, u] > 0 and z > 0:
                view.append(abs(depth[v, u] - z) / z)
        if view:
            print(f"{name}: {len(view)} points, median relative depth error {np.median(view):.4f}")
            errors += view
    print(f"all: {len(errors)} points, median relative depth error {np.median(errors):.4f}, "
          f"90th percentile {np.percentile(errors, 90):.4f}")


if __name__ == "__main__":
    main()
