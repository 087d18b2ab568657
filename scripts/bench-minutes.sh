#!/usr/bin/env bash
# Held-out quality against wall time, everything included: for each budget, one run of the
# default recipe (`splat init` + `splat optimize --minutes M`), and the same from the scene's
# SfM points, as a markdown table.
#
#   scripts/bench-minutes.sh <scene> [minutes...]      (default: 5 10 20)
#
# The EDGS row's budget covers init and training: optimize gets M minus the init's wall time.
# Env: DOWNSCALE (default 1), OUT (default runs/bench-minutes/<scene name>), SPLAT (default
# .build/release/splat, built if missing), INIT_ARGS (extra `splat init` options), STARTS
# (default "edgs sfm"). Each budget runs on its own: the whole table takes the sum of the
# budgets per start, on an otherwise idle machine.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 <scene> [minutes...]" >&2; exit 2; }
scene="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
shift
budgets=("$@")
[ ${#budgets[@]} -gt 0 ] || budgets=(5 10 20)
cd "$(dirname "$0")/.."
root="$(pwd)"
downscale="${DOWNSCALE:-1}"
out="${OUT:-runs/bench-minutes/$(basename "$scene")}"
source scripts/bench-common.sh
splat="$(release_splat)"
out="$(absolute_dir "$out")"
read -r -a starts <<< "${STARTS:-edgs sfm}"

echo "== splat init ($scene)" >&2
"$splat" init "$scene" --output "$out/init" --downscale "$downscale" --quiet ${INIT_ARGS:-} >&2
init_s=$(python3 -c 'import json,sys; print("%.1f" % json.load(open(sys.argv[1]))["seconds"]["total"])' "$out/init/init.json")

rows=()
for start in "${starts[@]}"; do
  for m in "${budgets[@]}"; do
    dir="$out/$start-$m"
    mkdir -p "$dir"
    case $start in
      edgs) init="$out/init/init.ply"; train_m=$(python3 -c "print(max(0.1, $m - $init_s / 60))") ;;
      sfm) init=sfm; train_m=$m ;;
    esac
    cat > "$dir/run.yaml" <<YAML
scene: "$scene"
downscale: $downscale
init: "$init"
output: "$dir"
time_budget: $train_m
test_interval: 0
checkpoint_interval: 0
preview_interval: 0
YAML
    echo "== splat optimize: $start, $m min" >&2
    /usr/bin/time -f "%M" -o "$dir/rss.txt" "$splat" optimize --config "$dir/run.yaml" >&2
    rows+=("$start $m $dir")
  done
done

echo
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
echo "Scene \`$scene\` (downscale $downscale), $(nproc) cores, commit $commit, $(date -u +%Y-%m-%d). EDGS init: $init_s s, included in its budget."
echo
echo "| start | budget (min) | steps | PSNR | SSIM | Gaussians | wall (s) | peak RSS (MB) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for row in "${rows[@]}"; do
  read -r start m dir <<< "$row"
  python3 - "$dir" "$start" "$m" "$init_s" <<'PY'
import json, sys
d, start, m, init_s = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
j = json.load(open(d + "/metrics.json"))
wall = sum(j["wall_seconds"].values()) + (init_s if start == "edgs" else 0)
rss = int(open(d + "/rss.txt").read().split()[-1]) / 1024
print(f"| {start} | {m} | {j['steps']} | {j.get('psnr', float('nan')):.2f} | {j.get('ssim', float('nan')):.4f} | {j['gaussians']} | {wall:.0f} | {rss:.0f} |")
PY
done
