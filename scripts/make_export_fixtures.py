#!/usr/bin/env python3
"""Writes Fixtures/export/: a small degree-3 Gaussian PLY (plyfile) and the .splat and SPZ
encodings of it computed here independently with numpy + gzip, for the Swift export tests.

  python3 scripts/make_export_fixtures.py

Conventions implemented (docs/formats-output.md): values computed in float64 from the float32
parameters, rounding half away from zero, then clamped to the byte range. SPZ converts RDF
(COLMAP) to RUB: negate position y, z, quaternion y, z and SH rest coefficients 0,1,3,6,8,10,11,13.
"""
import gzip
import os
import struct

import numpy as np
from plyfile import PlyData, PlyElement

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Fixtures", "export")
C0 = 0.28209479177387814
DEGREE = 3
M = (DEGREE + 1) ** 2 - 1


def rnd(x):
    """Round half away from zero (C round, Swift .rounded())."""
    x = np.asarray(x, dtype=np.float64)
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def u8(x):
    return np.clip(rnd(x), 0, 255).astype(np.uint8)


def sigmoid(x):
    return 1 / (1 + np.exp(-np.asarray(x, dtype=np.float64)))


def make_cloud(n=16, seed=3):
    rng = np.random.default_rng(seed)
    f = lambda *shape: rng.normal(size=shape).astype(np.float32)
    cloud = {
        "xyz": (f(n, 3) * 3).astype(np.float32),
        "f_dc": f(n, 3),
        "f_rest": (f(n, 3 * M) * 0.4).astype(np.float32),   # channel-major, as in the PLY
        "opacity": (f(n) * 2).astype(np.float32),
        "scale": (f(n, 3) - 3).astype(np.float32),
        "rot": f(n, 4),                                      # w x y z
    }
    # Edge cases: clamped alpha, clamped colour, far position, negative w, zero quaternion,
    # largest component at each index, an exact tie in the .splat sort key.
    cloud["opacity"][0], cloud["opacity"][1] = 20, -20
    cloud["f_dc"][2] = [9, -9, 0]
    cloud["xyz"][3] = [3000, -2500.5, 1.0 / 8192]
    cloud["rot"][4] = [-0.9, 0.1, 0.2, 0.3]
    cloud["rot"][5] = [0, 0, 0, 0]
    cloud["rot"][6:10] = [[0.1, 0.9, 0.2, -0.3], [0.1, 0.2, -0.9, 0.3], [0.1, 0.2, 0.3, -0.9], [0.5, 0.5, -0.5, 0.5]]
    cloud["scale"][11], cloud["opacity"][11] = cloud["scale"][10], cloud["opacity"][10]
    cloud["f_rest"][12] = [2.5, -2.5] * (3 * M // 2) + [0.0]
    return cloud


def write_ply(cloud, path):
    names = (["x", "y", "z", "nx", "ny", "nz", "f_dc_0", "f_dc_1", "f_dc_2"]
             + [f"f_rest_{k}" for k in range(3 * M)]
             + ["opacity", "scale_0", "scale_1", "scale_2", "rot_0", "rot_1", "rot_2", "rot_3"])
    n = len(cloud["opacity"])
    cols = np.concatenate([cloud["xyz"], np.zeros((n, 3), np.float32), cloud["f_dc"], cloud["f_rest"],
                           cloud["opacity"][:, None], cloud["scale"], cloud["rot"]], axis=1)
    arr = np.zeros(n, dtype=[(name, "f4") for name in names])
    for j, name in enumerate(names):
        arr[name] = cols[:, j]
    PlyData([PlyElement.describe(arr, "vertex")]).write(path)


def unit_quat(rot):
    """float64 (w, x, y, z) normalised; zero or non-finite rows become the identity."""
    q = rot.astype(np.float64)
    norm = np.linalg.norm(q, axis=1, keepdims=True)
    bad = ~(norm[:, 0] > 0) | ~np.isfinite(norm[:, 0])
    q = q / np.where(norm > 0, norm, 1)
    q[bad] = [1, 0, 0, 0]
    return q


def encode_splat(c):
    s = c["scale"].astype(np.float64)
    key = np.exp(s.sum(axis=1)) * sigmoid(c["opacity"])
    order = np.argsort(-key, kind="stable")
    out = bytearray()
    q = unit_quat(c["rot"])
    for i in order:
        out += c["xyz"][i].astype("<f4").tobytes()
        out += np.exp(s[i]).astype("<f4").tobytes()
        out += u8((0.5 + C0 * c["f_dc"][i].astype(np.float64)) * 255).tobytes()
        out += u8(sigmoid(c["opacity"][i]) * 255).tobytes()
        out += u8(q[i] * 128 + 128).tobytes()
    return bytes(out)


def pack_smallest_three(q):  # q: x, y, z, w
    largest = int(np.argmax(np.abs(q)))  # first index on ties, as a strict '>' scan
    negate = q[largest] < 0
    word = largest
    for k in range(4):
        if k == largest:
            continue
        sign = int((q[k] < 0) != negate)
        mag = min(511, int(rnd(511 * abs(q[k]) / np.sqrt(0.5))))
        word = (word << 10) | (sign << 9) | mag
    return word


def encode_spz_payload(c, version):
    n = len(c["opacity"])
    flip = np.array([1, -1, -1], np.float64)
    head = struct.pack("<IIIBBBB", 0x5053474E, version, n, DEGREE, 12, 0, 0)
    fixed = np.clip(rnd(c["xyz"].astype(np.float64) * flip * 4096), -(1 << 23), (1 << 23) - 1).astype(np.int64)
    positions = bytearray()
    for v in fixed.reshape(-1):
        positions += int(v & 0xFFFFFF).to_bytes(3, "little")
    alphas = u8(sigmoid(c["opacity"]) * 255).tobytes()
    colors = u8(c["f_dc"].astype(np.float64) * 0.15 * 255 + 127.5).tobytes()
    scales = u8((c["scale"].astype(np.float64) + 10) * 16).tobytes()
    wxyz = unit_quat(c["rot"])
    xyzw = np.concatenate([wxyz[:, 1:], wxyz[:, :1]], axis=1) * np.array([1, -1, -1, 1])
    rotations = bytearray()
    for q in xyzw:
        if version >= 3:
            rotations += struct.pack("<I", pack_smallest_three(q))
        else:
            s = -1 if q[3] < 0 else 1
            rotations += u8(s * q[:3] * 127.5 + 127.5).tobytes()
    # File f_rest is channel-major [n, 3, M]; SPZ wants coefficient-major, RGB inner [n, M, 3].
    sh = c["f_rest"].astype(np.float64).reshape(n, 3, M).transpose(0, 2, 1).copy()
    for k in (0, 1, 3, 6, 8, 10, 11, 13):
        sh[:, k, :] *= -1
    q = rnd(np.clip(sh * 128, -1024, 1024)).astype(np.int64) + 128
    bucket = np.where(np.arange(M) < 3, 8, 16)[None, :, None]
    q = np.clip((q + bucket // 2) // bucket * bucket, 0, 255).astype(np.uint8)
    return head + bytes(positions) + alphas + colors + scales + bytes(rotations) + q.tobytes()


def main():
    os.makedirs(OUT, exist_ok=True)
    cloud = make_cloud()
    write_ply(cloud, os.path.join(OUT, "input.ply"))
    with open(os.path.join(OUT, "expected.splat"), "wb") as f:
        f.write(encode_splat(cloud))
    for version in (2, 3):
        payload = encode_spz_payload(cloud, version)
        with open(os.path.join(OUT, f"expected_v{version}.spz.raw"), "wb") as f:
            f.write(payload)
        # Compressed by Python's gzip, to check our reader against another gzip writer.
        with open(os.path.join(OUT, f"expected_v{version}.spz"), "wb") as f:
            f.write(gzip.compress(payload, mtime=0))
    payload = encode_spz_payload(cloud, 3)
    with open(os.path.join(OUT, "corrupt_bad_magic.spz"), "wb") as f:
        f.write(gzip.compress(b"XGSP" + payload[4:], mtime=0))
    full = gzip.compress(payload, mtime=0)
    with open(os.path.join(OUT, "corrupt_truncated.spz"), "wb") as f:
        f.write(full[: len(full) // 2])
    with open(os.path.join(OUT, "corrupt_huge_count.spz"), "wb") as f:
        f.write(gzip.compress(payload[:8] + struct.pack("<I", 4_000_000_000) + payload[12:], mtime=0))
    with open(os.path.join(OUT, "corrupt_not_gzip.spz"), "wb") as f:
        f.write(payload)


if __name__ == "__main__":
    main()
