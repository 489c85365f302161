#!/usr/bin/env bash
# Installs what Neurodyn needs on a fresh Debian machine: GSL and OpenBLAS (C libraries), and a
# Python venv (.venv) with numpy, matplotlib and Jupyter's nbconvert for the notebooks.
# Idempotent; run as root (or with sudo available).
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
need=()
for pkg in libgsl-dev libopenblas-dev; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
if [ "${NEURODYN_SKIP_PYTHON:-0}" != 1 ]; then
  if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
  fi
  .venv/bin/pip install -q --disable-pip-version-check numpy scipy matplotlib nbconvert nbformat ipykernel
fi
