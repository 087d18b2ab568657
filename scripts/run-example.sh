#!/usr/bin/env bash
# The main job on the bundled example scene (Fixtures/example: cup360 at 200x150):
# installs missing system packages, builds release, then
#   splat init -> splat optimize -> splat render (test views + an orbit) -> splat eval
# Outputs go to runs/example/. Usage: scripts/run-example.sh [iterations]
set -euo pipefail
cd "$(dirname "$0")/.."
iterations="${1:-1500}"

bash scripts/install-deps.sh
echo "== building (release)" >&2
swift build -c release --product splat 2>&1 | grep -E "error|warning: unre|Compiling|Build" | tail -3 >&2
splat=.build/release/splat
out=runs/example
mkdir -p "$out"

echo "== splat init" >&2
"$splat" init Fixtures/example --output "$out" --quiet
echo "== splat optimize ($iterations steps)" >&2
"$splat" optimize --config Fixtures/example/run.yaml --iterations "$iterations"
echo "== splat render" >&2
"$splat" render "$out/point_cloud.ply" --scene Fixtures/example --output "$out/renders/test" --views test
"$splat" render "$out/point_cloud.ply" --scene Fixtures/example --output "$out/renders/orbit" --path orbit --frames 36
echo "== splat eval" >&2
"$splat" eval "$out/point_cloud.ply" --scene Fixtures/example --save-renders "$out/renders/compare" | tee "$out/eval.txt"

echo
echo "outputs in $out/:"
echo "  init.ply (EDGS initialization), point_cloud.ply (trained), metrics.csv, metrics.json"
echo "  renders/test/*.png (held-out views), renders/orbit/frame_*.png, renders/compare/*.png (render | ground truth)"
