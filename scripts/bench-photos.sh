#!/usr/bin/env bash
# A folder of photos without poses, end to end, as a new user runs it: COLMAP (through
# `splat init`), then the EDGS start and the SfM-points start of the same COLMAP model trained
# side by side; prints what COLMAP registered, what init kept, held-out PSNR at each step and
# the wall time of every stage, as markdown (docs/init.md, "Image folders without poses").
#
#   scripts/bench-photos.sh <photos> [steps...]      (default steps: 500 1500)
#
# Env: DOWNSCALE (default 2), OUT (default runs/bench-photos/<folder name>), SPLAT (default
# .build/release/splat, built if missing), INIT_ARGS (extra `splat init` flags, e.g.
# "--colmap-matcher sequential"). COLMAP and training run under `nice -n 5`.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 <photos> [steps...]" >&2; exit 2; }
photos="$(cd "$1" && pwd)"
shift
steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(500 1500)
for s in "${steps[@]}"; do [[ "$s" =~ ^[1-9][0-9]*$ ]] || { echo "error: step '$s' is not a positive integer" >&2; exit 2; }; done
cd "$(dirname "$0")/.."
downscale="${DOWNSCALE:-2}"
out="${OUT:-runs/bench-photos/$(basename "$photos")}"
source scripts/bench-common.sh
splat="$(release_splat)"
out="$(absolute_dir "$out")"

max=0; interval=0
for s in "${steps[@]}"; do [ "$s" -gt "$max" ] && max=$s; interval=$(gcd "$interval" "$s"); done

echo "== splat init $photos (COLMAP, then EDGS)" >&2
nice -n 5 "$splat" init "$photos" --output "$out/edgs" --downscale "$downscale" --quiet ${INIT_ARGS:-} >&2
scene="$out/edgs/colmap/undistorted"
for start in edgs sfm; do
  mkdir -p "$out/$start"
  init=sfm; [ "$start" = edgs ] && init="$out/edgs/init.ply"
  cat > "$out/$start/run.yaml" <<YAML
scene: "$scene"
downscale: $downscale
init: "$init"
output: "$out/$start"
iterations: $max
test_interval: $interval
checkpoint_interval: 0
YAML
  echo "== splat optimize: $start, $max steps" >&2
  nice -n 5 "$splat" optimize --config "$out/$start/run.yaml" >&2
done

python3 - "$out" "$photos" "$downscale" "${steps[@]}" <<'PY'
import csv, json, sys
out, photos, downscale, steps = sys.argv[1], sys.argv[2], sys.argv[3], [int(s) for s in sys.argv[4:]]
init = json.load(open(out + "/edgs/init.json"))
c = init["colmap"]
print(f"`{photos}` (downscale {downscale}): COLMAP registered {c['registered']} of {c['images']} photos "
      f"({c['settings']['matcher']} matching, {'one shared' if c['settings']['sharedCamera'] else 'per-photo'} "
      f"{c['settings']['cameraModel']} camera), {c['points']} SfM points, mean reprojection error {c['meanReprojectionErrorPx']:.2f} px"
      + (f"; left out: {', '.join(c['leftOut'])}" if c['leftOut'] else "") + ".")
print(f"COLMAP wall time: " + ", ".join(f"{k} {v:.0f} s" for k, v in c.get("seconds", {}).items())
      + f". EDGS init: {init['denseGaussians']} of {init['sampled']} sampled matches kept"
      + (f" + {init['sfmPointsAdded']} SfM points" if init['sfmPointsAdded'] else "")
      + f" = {init['gaussians']} Gaussians in {init['seconds']['total']:.1f} s (matching {init['seconds']['matching']:.1f} s).")
for w in init.get("warnings", []): print(f"- init warning: {w}")
print()
print("| start | steps | PSNR | SSIM | Gaussians | train time (s) |")
print("|---|---:|---:|---:|---:|---:|")
for start in ("edgs", "sfm"):
    rows = {int(r["step"]): r for r in csv.DictReader(open(f"{out}/{start}/metrics.csv"))}
    for s in steps:
        r = rows.get(s)
        print(f"| {start} | {s} | " + (f"{float(r['psnr']):.2f} | {float(r['ssim']):.4f} | {r['gaussians']} | {float(r['elapsed_s']):.1f} |" if r else "n/a | n/a | n/a | n/a |"))
PY
