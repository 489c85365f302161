#!/usr/bin/env bash
# Regenerates notebooks-export/: the output-free notebooks of the headline experiments with the
# small data files they read (`neurodyn reproduce all --quick --no-execute`; run.json, which holds
# timings and library versions, is left out so that the export only changes with the code).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product neurodyn
rm -rf notebooks-export.new
.build/release/neurodyn reproduce all --quick --no-execute --quiet --out notebooks-export.new
find notebooks-export.new \( -name run.json -o -name '.*' \) -type f -delete
rm -rf notebooks-export
mv notebooks-export.new notebooks-export
echo "notebooks-export/ regenerated"
