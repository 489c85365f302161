#!/usr/bin/env bash
# The main job on a fresh Debian machine: set up (apt packages, .venv with numpy, matplotlib,
# nbconvert), build, and run the seven headline experiments at quick sizes
# (`neurodyn reproduce all --quick`): data, a notebook each, executed into figures.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product neurodyn
OUT=${OUT:-out}
NEURODYN_PYTHON="$PWD/.venv/bin/python" .build/release/neurodyn reproduce all --quick --out "$OUT"
echo "data, notebooks and figures: $OUT/<experiment>/ (full sizes: neurodyn reproduce all --out DIR)"
