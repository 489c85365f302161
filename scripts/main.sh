#!/usr/bin/env bash
# The main job on a fresh Debian machine: set up, build, compute the tanh phase diagram
# (40,000 points) with its notebook, execute the notebook to render the figure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release
OUT=${OUT:-out}
.build/release/neurodyn meanfield phase --activation tanh --sigma-w2 0.5:4:200 --sigma-b2 0:0.3:200 --out "$OUT/phase-tanh"
VENV="$PWD/.venv"
if "$VENV/bin/python" -c "import nbconvert, matplotlib" 2>/dev/null; then
  (cd "$OUT/phase-tanh" && "$VENV/bin/jupyter" nbconvert --to notebook --execute --inplace phase.ipynb >/dev/null 2>&1) \
    && echo "figure: $OUT/phase-tanh/phase.png" \
    || echo "notebook execution failed; data and notebook are in $OUT/phase-tanh" >&2
else
  echo "no Python environment (.venv with nbconvert, matplotlib): data and notebook are in $OUT/phase-tanh" >&2
fi
