"""Anchor: the fastest numpy route we know for the tanh phase diagram.

q*: trapezoid rule on a fixed z-grid (spectrally accurate for Gaussian-weighted analytic
integrands: error ~ exp(-2 pi d / h) with d = pi/(2 sqrt q)), safeguarded Newton vectorised over
the whole grid. c*: the Mehler series G(c) = sum_n b_n c^n with b_n = (E[tanh(sqrt(q) z) h_n(z)])^2,
all points' projections in ONE matrix product with a fixed table of normalised Hermite
polynomials, then Newton on the polynomials vectorised over the chaotic points.

usage: python phase_numpy_mehler.py [--out FILE] [--order 256]
"""
import time
import numpy as np
from meanfield_common import grid, grid_arguments, tanh_d, write_csv, SQRT2PI


def solve_chunk(W, B, z, wz, H):
    # q* by safeguarded Newton, vectorised over the chunk.
    q = np.ones_like(W)
    lo, hi = np.zeros_like(W), np.full_like(W, np.inf)
    active = np.ones(len(W), bool)
    for _ in range(80):
        qa = q[active]
        t, s, d2 = tanh_d(np.sqrt(qa)[:, None] * z[None, :])
        F = W[active] * ((t * t) @ wz) + B[active] - qa
        dF = W[active] * ((s * s + t * d2) @ wz) - 1
        la = np.where(F > 0, np.maximum(lo[active], qa), lo[active])
        ha = np.where(F < 0, np.minimum(hi[active], qa), hi[active])
        new = qa - F / dF
        bad = ~np.isfinite(new) | (new <= la) | (new >= ha)
        new = np.where(bad, np.where(np.isfinite(ha), 0.5 * (la + ha), 2 * qa + 1e-3), new)
        done = (np.abs(new - qa) <= 1e-15 * np.maximum(qa, 1e-300)) | (np.isfinite(ha) & (ha - la <= 1e-15 * ha))
        lo[active], hi[active], q[active] = la, ha, new
        idx = np.where(active)[0]
        active[idx[done]] = False
        if not active.any():
            break
    q = np.where((B == 0) & (W <= 1), 0.0, q)
    _, s, _ = tanh_d(np.sqrt(q)[:, None] * z[None, :])
    chi1 = W * ((s * s) @ wz)
    c = np.ones_like(q)
    chic = chi1.copy()
    idx = np.where((chi1 > 1 + 1e-10) & (q > 0))[0]
    if len(idx) == 0:
        return q, chi1, c, chic
    t, _, _ = tanh_d(np.sqrt(q[idx])[:, None] * z[None, :])
    b = (t @ H) ** 2  # one matmul for every chaotic point of the chunk
    n = np.arange(H.shape[1])
    cc = np.zeros(len(idx))
    ww, bb, qq = W[idx], B[idx], q[idx]
    for _ in range(100):
        G = np.polynomial.polynomial.polyval(cc, b.T, tensor=False)
        D = np.polynomial.polynomial.polyval(cc, (b[:, 1:] * n[None, 1:]).T, tensor=False)
        g = (ww * G + bb) / qq - cc
        dg = ww * D / qq - 1
        new = np.minimum(cc + np.where(g > 0, -g / dg, 0), 1.0)
        if np.all(np.abs(new - cc) <= 1e-15):
            cc = new
            break
        cc = new
    c[idx] = cc
    chic[idx] = ww * np.polynomial.polynomial.polyval(cc, (b[:, 1:] * n[None, 1:]).T, tensor=False) / qq
    return q, chi1, c, chic


def main():
    args = grid_arguments("phase_numpy_mehler.csv", order=(int, 256), h=(float, 0.04), chunk=(int, 400))
    t0 = time.perf_counter()
    W, B = grid(args.w, args.b)
    z = np.arange(-12.5, 12.5 + args.h / 2, args.h)
    wz = args.h * np.exp(-0.5 * z * z) / SQRT2PI

    keep = wz > 1e-17 * wz.max()  # drop nodes whose weight cannot matter
    z, wz = z[keep], wz[keep]
    N = args.order
    # Hermite table: weights * h_n(z), n = 0..N, by the stable three-term recurrence.
    H = np.empty((len(z), N + 1))
    h_prev, h = np.zeros_like(z), np.ones_like(z)
    for n in range(N + 1):
        H[:, n] = wz * h
        h_prev, h = h, (z * h - np.sqrt(n) * h_prev) / np.sqrt(n + 1)
    q = np.empty_like(W); chi1 = np.empty_like(W); c = np.empty_like(W); chic = np.empty_like(W)
    for start in range(0, len(W), args.chunk):
        sl = slice(start, start + args.chunk)
        q[sl], chi1[sl], c[sl], chic[sl] = solve_chunk(W[sl], B[sl], z, wz, H)
    elapsed = time.perf_counter() - t0
    write_csv(args.out, W, B, q, chi1, c, chic)
    print(f"numpy-mehler: {len(W)} points in {elapsed:.3f} s (order {N}, h {args.h}, {len(z)} nodes)")


if __name__ == "__main__":
    main()
