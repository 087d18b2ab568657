#!/usr/bin/env bash
# The second example: a folder of plain photos with no poses. COLMAP (installed here if missing)
# computes the poses, then `splat run` does init -> optimize -> render -> eval.
# Photos: the first 20 images of Fixtures/example (cup360 at 200x150), copied without their
# COLMAP model. Outputs go to runs/photos-example/. Usage: scripts/run-photos-example.sh [iterations]
set -euo pipefail
cd "$(dirname "$0")/.."
iterations="${1:-500}"

bash scripts/install-deps.sh --tools
echo "== building (release)" >&2
swift build -c release --product splat 2>&1 | grep -E "error|Build" | tail -2 >&2
splat=.build/release/splat
out=runs/photos-example
photos="$out/photos"
mkdir -p "$photos"
for i in $(seq 1 20); do
  [ -f "Fixtures/example/images/$i.jpg" ] && cp "Fixtures/example/images/$i.jpg" "$photos/"
done
echo "== splat run on $(ls "$photos" | wc -l) photos without poses" >&2
"$splat" run "$photos" --output "$out/run" --iterations "$iterations"
echo
echo "outputs in $out/run/: colmap/ (COLMAP workspace, reused by reruns), init.ply, point_cloud.ply,"
echo "  renders/test/*.png, eval.json"
