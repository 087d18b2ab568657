#!/usr/bin/env python3
"""Writes the scene fixtures in Fixtures/ from the real cup360 and chair scenes, so that the
Swift loaders are tested on files made by another tool:

  Fixtures/example/        cup360, all 77 images area-downscaled to 200x150 (JPEG q90), sparse/0
                           as .bin with intrinsics and keypoints scaled by 1/4 and a fixed random
                           subset of the 3D points (to stay under 2 MB)
  Fixtures/colmap_tiny/    4 cup360 views (200x150) with the points they share: sparse/0 (.bin)
                           and sparse_txt/ (.txt) hold the same model
  Fixtures/nerf_ngp/       the same 4 views as an instant-ngp transforms.json
  Fixtures/nerf_nerfstudio/ the same 4 views as nerfstudio (per-frame intrinsics, camera_model)
  Fixtures/nerf_blender/   3 chair views (2 train, 1 test) at 40x40 RGBA, Blender dialect
  Fixtures/corrupt/        broken variants; corrupt/EXPECTED.txt lists each with the texts its
                           one-line error must contain (tab-separated)

Regenerate: python3 scripts/make_scene_fixtures.py [path/to/shared/data]   (needs pillow, numpy)
"""
import json, math, os, shutil, struct, sys
import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.normpath(os.path.join(HERE, "..", "Fixtures"))
DATA = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data"
CUP = os.path.join(DATA, "cup360")
FACTOR = 4
MODEL_IDS = {"SIMPLE_PINHOLE": 0, "PINHOLE": 1, "SIMPLE_RADIAL": 2, "RADIAL": 3, "OPENCV": 4, "OPENCV_FISHEYE": 5}
MODEL_NAMES = {v: k for k, v in MODEL_IDS.items()}
PARAMS = {0: 3, 1: 4, 2: 4, 3: 5, 4: 8, 5: 8}


# ---------- COLMAP binary read/write (docs/formats-input.md, COLMAP) ----------
def read_model(d):
    cams, imgs, pts = {}, [], {}
    b = open(os.path.join(d, "cameras.bin"), "rb").read(); o = 8
    for _ in range(struct.unpack_from("<Q", b)[0]):
        cid, mid, w, h = struct.unpack_from("<IiQQ", b, o); o += 24
        n = PARAMS[mid]; p = list(struct.unpack_from("<%dd" % n, b, o)); o += 8 * n
        cams[cid] = dict(id=cid, model=mid, w=w, h=h, params=p)
    b = open(os.path.join(d, "images.bin"), "rb").read(); o = 8
    for _ in range(struct.unpack_from("<Q", b)[0]):
        iid, qw, qx, qy, qz, tx, ty, tz, cid = struct.unpack_from("<I7dI", b, o); o += 64
        e = b.index(b"\0", o); name = b[o:e].decode(); o = e + 1
        n = struct.unpack_from("<Q", b, o)[0]; o += 8
        kp = [struct.unpack_from("<ddq", b, o + 24 * k) for k in range(n)]; o += 24 * n
        imgs.append(dict(id=iid, q=[qw, qx, qy, qz], t=[tx, ty, tz], cam=cid, name=name, kp=kp))
    b = open(os.path.join(d, "points3D.bin"), "rb").read(); o = 8
    for _ in range(struct.unpack_from("<Q", b)[0]):
        pid, x, y, z, r, g, bl, err, n = struct.unpack_from("<Q3d3BdQ", b, o); o += 51
        track = [struct.unpack_from("<II", b, o + 8 * k) for k in range(n)]; o += 8 * n
        pts[pid] = dict(id=pid, xyz=[x, y, z], rgb=[r, g, bl], err=err, track=track)
    return cams, imgs, pts


def write_bin(d, cams, imgs, pts):
    os.makedirs(d, exist_ok=True)
    out = struct.pack("<Q", len(cams))
    for c in sorted(cams.values(), key=lambda c: c["id"]):
        out += struct.pack("<IiQQ", c["id"], c["model"], c["w"], c["h"]) + struct.pack("<%dd" % len(c["params"]), *c["params"])
    open(os.path.join(d, "cameras.bin"), "wb").write(out)
    out = struct.pack("<Q", len(imgs))
    for im in imgs:
        out += struct.pack("<I7dI", im["id"], *im["q"], *im["t"], im["cam"]) + im["name"].encode() + b"\0"
        out += struct.pack("<Q", len(im["kp"])) + b"".join(struct.pack("<ddq", *k) for k in im["kp"])
    open(os.path.join(d, "images.bin"), "wb").write(out)
    out = struct.pack("<Q", len(pts))
    for p in sorted(pts.values(), key=lambda p: p["id"]):
        out += struct.pack("<Q3d3BdQ", p["id"], *p["xyz"], *p["rgb"], p["err"], len(p["track"]))
        out += b"".join(struct.pack("<II", *t) for t in p["track"])
    open(os.path.join(d, "points3D.bin"), "wb").write(out)


