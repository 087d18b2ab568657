#!/usr/bin/env python3
"""Writes the PLY test fixtures in Fixtures/ply/ with the independent `plyfile` library, and
reads PLY files back for the Swift tests.

  python3 scripts/make_ply_fixtures.py            # (re)write Fixtures/ply/*
  python3 scripts/make_ply_fixtures.py dump FILE  # print FILE as JSON (names, count, rows)

Every Gaussian fixture stores, for vertex i and property j of the standard 3DGS order
(x y z nx ny nz f_dc_0..2 f_rest_* opacity scale_0..2 rot_0..3),
    value(i, j) = ((i * 7 + j * 3) % 50) / 8 - 3
which is exact in float32 (normals nx, ny, nz are 0), so the Swift tests recompute it and compare bit for bit.
"""
import json
import os
import sys

import numpy as np
from plyfile import PlyData, PlyElement

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Fixtures", "ply")


def names(degree):
    rest = 3 * ((degree + 1) ** 2 - 1)
    return (["x", "y", "z", "nx", "ny", "nz", "f_dc_0", "f_dc_1", "f_dc_2"]
            + [f"f_rest_{k}" for k in range(rest)]
            + ["opacity", "scale_0", "scale_1", "scale_2", "rot_0", "rot_1", "rot_2", "rot_3"])


def value(i, j):
    return ((i * 7 + j * 3) % 50) / 8 - 3


def gaussians(n, degree, order=None, dtype="f4", extra=()):
    canonical = names(degree)
    order = order or canonical
    fields = [(name, dtype) for name in order] + [(name, "f4") for name in extra]
    arr = np.zeros(n, dtype=fields)
    for name in order:
        j = canonical.index(name)
        # Normals are always 0, as 3DGS writes them.
        arr[name] = [0.0 if name in ("nx", "ny", "nz") else value(i, j) for i in range(n)]
    for k, name in enumerate(extra):
        arr[name] = np.arange(n) + 100 * (k + 1)
    return arr


def write(name, elements, text=False, byte_order="<"):
    PlyData(elements, text=text, byte_order=byte_order).write(os.path.join(OUT, name))


def main():
    os.makedirs(OUT, exist_ok=True)
    # Exactly what 3DGS writes (it uses plyfile the same way), degree 3 and degree 1.
    write("gaussians_deg3.ply", [PlyElement.describe(gaussians(5, 3), "vertex")])
    write("gaussians_deg1.ply", [PlyElement.describe(gaussians(4, 1), "vertex")])
    # Shuffled properties, doubles, an extra property, an element with a list before vertex.
    order = names(2)[::-1]
    cams = np.zeros(2, dtype=[("id", "i4"), ("tags", "O")])
    cams["id"] = [7, 8]
    cams["tags"] = [np.array([1, 2, 3], dtype="i4"), np.array([], dtype="i4")]
    cam_el = PlyElement.describe(cams, "camera", val_types={"tags": "i4"}, len_types={"tags": "u1"})
    vert = PlyElement.describe(gaussians(3, 2, order=order, dtype="f8", extra=("confidence",)), "vertex")
    write("gaussians_deg2_ascii_shuffled.ply", [cam_el, vert], text=True)
    write("gaussians_deg2_be_shuffled.ply", [cam_el, vert], byte_order=">")
    # Degree 0: no f_rest at all.
    write("gaussians_deg0.ply", [PlyElement.describe(gaussians(2, 0), "vertex")])

    # points3D.ply as 3DGS converts COLMAP points: float xyz + normals, uchar colours.
    pts = np.zeros(3, dtype=[("x", "f4"), ("y", "f4"), ("z", "f4"), ("nx", "f4"), ("ny", "f4"), ("nz", "f4"),
                             ("red", "u1"), ("green", "u1"), ("blue", "u1")])
    pts["x"], pts["y"], pts["z"] = [1.5, -2, 0.25], [0, 3, -1], [10, 20, 30]
    pts["red"], pts["green"], pts["blue"] = [255, 0, 10], [128, 1, 20], [0, 2, 30]
    write("points3D.ply", [PlyElement.describe(pts, "vertex")])
    ptsf = np.zeros(2, dtype=[("x", "f8"), ("y", "f8"), ("z", "f8"), ("red", "f4"), ("green", "f4"), ("blue", "f4")])
    ptsf["x"], ptsf["y"], ptsf["z"] = [1, 2], [3, 4], [5, 6]
    ptsf["red"], ptsf["green"], ptsf["blue"] = [1.0, 0.0], [0.5, 0.25], [0.0, 2.0]
    write("points_float_colors.ply", [PlyElement.describe(ptsf, "vertex")], text=True)

    # Corrupt variants of the degree-1 file.
    good = open(os.path.join(OUT, "gaussians_deg1.ply"), "rb").read()
    with open(os.path.join(OUT, "corrupt_truncated.ply"), "wb") as f:
        f.write(good[:-10])
    with open(os.path.join(OUT, "corrupt_huge_count.ply"), "wb") as f:
        f.write(good.replace(b"element vertex 4\n", b"element vertex 4000000000000\n"))
    with open(os.path.join(OUT, "corrupt_bad_header.ply"), "wb") as f:
        f.write(good.replace(b"property float opacity\n", b"property flaot opacity\n"))
    with open(os.path.join(OUT, "corrupt_no_end_header.ply"), "wb") as f:
        f.write(good[:200])
    # Ten f_rest properties (degree 1 has nine).
    write("corrupt_rest_count.ply",
          [PlyElement.describe(gaussians(2, 1, order=names(1) + [], extra=("f_rest_9",)), "vertex")])
    # No opacity / scales.
    order = [n for n in names(0) if n not in ("opacity", "scale_1")]
    write("corrupt_missing_property.ply", [PlyElement.describe(gaussians(2, 0, order=order), "vertex")])


def dump(path):
    ply = PlyData.read(path)
    v = ply["vertex"]
    props = [p.name for p in v.properties]
    rows = [[float(v[name][i]) for name in props] for i in range(v.count)]
    print(json.dumps({"names": props, "count": v.count, "rows": rows,
                      "text": ply.text, "byte_order": ply.byte_order}))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "dump":
        dump(sys.argv[2])
    else:
        main()
