"""Side by side on the 200 x 200 tanh phase diagram: neurodyn against the Python routes.

Runs, in one go on this machine: `neurodyn meanfield phase` (2 threads, and 1 thread), the numpy
Mehler route, the neural-tangents-style Gauss-Hermite route, optionally the DESIGN.md numpy
tensor-trapezoid route (--slow, ~80 s), and the scipy adaptive reference on every STRIDE-th
point plus the points where neurodyn and the fastest anchor disagree most. Prints times, the
ratio of each route's time to neurodyn's, and each route's largest error against scipy.

usage: python compare_phase.py --neurodyn ../../.build/release/neurodyn [--stride 10] [--slow]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
import numpy as np
from meanfield_common import read_csv

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = ["q_star", "chi1", "c_star", "chi_c"]


def timed(cmd, env=None):
    t0 = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env)
    return time.perf_counter() - t0, out.stdout.strip()


def lookup(table):
    return {(round(w, 12), round(b, 12)): i for i, (w, b) in enumerate(zip(table["sigma_w2"], table["sigma_b2"]))}


def errors(table, reference):
    """Largest relative error (absolute for c*) of `table` at the reference's points."""
    index = lookup(table)
    worst = {}
    for k in KEYS:
        e = []
        for j, key in enumerate(zip(reference["sigma_w2"], reference["sigma_b2"])):
            i = index.get((round(key[0], 12), round(key[1], 12)))
            if i is None or not np.isfinite(reference[k][j]):
                continue
            a, r = table[k][i], reference[k][j]
            e.append(abs(a - r) if k == "c_star" else abs(a - r) / max(abs(r), 1e-12))
        worst[k] = max(e) if e else float("nan")
    return worst


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--neurodyn", required=True)
    p.add_argument("--stride", type=int, default=10)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--slow", action="store_true")
    args = p.parse_args()
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    tmp = tempfile.mkdtemp(prefix="neurodyn-compare-")
    py = sys.executable
    results = {}

    for threads in (2, 1):
        times = []
        for _ in range(args.repeats):
            t, _ = timed([args.neurodyn, "meanfield", "phase", "--activation", "tanh", "--sigma-w2", "0.5:4:200",
                          "--sigma-b2", "0:0.3:200", "--threads", str(threads), "--out", f"{tmp}/neurodyn", "--quiet"])
            times.append(t)
        results[f"neurodyn ({threads} thread{'s' if threads > 1 else ''})"] = (float(np.median(times)), f"{tmp}/neurodyn/phase.csv")
    anchors = [("numpy Mehler matmul (1 core)", "phase_numpy_mehler.py"), ("Gauss-Hermite 64, NT style (1 core)", "phase_gauss_hermite.py")]
    if args.slow:
        anchors.append(("numpy GL + tensor trapezoid (1 core)", "phase_numpy.py"))
    for name, script in anchors:
        out = f"{tmp}/{script}.csv"
        t, _ = timed([py, os.path.join(HERE, script), "--out", out], env=env)
        results[name] = (t, out)

    ours = read_csv(results["neurodyn (2 threads)"][1])
    fastest = read_csv(results["numpy Mehler matmul (1 core)"][1])
    gap = np.abs(ours["c_star"] - fastest["c_star"]) + np.abs(ours["q_star"] - fastest["q_star"]) / np.maximum(ours["q_star"], 1e-3)
    disputed = np.argsort(-np.nan_to_num(gap))[:12]
    extra = ";".join(f"{float(ours['sigma_w2'][i])!r},{float(ours['sigma_b2'][i])!r}" for i in disputed)
    t_scipy, line = timed([py, os.path.join(HERE, "phase_scipy.py"), "--stride", str(args.stride), "--extra", extra,
                           "--out", f"{tmp}/scipy.csv"], env=env)
    reference = read_csv(f"{tmp}/scipy.csv")
    n_ref = len(reference["q_star"])
    scipy_full = t_scipy / n_ref * 40000

    base = results["neurodyn (2 threads)"][0]
    print(f"tanh phase diagram, 200 x 200 = 40,000 points; reference: scipy adaptive quad on {n_ref} points "
          f"({t_scipy:.1f} s, {t_scipy / n_ref * 1e3:.0f} ms a point, ~{scipy_full / 60:.0f} min for the grid)")
    print(f"{'route':40s} {'seconds':>9s} {'x neurodyn':>11s}  " + "  ".join(f"{'err ' + k:>13s}" for k in KEYS))
    for name, (t, path) in results.items():
        err = errors(read_csv(path), reference)
        print(f"{name:40s} {t:9.3f} {t / base:11.1f}  " + "  ".join(f"{err[k]:13.2e}" for k in KEYS))
    print(f"{'scipy quad (extrapolated to the grid)':40s} {scipy_full:9.0f} {scipy_full / base:11.0f}")


if __name__ == "__main__":
    main()