def write_txt(d, cams, imgs, pts):
    os.makedirs(d, exist_ok=True)
    r = repr  # Python repr round-trips doubles exactly (COLMAP writes 17 significant digits)
    with open(os.path.join(d, "cameras.txt"), "w") as f:
        f.write("# Camera list with one line of data per camera:\n#   CAMERA_ID, MODEL, WIDTH, HEIGHT, PARAMS[]\n")
        for c in sorted(cams.values(), key=lambda c: c["id"]):
            f.write(" ".join([str(c["id"]), MODEL_NAMES[c["model"]], str(c["w"]), str(c["h"])] + [r(v) for v in c["params"]]) + "\n")
    with open(os.path.join(d, "images.txt"), "w") as f:
        f.write("# Image list with two lines of data per image:\n#   IMAGE_ID, QW, QX, QY, QZ, TX, TY, TZ, CAMERA_ID, NAME\n#   POINTS2D[] as (X, Y, POINT3D_ID)\n")
        for im in imgs:
            f.write(" ".join([str(im["id"])] + [r(v) for v in im["q"] + im["t"]] + [str(im["cam"]), im["name"]]) + "\n")
            f.write(" ".join("%s %s %d" % (r(x), r(y), pid) for x, y, pid in im["kp"]) + "\n")
    with open(os.path.join(d, "points3D.txt"), "w") as f:
        f.write("# 3D point list with one line of data per point:\n#   POINT3D_ID, X, Y, Z, R, G, B, ERROR, TRACK[] as (IMAGE_ID, POINT2D_IDX)\n")
        for p in sorted(pts.values(), key=lambda p: p["id"]):
            f.write(" ".join([str(p["id"])] + [r(v) for v in p["xyz"]] + [str(v) for v in p["rgb"]] + [r(p["err"])]
                             + ["%d %d" % t for t in p["track"]]) + "\n")


# ---------- cutting and scaling ----------
def scaled_camera(c):
    """Intrinsics for the image area-downscaled by FACTOR: pixel-corner convention, so every
    pixel coordinate (f, cx, cy) divides by FACTOR."""
    c = dict(c); c["w"] //= FACTOR; c["h"] //= FACTOR
    c["params"] = [v / FACTOR for v in c["params"][:3]] + c["params"][3:]
    return c


def cut(cams, imgs, pts, keep_names, keep_point):
    """Keeps the named images and the chosen points, re-indexing keypoints so that each image
    keeps only observations of kept points (coordinates scaled by 1/FACTOR)."""
    imgs = [im for im in imgs if im["name"] in keep_names]
    ids = {im["id"] for im in imgs}
    kept = {}
    for pid, p in pts.items():
        track = [t for t in p["track"] if t[0] in ids]
        if len(track) >= 2 and keep_point(pid):
            kept[pid] = dict(p, track=track)
    new_imgs, remap = [], {}
    for im in imgs:
        kp = []
        for idx, (x, y, pid) in enumerate(im["kp"]):
            if pid in kept and (im["id"], idx) in {tuple(t) for t in kept[pid]["track"]}:
                remap[(im["id"], idx)] = len(kp)
                kp.append((x / FACTOR, y / FACTOR, pid))
        new_imgs.append(dict(im, kp=kp))
    for p in kept.values():
        p["track"] = [(i, remap[(i, k)]) for i, k in p["track"] if (i, k) in remap]
    kept = {k: p for k, p in kept.items() if len(p["track"]) >= 2}
    used = {im["cam"] for im in new_imgs}
    return {c: scaled_camera(cams[c]) for c in used}, new_imgs, kept


