#!/usr/bin/env bash
# The test command: builds and runs every test target (unit tests against independent routes,
# and CLI tests that run the built binary).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
swift test --skip-build --parallel --num-workers 2
