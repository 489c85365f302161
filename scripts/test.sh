#!/usr/bin/env bash
# The test command: builds and runs every test target (unit tests against independent routes,
# and CLI tests that run the built binary), then runs `neurodyn reproduce all --quick`, executing
# every notebook it writes (any cell error fails), and checks that notebooks-export/ is up to date.
# Both the tests and the export check run twice: on the kernels this CPU picks, and with the
# AVX2 family forced (NEURODYN_ISA=x86-64-v3 for the C kernels, OPENBLAS_CORETYPE=Haswell for
# OpenBLAS), so that nothing here depends on the last bits of one CPU family's kernels.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
swift test --skip-build --parallel --num-workers 2
echo "test.sh: the tests again with the AVX2 kernels forced (NEURODYN_ISA=x86-64-v3, OPENBLAS_CORETYPE=Haswell)"
NEURODYN_ISA=x86-64-v3 OPENBLAS_CORETYPE=Haswell swift test --skip-build --parallel --num-workers 2
swift build -c release --product neurodyn
PYTHON="${NEURODYN_PYTHON:-$PWD/.venv/bin/python}"
if ! "$PYTHON" -c "import nbconvert, matplotlib" 2>/dev/null; then
  echo "test.sh: no Python with nbconvert and matplotlib at $PYTHON (run bash scripts/setup.sh)" >&2
  exit 1
fi
FRESH="$(mktemp -d)"
trap 'rm -rf "$FRESH"' EXIT
NEURODYN_PYTHON="$PYTHON" .build/release/neurodyn reproduce all --quick --quiet --out "$FRESH/native" >/dev/null
"$PYTHON" scripts/check_export.py notebooks-export "$FRESH/native"
NEURODYN_ISA=x86-64-v3 OPENBLAS_CORETYPE=Haswell .build/release/neurodyn reproduce all --quick --quiet --no-execute \
  --out "$FRESH/avx2" >/dev/null
"$PYTHON" scripts/check_export.py notebooks-export "$FRESH/avx2"