def downscale_image(src, dst, quality=90):
    im = Image.open(src).convert("RGB")
    w, h = im.size[0] // FACTOR, im.size[1] // FACTOR
    a = np.asarray(im, dtype=np.float64)[: h * FACTOR, : w * FACTOR]
    a = a.reshape(h, FACTOR, w, FACTOR, 3).mean(axis=(1, 3))  # area average
    Image.fromarray(np.clip(np.rint(a), 0, 255).astype(np.uint8)).save(dst, quality=quality)


def reset(d):
    """Empties a fixture folder, keeping its hand-written README.md."""
    readme = os.path.join(d, "README.md")
    text = open(readme).read() if os.path.exists(readme) else None
    shutil.rmtree(d, ignore_errors=True); os.makedirs(d)
    if text is not None:
        open(readme, "w").write(text)


# ---------- NeRF conversions ----------
def qmat(q):
    w, x, y, z = np.array(q) / np.linalg.norm(q)
    return np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
                     [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
                     [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)]])


def c2w_opengl(im):
    R = qmat(im["q"]); t = np.array(im["t"])
    M = np.eye(4); M[:3, :3] = R.T; M[:3, 3] = -R.T @ t
    M[:3, 1:3] *= -1  # OpenCV camera axes -> OpenGL (+Y up, +Z back)
    return M.tolist()


def write_point_ply(path, pts):
    """3DGS-style points3D.ply (x y z nx ny nz float, red green blue uchar), same frame as COLMAP."""
    ps = sorted(pts.values(), key=lambda p: p["id"])
    head = ("ply\nformat binary_little_endian 1.0\nelement vertex %d\n" % len(ps)
            + "".join("property float %s\n" % n for n in ["x", "y", "z", "nx", "ny", "nz"])
            + "".join("property uchar %s\n" % n for n in ["red", "green", "blue"]) + "end_header\n")
    body = b"".join(struct.pack("<6f3B", *p["xyz"], 0, 0, 0, *p["rgb"]) for p in ps)
    open(path, "wb").write(head.encode() + body)


def intr(c):
    p = c["params"]
    fx, fy, cx, cy = (p[0], p[0], p[1], p[2]) if c["model"] in (0, 2, 3) else (p[0], p[1], p[2], p[3])
    return fx, fy, cx, cy


