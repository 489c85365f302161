"""Anchor in the neural-tangents / deepchaos style: fixed Gauss-Hermite quadrature (64 nodes,
64 x 64 in two dimensions), everything vectorised over the grid in chunks. Fast, but fixed
Gauss-Hermite cannot follow tanh(sqrt(q) z) as q grows (DESIGN.md section 2).

usage: python phase_gauss_hermite.py [--out FILE] [--nodes 64]
"""
import time
import numpy as np
from meanfield_common import grid, grid_arguments, tanh_d, write_csv


def solve_chunk(W, B, z, wz):
    q = np.ones_like(W)
    for _ in range(60):
        t, s, d2 = tanh_d(np.sqrt(q)[:, None] * z[None, :])
        F = W * ((t * t) @ wz) + B - q
        dF = W * ((s * s + t * d2) @ wz) - 1
        with np.errstate(divide="ignore", invalid="ignore"):  # q = 0 rows (tanh, no bias) are set below
            new = np.maximum(q - F / dF, 0.5 * q)
        if np.all(np.abs(new - q) <= 1e-15 * np.maximum(q, 1e-300)):
            q = new
            break
        q = new
    q = np.where((B == 0) & (W <= 1), 0.0, q)
    _, s, _ = tanh_d(np.sqrt(q)[:, None] * z[None, :])
    chi1 = W * ((s * s) @ wz)
    c, chic = np.ones_like(q), chi1.copy()
    idx = np.where((chi1 > 1 + 1e-10) & (q > 0))[0]
    if len(idx):
        z1, z2 = z[:, None], z[None, :]
        w2 = wz[:, None] * wz[None, :]
        sq = np.sqrt(q[idx])[:, None, None]
        cc = np.zeros(len(idx))
        for _ in range(60):
            a = cc[:, None, None]
            t1, s1, _ = tanh_d(sq * z1)
            t2, s2, _ = tanh_d(sq * (a * z1 + np.sqrt(1 - a * a) * z2))
            G = np.einsum("pij,ij->p", t1 * t2, w2)
            D = np.einsum("pij,ij->p", s1 * s2, w2)
            g = (W[idx] * G + B[idx]) / q[idx] - cc
            dg = W[idx] * D - 1
            new = np.clip(cc - g / dg, 0, 1)
            if np.all(np.abs(new - cc) <= 1e-15):
                cc = new
                break
            cc = new
        c[idx], chic[idx] = cc, W[idx] * D
    return q, chi1, c, chic


def main():
    args = grid_arguments("phase_gauss_hermite.csv", nodes=(int, 64), chunk=(int, 200))
    t0 = time.perf_counter()
    W, B = grid(args.w, args.b)
    z, wz = np.polynomial.hermite_e.hermegauss(args.nodes)
    wz = wz / np.sqrt(2 * np.pi)
    out = [np.empty_like(W) for _ in range(4)]
    for start in range(0, len(W), args.chunk):
        sl = slice(start, start + args.chunk)
        for o, v in zip(out, solve_chunk(W[sl], B[sl], z, wz)):
            o[sl] = v
    elapsed = time.perf_counter() - t0
    write_csv(args.out, W, B, *out)
    print(f"gauss-hermite: {len(W)} points in {elapsed:.3f} s ({args.nodes} nodes)")


if __name__ == "__main__":
    main()
