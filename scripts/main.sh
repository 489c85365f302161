#!/usr/bin/env bash
# The main job on a fresh Debian machine: set up, build, compute the tanh phase diagram
# (40,000 points) and the finite-width order/chaos boundary (N = 16, 64, 256) with their
# notebooks, and execute the notebooks to render the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release
OUT=${OUT:-out}
.build/release/neurodyn meanfield phase --activation tanh --sigma-w2 0.5:4:200 --sigma-b2 0:0.3:200 --out "$OUT/phase-tanh"
.build/release/neurodyn simulate boundary --activation tanh --sigma-w2 0.5:3:26 --sigma-b2 0:0.3:7 --widths 16,64,256 \
  --seed 1 --out "$OUT/boundary-tanh"
VENV="$PWD/.venv"
for run in phase-tanh/phase boundary-tanh/boundary; do
  directory="$OUT/$(dirname "$run")"; name="$(basename "$run")"
  if "$VENV/bin/python" -c "import nbconvert, matplotlib" 2>/dev/null; then
    (cd "$directory" && "$VENV/bin/jupyter" nbconvert --to notebook --execute --inplace "$name.ipynb" >/dev/null 2>&1) \
      && echo "figure: $directory/$name.png" \
      || echo "notebook execution failed; data and notebook are in $directory" >&2
  else
    echo "no Python environment (.venv with nbconvert, matplotlib): data and notebook are in $directory" >&2
  fi
done
