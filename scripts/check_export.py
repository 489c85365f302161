"""Checks that notebooks-export/ is up to date with the code: every file of the export must exist
in a fresh `neurodyn reproduce all --quick` output (and every notebook there in the export), the
notebooks byte for byte, the CSV and JSON data to 1e-6 relative (the same seed gives the same bits
on one machine; another CPU's BLAS kernels or libm may move the last bits).

usage: python scripts/check_export.py notebooks-export FRESH_DIR
"""
import json
import math
import os
import sys

TOLERANCE = 1e-6
# Files whose rows are sets within groups (a key column): compared as sets, so that no order a
# CPU's last bits could choose matters (fixed points of one gain are a set).
SETS = {os.path.join("hopfield", "gain-sweep.csv"): 0}
# Wall-clock measurements recorded beside the data: never compared.
TIMINGS = {"median_ms_per_step", "ms_per_step", "machine_seconds", "prox_seconds", "elapsed_seconds"}


def close(a, b):
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return abs(a - b) <= TOLERANCE * max(abs(a), abs(b)) + 1e-12
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(k in TIMINGS or close(a[k], b[k]) for k in a)
    return a == b


def cells(text):
    out = []
    for line in text.splitlines():
        row = []
        for cell in line.split(","):
            try:
                row.append(float(cell) if cell else float("nan"))
            except ValueError:
                row.append(cell)
        out.append(row)
    return out


def as_groups(rows, key):
    groups = {}
    for row in rows[1:]:
        groups.setdefault(repr(row[key]), []).append(row)
    return rows[0], groups


def same_sets(a, b, key):
    head_a, groups_a = as_groups(a, key)
    head_b, groups_b = as_groups(b, key)
    if head_a != head_b or groups_a.keys() != groups_b.keys():
        return False
    for name, rows in groups_a.items():
        others = list(groups_b[name])
        if len(rows) != len(others):
            return False
        for row in rows:
            match = next((o for o in others if close(row, o)), None)
            if match is None:
                return False
            others.remove(match)
    return True


def same(path_a, path_b, relative=""):
    with open(path_a) as f:
        a = f.read()
    with open(path_b) as f:
        b = f.read()
    if path_a.endswith(".ipynb"):
        return a == b
    if path_a.endswith(".json"):
        return close(json.loads(a), json.loads(b))
    if path_a.endswith(".csv"):
        if relative in SETS:
            return same_sets(cells(a), cells(b), SETS[relative])
        return close(cells(a), cells(b))
    return a == b


def main():
    export, fresh = sys.argv[1], sys.argv[2]
    problems = []
    for root, _, files in os.walk(export):
        for name in files:
            path = os.path.join(root, name)
            other = os.path.join(fresh, os.path.relpath(path, export))
            if not os.path.exists(other):
                problems.append(f"{path}: not written by the code any more")
            elif not same(path, other, os.path.relpath(path, export)):
                problems.append(f"{path}: differs from a fresh run")
    for root, _, files in os.walk(fresh):
        for name in files:
            if name.endswith(".ipynb") and not name.endswith(".executed.ipynb") and not name.startswith("."):
                path = os.path.join(export, os.path.relpath(os.path.join(root, name), fresh))
                if not os.path.exists(path):
                    problems.append(f"{path}: missing from the export")
    if problems:
        print("notebooks-export/ is out of date (regenerate with bash scripts/export-notebooks.sh):")
        for p in problems:
            print("  " + p)
        sys.exit(1)
    print(f"notebooks-export/ is up to date ({sum(len(f) for _, _, f in os.walk(export))} files)")


if __name__ == "__main__":
    main()