def main():
    cams, imgs, pts = read_model(os.path.join(CUP, "sparse", "0"))
    imgs.sort(key=lambda im: im["name"])

    # Example scene: every image, a fixed 45% subset of the points.
    ex = os.path.join(FIX, "example"); reset(ex); os.makedirs(os.path.join(ex, "images"))
    rng = np.random.default_rng(0)
    chosen = {pid for pid in pts if rng.random() < 0.45}
    c2, i2, p2 = cut(cams, imgs, pts, {im["name"] for im in imgs}, lambda pid: pid in chosen)
    write_bin(os.path.join(ex, "sparse", "0"), c2, i2, p2)
    for im in imgs:
        downscale_image(os.path.join(CUP, "images", im["name"]), os.path.join(ex, "images", im["name"]))

    # Tiny model: 4 neighbouring views.
    tiny_names = ["1.jpg", "2.jpg", "3.jpg", "4.jpg"]
    tiny = os.path.join(FIX, "colmap_tiny"); reset(tiny); os.makedirs(os.path.join(tiny, "images"))
    tiny_ids = {im["id"] for im in imgs if im["name"] in tiny_names}
    shared = [pid for pid in sorted(pts) if sum(t[0] in tiny_ids for t in pts[pid]["track"]) >= 2][:150]
    tc, ti, tp = cut(cams, imgs, pts, set(tiny_names), lambda pid: pid in set(shared))
    tc[ti[1]["cam"]]["model"] = 1  # one camera as PINHOLE (fx, fy, cx, cy) for coverage
    p = tc[ti[1]["cam"]]["params"]; tc[ti[1]["cam"]]["params"] = [p[0], p[0], p[1], p[2]]
    write_bin(os.path.join(tiny, "sparse", "0"), tc, ti, tp)
    write_txt(os.path.join(tiny, "sparse_txt"), tc, ti, tp)
    for n in tiny_names:
        shutil.copy(os.path.join(ex, "images", n), os.path.join(tiny, "images", n))

    # instant-ngp and nerfstudio versions of the tiny model.
    for dialect in ["ngp", "nerfstudio"]:
        d = os.path.join(FIX, "nerf_" + dialect); reset(d); os.makedirs(os.path.join(d, "images"))
        frames = []
        for im in ti:
            shutil.copy(os.path.join(tiny, "images", im["name"]), os.path.join(d, "images", im["name"]))
            fr = {"file_path": "images/" + im["name"], "transform_matrix": c2w_opengl(im)}
            if dialect == "nerfstudio":
                c = tc[im["cam"]]; fx, fy, cx, cy = intr(c)
                fr.update(fl_x=fx, fl_y=fy, cx=cx, cy=cy, w=c["w"], h=c["h"])
            frames.append(fr)
        if dialect == "ngp":
            # NGP has one set of intrinsics: use the first camera's; the test compares with it.
            fx, fy, cx, cy = intr(tc[ti[0]["cam"]])
            doc = {"fl_x": fx, "fl_y": fy, "cx": cx, "cy": cy, "w": 200, "h": 150,
                   "k1": 0.0, "k2": 0.0, "p1": 0.0, "p2": 0.0, "aabb_scale": 4, "frames": frames}
        else:
            doc = {"camera_model": "OPENCV", "k1": 0.0, "k2": 0.0, "p1": 0.0, "p2": 0.0, "frames": frames}
        if dialect == "nerfstudio":
            doc["ply_file_path"] = "sparse_pc.ply"
        write_point_ply(os.path.join(d, "points3d.ply" if dialect == "ngp" else "sparse_pc.ply"), tp)
        json.dump(doc, open(os.path.join(d, "transforms.json"), "w"), indent=1)

    # Blender: 2 train + 1 test chair views at 40x40 RGBA.
    chair = os.path.join(DATA, "chair")
    bl = os.path.join(FIX, "nerf_blender"); reset(bl)
    for split, keep in [("train", ["./train/r_0", "./train/r_1"]), ("test", ["./test/r_0"])]:
        doc = json.load(open(os.path.join(chair, "transforms_%s.json" % split)))
        doc["frames"] = [f for f in doc["frames"] if f["file_path"] in keep]
        os.makedirs(os.path.join(bl, split), exist_ok=True)
        for f in doc["frames"]:
            src = os.path.join(chair, f["file_path"][2:] + ".png")
            Image.open(src).convert("RGBA").resize((40, 40), Image.BOX).save(os.path.join(bl, f["file_path"][2:] + ".png"))
        json.dump(doc, open(os.path.join(bl, "transforms_%s.json" % split), "w"), indent=1)

    make_corrupt(tc, ti, tp)


