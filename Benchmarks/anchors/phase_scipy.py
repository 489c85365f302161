"""Reference: scipy's adaptive QUADPACK (quad, epsrel 1e-13, split where tanh changes character)
and brentq, point by point: slow but independent of every rule in neurodyn and in the numpy
anchors. The full 200 x 200 grid would take hours, so it runs on every STRIDE-th point of each
axis (plus any --extra points) and the time is reported per point.

q*: brentq on V(q) - q. c*: brentq on f(c) - c in [0, 1 - 1e-14] with
E[phi(u1) phi(u2)] = E_x[psi(sqrt(q c) x)^2], psi(m) = E_y[tanh(m + sqrt(q(1-c)) y)] (nested quad).
chi_c = sigma_w^2 E[phi'(u1) phi'(u2)] by the same nesting.

usage: python phase_scipy.py [--stride 20] [--extra "w,b;w,b"] [--out FILE]
"""
import math
import time
import numpy as np
from scipy import integrate, optimize
from meanfield_common import grid, grid_arguments, write_csv, SQRT2PI

EPS = dict(epsabs=1e-15, epsrel=1e-13, limit=400)


def gauss(f, mean, sd):
    """E[f(mean + sd y)], y ~ N(0,1), split at the points where tanh bends."""
    if sd == 0:
        return f(mean)
    cuts = sorted({-10.0, 10.0} | {(k - mean) / sd for k in (-20, -5, -1, 0, 1, 5, 20) if -10 < (k - mean) / sd < 10})
    g = lambda y: f(mean + sd * y) * math.exp(-0.5 * y * y) / SQRT2PI
    return sum(integrate.quad(g, a, b, **EPS)[0] for a, b in zip(cuts[:-1], cuts[1:]))


def sech2(u):
    return 1.0 - math.tanh(u) ** 2 if abs(u) < 1 else 4 * math.exp(-2 * abs(u)) / (1 + math.exp(-2 * abs(u))) ** 2


def q_star(w, b):
    if b == 0 and w <= 1:
        return 0.0
    F = lambda q: w * gauss(lambda u: math.tanh(u) ** 2, 0, math.sqrt(q)) + b - q
    lo, hi = 1e-12, 1.0
    while F(hi) > 0:
        lo, hi = hi, hi * 2
    return optimize.brentq(F, lo, hi, xtol=1e-15, rtol=1e-15)


def cross(q, c, f):
    s = math.sqrt(q * (1 - c))
    a = math.sqrt(q * c)
    return gauss(lambda m: gauss(f, m, s) ** 2, 0, a)


def c_star(w, b, q):
    if b == 0:
        return 0.0
    g = lambda c: (w * cross(q, c, math.tanh) + b) / q - c
    # g is convex with g(0) > 0, g < 0 on (c*, 1): the first 1 - 10^-k with g < 0 brackets c*.
    for k in range(1, 15):
        hi = 1 - 10.0 ** -k
        if g(hi) < 0:
            return optimize.brentq(g, 0.0, hi, xtol=1e-15, rtol=1e-15)
    return float("nan")


def main():
    args = grid_arguments("phase_scipy.csv", stride=(int, 20), extra=(str, ""))
    W, B = grid(args.w, args.b)
    nw = int(args.w.split(":")[2])
    chosen = [i for i in range(len(W)) if (i % nw) % args.stride == 0 and (i // nw) % args.stride == 0]
    points = [(W[i], B[i]) for i in chosen]
    for pair in filter(None, args.extra.split(";")):
        w, b = map(float, pair.split(","))
        points.append((w, b))
    rows = []
    t0 = time.perf_counter()
    for w, b in points:
        q = q_star(w, b)
        chi1 = w * gauss(lambda u: sech2(u) ** 2, 0, math.sqrt(q))
        if chi1 > 1 + 1e-10 and q > 0:
            c = c_star(w, b, q)
            chic = w * cross(q, c, sech2) if c > 0 else w * gauss(sech2, 0, math.sqrt(q)) ** 2
        else:
            c, chic = 1.0, chi1
        rows.append((w, b, q, chi1, c, chic))
    elapsed = time.perf_counter() - t0
    write_csv(args.out, *map(np.array, zip(*rows)))
    print(f"scipy: {len(rows)} points in {elapsed:.1f} s ({elapsed / len(rows) * 1e3:.0f} ms a point)")


if __name__ == "__main__":
    main()
