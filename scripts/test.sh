#!/usr/bin/env bash
# Installs what the tests need and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --python --tools --browser   # colmap, ffmpeg, chromium: the real-tool and browser tests run in CI
swift build --build-tests
swift test --skip-build --parallel --num-workers 2 "$@"
