#!/usr/bin/env bash
# Benchmarks training on one scene: (optional) dense init, then `splat optimize` with held-out
# evaluation at steps 0, 500, 1000 and 3000 (then every 1000). Prints s/step, PSNR/SSIM at each
# evaluated step, wall time, Gaussians, peak RSS and bytes per Gaussian.
#
# Usage: scripts/bench-train.sh <scene> [iterations=3000] [downscale=1] [init=auto|sfm|random:N|PLY]
#   init=auto uses `splat init` when the binary has it, else the scene's sparse points (sfm).
# Builds the release binary first, unless SPLAT names one to use. BENCH_YAML: extra run.yaml
# lines (e.g. BENCH_YAML='num_downscales: 0' for every step at full size). Also prints the mean
# time per step of each phase (render, loss, backward, adam, maintain) and the process CPU time.
# Output goes to runs/bench-train-<scene name>/ (overwritten).
set -euo pipefail
cd "$(dirname "$0")/.."
scene=${1:?usage: scripts/bench-train.sh <scene> [iterations] [downscale] [init]}
iters=${2:-3000}
down=${3:-1}
init=${4:-auto}
name=$(basename "$scene")
out="runs/bench-train-$name"

if [ -z "${SPLAT:-}" ]; then swift build -c release --product splat >/dev/null; fi
bin=${SPLAT:-.build/release/splat}
rm -rf "$out"; mkdir -p "$out"

if [ "$init" = auto ]; then
  if "$bin" init --help >/dev/null 2>&1; then
    t0=$(date +%s.%N)
    "$bin" init "$scene" --output "$out/init" --downscale "$down" >"$out/init.log" 2>&1
    t1=$(date +%s.%N)
    init="$PWD/$out/init/init.ply"
    python3 -c "print(f'init: splat init, {$t1 - $t0:.1f} s wall')"
  else
    init=sfm
    echo "init: sfm (this binary has no 'splat init')"
  fi
fi

# Evaluations at 500, 1000, then every 1000: test_interval 500 gives a superset; the report
# below picks the steps asked for.
cat >"$out/run.yaml" <<YAML
scene: $(cd "$scene" && pwd)
output: $PWD/$out/train
init: $init
downscale: $down
iterations: $iters
test_interval: 500
checkpoint_interval: 0
${BENCH_YAML:-}
YAML

t0=$(date +%s.%N)
cpu=$(python3 -c 'import resource, subprocess, sys
with open(sys.argv[3], "w") as o, open(sys.argv[4], "w") as e:
    r = subprocess.run([sys.argv[1], "optimize", "--config", sys.argv[2]], stdout=o, stderr=e)
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print(u.ru_utime + u.ru_stime); sys.exit(r.returncode)' "$bin" "$out/run.yaml" "$out/optimize.log" "$out/optimize.err")
t1=$(date +%s.%N)

python3 - "$out/train/metrics.json" "$out/train/metrics.csv" "$t0" "$t1" "$cpu" <<'PY'
import csv, json, sys
m = json.load(open(sys.argv[1]))
rows = {int(r["step"]): r for r in csv.DictReader(open(sys.argv[2]))}
print(f"steps {m['steps']}  train views {m['train_views']}  test views {m['test_views']}")
print(f"s/step {m['seconds_per_step']:.3f}  (training {m['training_seconds']:.1f} s; process CPU {float(sys.argv[5]):.1f} s, all stages)")
ph = m.get("step_phase_seconds", {})
total = sum(ph.values()) or 1
print("per step: " + ", ".join(f"{k} {1000 * ph[k] / max(1, m['steps']):.1f} ms ({100 * ph[k] / total:.0f}%)"
                               for k in ("render", "loss", "backward", "adam", "maintain") if k in ph))
for s in sorted(rows):
    if s in (0, 500, 1000, 3000) or s % 1000 == 0 or s == m["steps"]:
        r = rows[s]
        print(f"  step {s:>6}: PSNR {float(r['psnr']):7.3f}  SSIM {float(r['ssim']):.4f}  Gaussians {r['gaussians']}")
stages = ", ".join(f"{k} {v:.1f}s" for k, v in sorted(m["wall_seconds"].items()))
print(f"wall {float(sys.argv[4]) - float(sys.argv[3]):.1f} s ({stages})")
print(f"Gaussians {m['gaussians']}  peak RSS {m['peak_rss_bytes'] / 2**20:.0f} MiB  "
      f"bytes/Gaussian {m['peak_rss_bytes'] / max(1, m['gaussians']):.0f} (peak RSS / final count, includes cached images)")
PY
