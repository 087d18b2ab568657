#!/usr/bin/env bash
# Held-out quality against wall time, everything included: for each budget, one run of the
# default recipe, `splat run <scene> -o DIR --minutes M` (init sized by the budget, training,
# test renders, orbit), and the same recipe from the scene's SfM points (a config with
# `init: sfm`), as a markdown table. The budget `default` runs `splat run <scene> -o DIR` with
# no length flag (20,000 steps or 20 minutes).
#
#   scripts/bench-minutes.sh <scene> [budget...]      (default: 5 10 15 default)
#
# Env: OUT (default runs/bench-minutes/<scene name>), SPLAT (default .build/release/splat, built
# if missing), STARTS (default "edgs sfm"), RUN_ARGS (extra `splat run` options, e.g.
# "--downscale 2"). Runs one at a time and reuses a finished run's directory (delete it to
# redo): the table takes the sum of the budgets per start, on an otherwise idle machine.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 <scene> [budget...]" >&2; exit 2; }
scene="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
shift
budgets=("$@")
[ ${#budgets[@]} -gt 0 ] || budgets=(5 10 15 default)
cd "$(dirname "$0")/.."
root="$(pwd)"
out="${OUT:-runs/bench-minutes/$(basename "$scene")}"
source scripts/bench-common.sh
splat="$(release_splat)"
out="$(absolute_dir "$out")"
read -r -a starts <<< "${STARTS:-edgs sfm}"
printf 'init: sfm\n' > "$out/sfm.yaml"

rows=()
for start in "${starts[@]}"; do
  for m in "${budgets[@]}"; do
    dir="$out/$start-$m"
    args=()
    [ "$m" = default ] || args+=(--minutes "$m")
    [ "$start" = sfm ] && args+=(--config "$out/sfm.yaml")
    if [ ! -f "$dir/eval.json" ] || [ ! -f "$dir.time" ]; then
      echo "== splat run: $start start, budget $m" >&2
      # shellcheck disable=SC2086
      /usr/bin/time -f "%e %M" -o "$dir.time" "$splat" run "$scene" -o "$dir" --force "${args[@]}" ${RUN_ARGS:-} > "$dir.log" 2>&1
    fi
    rows+=("$start $m $dir")
  done
done

echo
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
echo "Scene \`$scene\`, $(nproc) cores, commit $commit, $(date -u +%Y-%m-%d). Wall and peak RSS of the whole \`splat run\`."
echo
echo "| start | budget (min) | steps | PSNR | SSIM | right halves, exposure fitted | Gaussians (init → end) | wall (s) | peak RSS (MB) |"
echo "|---|---:|---:|---:|---:|---:|---|---:|---:|"
for row in "${rows[@]}"; do
  read -r start m dir <<< "$row"
  python3 - "$dir" "$start" "$m" <<'PY'
import json, re, sys
d, start, m = sys.argv[1:4]
j = json.load(open(d + "/metrics.json"))
first = re.search(r"initial cloud: (\d+) Gaussians", open(d + ".log").read())
wall, rss_kb = open(d + ".time").read().split()[-2:]
fit = j.get("right_half_exposure_fit", {}).get("psnr", float("nan"))
print(f"| {start} | {m} | {j['steps']:,} | {j.get('psnr', float('nan')):.2f} | {j.get('ssim', float('nan')):.3f} | {fit:.2f} "
      f"| {int(first.group(1)) if first else 0:,} → {j['gaussians']:,} | {float(wall):.0f} | {int(rss_kb) / 1024:.0f} |")
PY
done
