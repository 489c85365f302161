"""Shared pieces of the mean-field anchors: the grid, tanh and its derivatives, I/O."""
import argparse
import csv
import math
import numpy as np

SQRT2PI = math.sqrt(2 * math.pi)


def grid(w_spec="0.5:4:200", b_spec="0:0.3:200"):
    def axis(spec):
        lo, hi, n = spec.split(":")
        return np.linspace(float(lo), float(hi), int(n))
    w, b = axis(w_spec), axis(b_spec)
    # sigma_b2-major order, as neurodyn writes phase.csv.
    W, B = np.meshgrid(w, b)
    return W.ravel(), B.ravel()


def tanh_d(u):
    t = np.tanh(u)
    s = 1 - t * t
    return t, s, -2 * t * s


def write_csv(path, w, b, q, chi1, c, chic):
    with open(path, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["sigma_w2", "sigma_b2", "q_star", "chi1", "c_star", "chi_c"])
        for row in zip(w, b, q, chi1, c, chic):
            out.writerow([repr(float(x)) for x in row])


def read_csv(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    keys = ["sigma_w2", "sigma_b2", "q_star", "chi1", "c_star", "chi_c"]
    return {k: np.array([float(r[k]) if r[k] != "" else np.nan for r in rows]) for k in keys}


def grid_arguments(default_out, **extra):
    """The command line every grid anchor shares: --out, --w, --b, plus script-specific options
    given as name=(type, default)."""
    p = argparse.ArgumentParser()
    p.add_argument("--out", default=default_out)
    p.add_argument("--w", default="0.5:4:200")
    p.add_argument("--b", default="0:0.3:200")
    for name, (kind, value) in extra.items():
        p.add_argument(f"--{name}", type=kind, default=value)
    return p.parse_args()