def make_corrupt(tc, ti, tp):
    root = os.path.join(FIX, "corrupt"); reset(root)
    tiny = os.path.join(FIX, "colmap_tiny")
    good = {n: open(os.path.join(tiny, "sparse", "0", n), "rb").read() for n in ["cameras.bin", "images.bin", "points3D.bin"]}
    expected = []

    def variant(name, files, message, images=True):
        d = os.path.join(root, name); os.makedirs(os.path.join(d, "sparse", "0"))
        if images:
            os.symlink("../../colmap_tiny/images", os.path.join(d, "images"))
        for n in good:
            if n in files:
                open(os.path.join(d, "sparse", "0", n), "wb").write(files[n])
            else:  # unchanged files are links to the good model
                os.symlink("../../../../colmap_tiny/sparse/0/" + n, os.path.join(d, "sparse", "0", n))
        expected.append("%s\t%s" % (name, message))

    cams_b, imgs_b, pts_b = good["cameras.bin"], good["images.bin"], good["points3D.bin"]
    for off in [4, 20, len(cams_b) - 3]:
        variant("cameras_truncated_%d" % off, {"cameras.bin": cams_b[:off]}, "cameras.bin: \ttruncated")
    name_end = imgs_b.index(b"\0", 8 + 64)
    for off in [30, name_end - 2, name_end + 40, len(imgs_b) - 1]:
        variant("images_truncated_%d" % off, {"images.bin": imgs_b[:off]},
                "images.bin: \ttruncated")
    variant("points_truncated", {"points3D.bin": pts_b[: len(pts_b) // 2]}, "points3D.bin: \ttruncated")
    variant("images_huge_count", {"images.bin": struct.pack("<Q", 1 << 40) + imgs_b[8:]}, "images.bin: image count 1099511627776")
    kp_off = name_end + 1
    variant("keypoints_huge_count", {"images.bin": imgs_b[:kp_off] + struct.pack("<Q", 1 << 59) + imgs_b[kp_off + 8:]},
            "images.bin: keypoint count 576460752303423488")
    variant("cameras_unknown_model_id", {"cameras.bin": cams_b[:12] + struct.pack("<i", 99) + cams_b[16:]},
            "cameras.bin: camera %d has unknown camera model id 99" % struct.unpack_from("<I", cams_b, 8)[0])
    fish = struct.pack("<Q", 1) + struct.pack("<IiQQ", ti[0]["cam"], 5, 200, 150) + struct.pack("<8d", 100, 100, 100, 75, 0.1, 0, 0, 0)
    variant("cameras_fisheye", {"cameras.bin": fish}, "cameras.bin: camera %d uses the OPENCV_FISHEYE model\tcolmap image_undistorter" % ti[0]["cam"])
    nan = bytearray(imgs_b); struct.pack_into("<d", nan, 12, float("nan"))
    variant("images_nan_pose", {"images.bin": bytes(nan)}, "images.bin: image '%s' has a non-finite or zero pose" % ti[0]["name"])
    unk = bytearray(imgs_b); struct.pack_into("<I", unk, 8 + 60, 999)
    variant("images_unknown_camera", {"images.bin": bytes(unk)}, "images.bin: image '%s' refers to unknown camera id 999" % ti[0]["name"])
    dup = bytearray(imgs_b)
    second = imgs_b.index(ti[1]["name"].encode() + b"\0")  # same length names: 1.jpg / 2.jpg
    dup[second:second + len(ti[0]["name"])] = ti[0]["name"].encode()
    variant("images_duplicate_names", {"images.bin": bytes(dup)}, "images.bin: image name '%s' appears twice" % ti[0]["name"])
    variant("images_trailing_bytes", {"images.bin": imgs_b + b"\0\0\0"}, "images.bin: 3 unexpected bytes")
    # Missing image: an images folder with one file absent.
    variant("missing_image", {}, "images/3.jpg: image file listed in images.bin is missing", images=False)
    os.makedirs(os.path.join(root, "missing_image", "images"))
    for n in ["1.jpg", "2.jpg", "4.jpg"]:
        os.symlink("../../../colmap_tiny/images/" + n, os.path.join(root, "missing_image", "images", n))
    # Text model errors (line numbers).
    for name, fname, edit, message in [
        ("txt_bad_number", "images.txt", lambda s: s.replace(" 1.jpg\n", " 1.jpg\n", 1).replace(repr(ti[0]["q"][0]), "0.9x", 1), "images.txt: line 4: pose value '0.9x' is not a number"),
        ("txt_param_count", "cameras.txt", lambda s: s.replace("SIMPLE_PINHOLE 200 150 ", "SIMPLE_PINHOLE 200 150 7.0 ", 1), "parameters, found 4"),
    ]:
        d = os.path.join(root, name); shutil.copytree(os.path.join(tiny, "sparse_txt"), os.path.join(d, "sparse"))
        os.symlink("../../colmap_tiny/images", os.path.join(d, "images"))
        s = open(os.path.join(d, "sparse", fname)).read(); open(os.path.join(d, "sparse", fname), "w").write(edit(s))
        expected.append("%s\t%s" % (name, message))
    # NeRF errors.
    ngp = json.load(open(os.path.join(FIX, "nerf_ngp", "transforms.json")))
    def nerf(name, text, message):
        d = os.path.join(root, name); os.makedirs(d)
        os.symlink("../../nerf_ngp/images", os.path.join(d, "images"))
        open(os.path.join(d, "transforms.json"), "w").write(text)
        expected.append("%s\t%s" % (name, message))
    nerf("json_syntax", json.dumps(ngp)[:-20], "transforms.json: invalid JSON")
    nerf("json_no_frames", json.dumps(dict(ngp, frames=[])), "transforms.json: no \"frames\" list")
    bad = json.loads(json.dumps(ngp)); bad["frames"][1]["file_path"] = "images/nope.jpg"
    nerf("json_missing_image", json.dumps(bad), "images/nope.jpg: image file listed in transforms.json is missing")
    bad = json.loads(json.dumps(ngp)); bad["frames"][0]["transform_matrix"][0][3] = "x"
    nerf("json_bad_matrix", json.dumps(bad), "transforms.json: frame 0: transform_matrix has non-finite or non-numeric entries")
    open(os.path.join(root, "EXPECTED.txt"), "w").write("\n".join(expected) + "\n")


if __name__ == "__main__":
    main()
