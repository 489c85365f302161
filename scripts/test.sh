#!/usr/bin/env bash
# The test command: builds and runs every test target (unit tests against independent routes,
# and CLI tests that run the built binary), then runs `neurodyn reproduce all --quick`, executing
# every notebook it writes (any cell error fails), and checks that notebooks-export/ is up to date.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
swift test --skip-build --parallel --num-workers 2
swift build -c release --product neurodyn
PYTHON="${NEURODYN_PYTHON:-$PWD/.venv/bin/python}"
if ! "$PYTHON" -c "import nbconvert, matplotlib" 2>/dev/null; then
  echo "test.sh: no Python with nbconvert and matplotlib at $PYTHON (run bash scripts/setup.sh)" >&2
  exit 1
fi
FRESH="$(mktemp -d)"
trap 'rm -rf "$FRESH"' EXIT
NEURODYN_PYTHON="$PYTHON" .build/release/neurodyn reproduce all --quick --quiet --out "$FRESH" >/dev/null
"$PYTHON" scripts/check_export.py notebooks-export "$FRESH"
