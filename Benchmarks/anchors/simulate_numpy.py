"""The anchor for `neurodyn simulate lengths`: the same ensemble in numpy.

T networks of width N and depth L fed B uncorrelated inputs of length q1: h^1 ~ N(0, q1),
h^{l+1} = W phi(h^l) + b with W_ij ~ N(0, sigma_w^2/N), b_i ~ N(0, sigma_b^2), weights from
numpy's default generator (PCG64, ziggurat), forward passes by matmul (numpy's OpenBLAS, all
threads). Writes the per-layer mean of q_hat = |h|^2/N so that the two runs can be checked
against each other statistically.
"""
import argparse
import json
import time
import numpy as np

ACTIVATIONS = {"tanh": np.tanh, "relu": lambda u: np.maximum(u, 0), "linear": lambda u: u}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--activation", default="tanh", choices=sorted(ACTIVATIONS))
    p.add_argument("--sigma-w2", type=float, default=1.69)
    p.add_argument("--sigma-b2", type=float, default=0.09)
    p.add_argument("--q1", type=float, default=1.0)
    p.add_argument("--width", type=int, required=True)
    p.add_argument("--depth", type=int, required=True)
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--trials", type=int, required=True)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    phi = ACTIVATIONS[a.activation]
    n, b = a.width, a.batch
    sw, sb = np.sqrt(a.sigma_w2 / n), np.sqrt(a.sigma_b2)
    start = time.perf_counter()
    q = np.zeros((a.trials, a.depth, b))
    for t in range(a.trials):
        rng = np.random.default_rng([a.seed, t])
        h = rng.standard_normal((n, b)) * np.sqrt(a.q1)
        q[t, 0] = np.einsum("ij,ij->j", h, h) / n
        for layer in range(1, a.depth):
            bias = rng.standard_normal(n) * sb
            w = rng.standard_normal((n, n)) * sw
            h = w @ phi(h) + bias[:, None]
            q[t, layer] = np.einsum("ij,ij->j", h, h) / n
    seconds = time.perf_counter() - start
    per_network = q.mean(axis=2)
    print(json.dumps({"seconds": seconds, "mean_q_hat": q.mean(axis=(0, 2)).tolist(),
                      "stderr_mean": (per_network.std(axis=0, ddof=1) / np.sqrt(a.trials)).tolist()}))


if __name__ == "__main__":
    main()
