#!/usr/bin/env python3
"""Writes the small PNG/JPEG decoder fixtures in Fixtures/images/ with Pillow (and a hand-rolled
PNG writer for 16-bit colour, which Pillow cannot write), so that our decoders are checked
against files made by another tool. Pixel values follow formulas that the Swift tests recompute;
JPEG expectations are Pillow's own decode, stored in *.expected.bin (raw 8-bit pixels).

Regenerate: python3 scripts/make_image_fixtures.py   (needs pillow, numpy)
"""
import os, struct, zlib
import numpy as np
from PIL import Image

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fixtures", "images")
W, H = 7, 5  # odd sizes catch stride bugs


def pattern(c):
    """Channel c of pixel (x, y) = (x*37 + y*11 + c*71) % 256, as the Swift tests compute it."""
    y, x = np.mgrid[0:H, 0:W]
    return ((x * 37 + y * 11 + c * 71) % 256).astype(np.uint8)


def save(img, name, **kw):
    img.save(os.path.join(ROOT, name), **kw)


def png16(name, channels):
    """16-bit PNG, colour type 2 (RGB) or 6 (RGBA); sample = pattern * 257 + (x*3 + y) so that
    the low byte matters for rounding. Written by hand: Pillow cannot write 16-bit colour."""
    ctype = {3: 2, 4: 6}[channels]
    raw = b""
    for y in range(H):
        raw += b"\x00"
        for x in range(W):
            for c in range(channels):
                v = ((x * 37 + y * 11 + c * 71) % 256) * 257 + (x * 3 + y)
                v = min(v, 65535)
                raw += struct.pack(">H", v)
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 16, ctype, 0, 0, 0))
    data += chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    open(os.path.join(ROOT, name), "wb").write(data)


def png_adam7(name):
    """8-bit RGB PNG with Adam7 interlacing (Pillow cannot write it): the seven passes, each a
    sub-image of filtered rows, in one zlib stream. Pixels follow pattern()."""
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
    raw = b""
    for x0, y0, dx, dy in passes:
        xs, ys = list(range(x0, W, dx)), list(range(y0, H, dy))
        if not xs or not ys:
            continue
        for y in ys:
            raw += b"\x00" + bytes(((x * 37 + y * 11 + c * 71) % 256) for x in xs for c in range(3))
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 8, 2, 0, 0, 1))
    data += chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    open(os.path.join(ROOT, name), "wb").write(data)


def main():
    os.makedirs(ROOT, exist_ok=True)
    r, g, b, a = (pattern(c) for c in range(4))
    save(Image.fromarray(np.stack([r, g, b], -1), "RGB"), "rgb8.png")
    save(Image.fromarray(np.stack([r, g, b, a], -1), "RGBA"), "rgba8.png")
    save(Image.fromarray(r, "L"), "gray8.png")
    save(Image.fromarray(np.stack([r, g], -1), "LA"), "gray_alpha8.png")
    # 16-bit gray: value = pattern*257 + x (Pillow mode I;16).
    y, x = np.mgrid[0:H, 0:W]
    g16 = (r.astype(np.uint32) * 257 + x).clip(0, 65535).astype(np.uint16)
    Image.fromarray(g16).save(os.path.join(ROOT, "gray16.png"))
    png16("rgb16.png", 3)
    png16("rgba16.png", 4)
    png_adam7("rgb8_interlaced.png")
    # Palette of 4 colours (index = (x + y) % 4), and the same with a tRNS chunk.
    pal = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (10, 20, 30)]
    idx = ((x + y) % 4).astype(np.uint8)
    p = Image.fromarray(idx, "P")
    p.putpalette(sum((list(c) for c in pal), []))
    save(p, "palette.png")
    save(p, "palette_trns.png", transparency=bytes([255, 0, 128, 255]))
    # 1-bit gray: checkerboard.
    save(Image.fromarray(((x + y) % 2 * 255).astype(np.uint8), "L").convert("1"), "gray1.png")

    # JPEGs: 16x16 blocks of flat colour (8x8-aligned so decoding is near exact), 32x24.
    JW, JH = 32, 24
    yy, xx = np.mgrid[0:JH, 0:JW]
    block = (xx // 8) + 4 * (yy // 8)
    colour = np.stack([(block * 20) % 256, (255 - block * 15) % 256, (block * 50 + 30) % 256], -1).astype(np.uint8)
    save(Image.fromarray(colour, "RGB"), "baseline.jpg", quality=95, subsampling=0)
    save(Image.fromarray(colour, "RGB"), "progressive.jpg", quality=95, subsampling=0, progressive=True)
    save(Image.fromarray(colour[:, :, 1], "L"), "gray.jpg", quality=95)
    save(Image.fromarray(colour, "RGB"), "subsampled.jpg", quality=90, subsampling=2)
    for name in ["baseline.jpg", "progressive.jpg", "gray.jpg", "subsampled.jpg"]:
        decoded = np.asarray(Image.open(os.path.join(ROOT, name)))
        open(os.path.join(ROOT, name + ".expected.bin"), "wb").write(decoded.astype(np.uint8).tobytes())

    # CMYK JPEG: valid, but refused with a clear message.
    save(Image.fromarray(colour, "RGB").convert("CMYK"), "cmyk.jpg", quality=90)

    # Corrupt files: truncated PNG/JPEG, garbage with a valid magic, and random bytes.
    png = open(os.path.join(ROOT, "rgb8.png"), "rb").read()
    open(os.path.join(ROOT, "truncated.png"), "wb").write(png[: len(png) // 2])
    jpg = open(os.path.join(ROOT, "baseline.jpg"), "rb").read()
    open(os.path.join(ROOT, "truncated.jpg"), "wb").write(jpg[: len(jpg) // 2])
    rng = np.random.default_rng(7)
    open(os.path.join(ROOT, "garbage.png"), "wb").write(png[:8] + rng.integers(0, 256, 200, dtype=np.uint8).tobytes())
    open(os.path.join(ROOT, "garbage.jpg"), "wb").write(b"\xff\xd8" + rng.integers(0, 256, 200, dtype=np.uint8).tobytes())
    open(os.path.join(ROOT, "notanimage.png"), "wb").write(b"hello, this is text\n")
    # Huge declared size (40000 x 40000) with a valid IHDR CRC.
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    huge = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 40000, 40000, 8, 2, 0, 0, 0))
    huge += chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")
    open(os.path.join(ROOT, "huge.png"), "wb").write(huge)


if __name__ == "__main__":
    main()
