"""Anchor: the tanh phase diagram in well-vectorised numpy (DESIGN.md section 2).

q*: composite Gauss-Legendre (16 nodes a panel, panels of width min(1, 1/sqrt(q_max)) on
|z| <= 9) with a safeguarded Newton iteration vectorised over all grid points.
c*: a symmetric tensor trapezoid rule for E[phi(u1) phi(u2)] in the rotated coordinates
u1,2 = sqrt(q)(sqrt((1+c)/2) x +- sqrt((1-c)/2) y) (the integrand is even in y, so only y >= 0 is
visited), Newton from c = 0, vectorised over the chaotic points in chunks.
Single-threaded BLAS is irrelevant here (no matmul); numpy runs one core.

usage: python phase_numpy.py [--out FILE] [--w 0.5:4:200] [--b 0:0.3:200]
"""
import time
import numpy as np
from meanfield_common import grid, grid_arguments, tanh_d, write_csv, SQRT2PI


def gl_rule(q_max, tail=9.0, order=16):
    x, w = np.polynomial.legendre.leggauss(order)
    width = min(1.0, 1.0 / np.sqrt(q_max))
    panels = int(np.ceil(2 * tail / width))
    edges = np.linspace(-tail, tail, panels + 1)
    half = 0.5 * np.diff(edges)
    mid = 0.5 * (edges[1:] + edges[:-1])
    z = (mid[:, None] + half[:, None] * x[None, :]).ravel()
    wz = (half[:, None] * w[None, :]).ravel() * np.exp(-0.5 * z * z) / SQRT2PI
    return z, wz


def q_star(W, B, z, wz, iters=60):
    q = np.ones_like(W)
    lo = np.zeros_like(W)
    hi = np.full_like(W, np.inf)
    for _ in range(iters):
        u = np.sqrt(q)[:, None] * z[None, :]
        t, s, d2 = tanh_d(u)
        e2 = (t * t) @ wz
        slope = (s * s + t * d2) @ wz
        F = W * e2 + B - q
        dF = W * slope - 1
        lo = np.where(F > 0, np.maximum(lo, q), lo)
        hi = np.where(F < 0, np.minimum(hi, q), hi)
        step = -F / dF
        new = q + step
        bad = ~np.isfinite(new) | (new <= lo) | (new >= hi)
        new = np.where(bad, np.where(np.isfinite(hi), 0.5 * (lo + hi), 2 * q + 1e-3), new)
        done = np.abs(new - q) <= 1e-15 * np.maximum(q, 1e-300)
        q = new
        if done.all():
            break
    # Odd tanh without bias in the ordered phase: q* = 0 exactly.
    q = np.where((B == 0) & (W <= 1), 0.0, q)
    u = np.sqrt(q)[:, None] * z[None, :]
    t, s, _ = tanh_d(u)
    chi1 = W * ((s * s) @ wz)
    return q, chi1


def c_star(W, B, q, h=0.12, tail=9.0, chunk=256):
    x = np.arange(-tail, tail + h / 2, h)
    y = np.arange(0, tail + h / 2, h)
    wx = h * np.exp(-0.5 * x * x) / SQRT2PI
    wy = 2 * h * np.exp(-0.5 * y * y) / SQRT2PI
    wy[0] *= 0.5
    wxy = wx[:, None] * wy[None, :]
    c = np.zeros_like(q)
    chic = np.zeros_like(q)
    for start in range(0, len(q), chunk):
        sl = slice(start, start + chunk)
        qq, ww, bb = q[sl], W[sl], B[sl]
        cc = np.zeros_like(qq)
        sq = np.sqrt(qq)[:, None, None]
        for _ in range(60):
            a = np.sqrt((1 + cc) / 2)[:, None, None]
            d = np.sqrt((1 - cc) / 2)[:, None, None]
            t1, s1, _ = tanh_d(sq * (a * x[None, :, None] + d * y[None, None, :]))
            t2, s2, _ = tanh_d(sq * (a * x[None, :, None] - d * y[None, None, :]))
            G = np.einsum("pij,ij->p", t1 * t2, wxy)
            D = np.einsum("pij,ij->p", s1 * s2, wxy)
            g = (ww * G + bb) / qq - cc
            dg = ww * D - 1
            step = -g / dg
            new = np.minimum(cc + np.where(g > 0, step, 0), 1.0)
            if np.all(np.abs(new - cc) <= 1e-15):
                cc = new
                break
            cc = new
        c[sl] = cc
        chic[sl] = ww * D
    return c, chic


def main():
    args = grid_arguments("phase_numpy.csv")
    t0 = time.perf_counter()
    W, B = grid(args.w, args.b)
    z, wz = gl_rule(q_max=16.0)
    q, chi1 = q_star(W, B, z, wz)
    chaotic = (chi1 > 1 + 1e-10) & (q > 0)
    c = np.ones_like(q)
    chic = chi1.copy()
    odd_zero = chaotic & (B == 0)
    c[odd_zero] = 0.0
    if odd_zero.any():
        u = np.sqrt(q[odd_zero])[:, None] * z[None, :]
        _, s, _ = tanh_d(u)
        chic[odd_zero] = W[odd_zero] * (s @ wz) ** 2
    rest = chaotic & ~odd_zero
    c[rest], chic[rest] = c_star(W[rest], B[rest], q[rest])
    elapsed = time.perf_counter() - t0
    write_csv(args.out, W, B, q, chi1, c, chic)
    print(f"numpy: {len(W)} points in {elapsed:.3f} s ({int(chaotic.sum())} chaotic)")


if __name__ == "__main__":
    main()
