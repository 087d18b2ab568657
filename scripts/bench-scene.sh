#!/usr/bin/env bash
# Held-out quality against training steps for each way of starting a run, as a markdown table.
#
#   scripts/bench-scene.sh <scene> [steps...]      (default steps: 0 1000 3000 7000)
#
# Starts: EDGS dense init (`splat init`), the scene's SfM points (`init: sfm`, only when the scene
# has sparse points) and random points (`init: random:N`, N = the EDGS Gaussian count). Each start
# is ONE `splat optimize` run to the largest step count with test_interval = the gcd of the steps,
# and the intermediate values are read from its metrics.csv. Columns: held-out PSNR and SSIM,
# Gaussians, training wall time to that step (EDGS: plus the init time, given separately), and
# the peak RSS of the optimize process. Env: DOWNSCALE (default 1), OUT (default
# runs/bench/<scene name>), SPLAT (default .build/release/splat, built if missing), INIT_ARGS
# (extra `splat init` options, e.g. "--matches-per-ref 6000").
# Long step counts take hours on 2 cores: run them on an otherwise idle machine.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 <scene> [steps...]" >&2; exit 2; }
scene="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
shift
steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(0 1000 3000 7000)
for s in "${steps[@]}"; do [[ "$s" =~ ^[0-9]+$ ]] || { echo "error: step '$s' is not a non-negative integer" >&2; exit 2; }; done
cd "$(dirname "$0")/.."
root="$(pwd)"
downscale="${DOWNSCALE:-1}"
out="${OUT:-runs/bench/$(basename "$scene")}"
source scripts/bench-common.sh
splat="$(release_splat)"
out="$(absolute_dir "$out")"

max=0; interval=0
for s in "${steps[@]}"; do
  [ "$s" -gt "$max" ] && max=$s
  [ "$s" -gt 0 ] && interval=$(gcd "$interval" "$s")
done
[ "$interval" -gt 0 ] || interval=1

starts=(edgs)
points=$("$splat" info "$scene" --downscale "$downscale" | sed -n 's/^sparse points: *\([0-9]*\).*/\1/p')
[ "${points:-0}" -gt 0 ] && starts+=(sfm)
starts+=(random)

echo "== splat init ($scene)" >&2
"$splat" init "$scene" --output "$out/edgs" --downscale "$downscale" --quiet ${INIT_ARGS:-} >&2
init_s=$(python3 -c 'import json,sys; print("%.1f" % json.load(open(sys.argv[1]))["seconds"]["total"])' "$out/edgs/init.json")
edgs_n=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["gaussians"])' "$out/edgs/init.json")

for start in "${starts[@]}"; do
  case $start in
    edgs) init="$out/edgs/init.ply" ;;
    sfm) init=sfm ;;
    random) init="random:$edgs_n" ;;
  esac
  mkdir -p "$out/$start"
  cat > "$out/$start/run.yaml" <<EOF
scene: "$scene"
downscale: $downscale
init: "$init"
output: "$out/$start"
iterations: $max
test_interval: $interval
checkpoint_interval: 0
EOF
  echo "== splat optimize: $start, $max steps, evaluation every $interval" >&2
  "$splat" optimize --config "$out/$start/run.yaml" >&2
done

echo
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)
echo "Scene \`$scene\` (downscale $downscale), $(nproc) cores (${cpu:-unknown CPU}), commit $commit, $(date -u +%Y-%m-%d). EDGS init: $edgs_n Gaussians in $init_s s (not included in the time column)."
echo
echo "| start | steps | PSNR | SSIM | Gaussians | train time (s) | peak RSS (MB) |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for start in "${starts[@]}"; do
  python3 - "$out/$start" "$start" "${steps[@]}" <<'EOF'
import csv, json, sys
run, start, steps = sys.argv[1], sys.argv[2], [int(s) for s in sys.argv[3:]]
rows = {int(r["step"]): r for r in csv.DictReader(open(run + "/metrics.csv"))}
rss = json.load(open(run + "/metrics.json")).get("peak_rss_bytes", 0) / 2**20
for s in steps:
    r = rows.get(s)
    if r is None:
        print(f"| {start} | {s} | n/a | n/a | n/a | n/a | {rss:.0f} |")
    else:
        print(f"| {start} | {s} | {float(r['psnr']):.2f} | {float(r['ssim']):.4f} | {r['gaussians']} | {float(r['elapsed_s']):.1f} | {rss:.0f} |")
EOF
done
