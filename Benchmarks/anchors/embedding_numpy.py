"""The anchor for `neurodyn embedding simulate --k 1`: the same propagation in numpy.

A great circle of P points at radius sqrt(N q*) in a random orthonormal frame (QR) of layer-1
pre-activation space, with its exact tangents v and second derivatives a as extra columns
(3P columns); through L - 1 tanh layers of width N: h' = W tanh(h) + b, v' = W (tanh'(h) v),
a' = W (tanh'(h) a + tanh''(h) v^2), W_ij ~ N(0, sigma_w^2/N), b_i ~ N(0, sigma_b^2), from
numpy's default generator (PCG64, ziggurat), one matmul per layer (numpy's OpenBLAS, all
threads). Per layer, the means over points of g_bar = v.v/N and kappa2_bar =
N ((v.v)(a.a) - (v.a)^2)/(v.v)^3 (DESIGN.md section 3), then over networks with standard errors.
q* by fixed-point iteration on 200-node Gauss-Hermite quadrature.
"""
import argparse
import json
import time
import numpy as np


def q_star(sigma_w2, sigma_b2, q=1.0):
    z, w = np.polynomial.hermite_e.hermegauss(200)
    w = w / w.sum()
    for _ in range(2000):
        q = sigma_w2 * np.sum(w * np.tanh(np.sqrt(q) * z) ** 2) + sigma_b2
    return q


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sigma-w2", type=float, default=6.25)
    p.add_argument("--sigma-b2", type=float, default=0.09)
    p.add_argument("--width", type=int, default=2048)
    p.add_argument("--depth", type=int, default=20)
    p.add_argument("--points", type=int, default=512)
    p.add_argument("--nets", type=int, default=8)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    n, count = a.width, a.points
    qs = q_star(a.sigma_w2, a.sigma_b2)
    theta = 2 * np.pi * np.arange(count) / count
    local = np.stack([np.cos(theta), np.sin(theta)])                      # 2 x P: the point,
    tangent = np.stack([-np.sin(theta), np.cos(theta)])                   # its tangent,
    second = -local                                                       # its second derivative
    start = time.perf_counter()
    g_bar = np.zeros((a.nets, a.depth))
    kappa2 = np.zeros((a.nets, a.depth))
    for net in range(a.nets):
        rng = np.random.default_rng([a.seed, net])
        frame, _ = np.linalg.qr(rng.standard_normal((n, 2)))
        scale = np.sqrt(n * qs)
        h, v, acc = (scale * frame @ x for x in (local, tangent, second))
        for layer in range(a.depth):
            if layer > 0:
                t = np.tanh(h)
                d1 = 1 - t * t
                d2 = -2 * t * d1
                inputs = np.concatenate([t, d1 * v, d1 * acc + d2 * v * v], axis=1)
                w = rng.standard_normal((n, n)) * np.sqrt(a.sigma_w2 / n)
                out = w @ inputs
                out[:, :count] += rng.standard_normal(n)[:, None] * np.sqrt(a.sigma_b2)
                h, v, acc = out[:, :count], out[:, count:2 * count], out[:, 2 * count:]
            vv = np.einsum("ij,ij->j", v, v)
            aa = np.einsum("ij,ij->j", acc, acc)
            va = np.einsum("ij,ij->j", v, acc)
            g_bar[net, layer] = np.mean(vv / n)
            kappa2[net, layer] = np.mean(n * (vv * aa - va * va) / vv ** 3)
    seconds = time.perf_counter() - start
    se = lambda x: (x.std(axis=0, ddof=1) / np.sqrt(a.nets)).tolist()
    print(json.dumps({"seconds": seconds, "q_star": qs, "g_bar": g_bar.mean(axis=0).tolist(), "g_bar_stderr": se(g_bar),
                      "kappa2_bar": kappa2.mean(axis=0).tolist(), "kappa2_bar_stderr": se(kappa2)}))


if __name__ == "__main__":
    main()
