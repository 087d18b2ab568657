#!/usr/bin/env bash
# Installs the system and Python packages splat needs, only those that are missing.
# Usage: scripts/install-deps.sh [--python] [--tools] [--browser]
#   --python  also the Python packages the tests use as independent references
#   --tools   also colmap and ffmpeg (image folders without poses, video output)
#   --browser also Debian's chromium (headless, software WebGL) for the `splat view` page tests
set -euo pipefail

want_python=0; want_tools=0; want_browser=0
for a in "$@"; do
  case "$a" in
    --python) want_python=1 ;;
    --tools) want_tools=1 ;;
    --browser) want_browser=1 ;;
    *) echo "unknown option $a" >&2; exit 2 ;;
  esac
done

pkgs=(libpng-dev libjpeg-dev libeigen3-dev zlib1g-dev pkg-config)
if [ "$want_tools" = 1 ]; then pkgs+=(colmap ffmpeg); fi
if [ "$want_browser" = 1 ]; then pkgs+=(chromium); fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""; [ "$(id -u)" != 0 ] && SUDO="sudo"
  echo "installing: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ "$want_python" = 1 ]; then
  if ! python3 -c "import numpy, scipy, plyfile, skimage, PIL" >/dev/null 2>&1; then
    echo "installing Python test references: numpy scipy plyfile scikit-image pillow" >&2
    python3 -m pip install -q numpy scipy plyfile scikit-image pillow
  fi
fi
