#!/usr/bin/env bash
# Installs what the tests need and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --python --browser
swift build --build-tests
swift test --skip-build --parallel --num-workers 2 "$@"
