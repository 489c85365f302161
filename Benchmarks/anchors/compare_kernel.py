"""Side by side: `neurodyn meanfield kernel` against neural-tangents' infinite-width kernels.

The same network in both (NT's stax with the NTK parameterization, float64): Dense(W_std, b_std)
then (activation, Dense) L - 1 times, with sigma_w2 = W_std^2, sigma_b2 = b_std^2. For the
activations NT has in closed form (relu, erf, gelu, sin, leaky relu, abs) the two should agree to
1e-12 relative to the largest entry; for tanh, swish and softplus NT integrates numerically
(ElementwiseNumerical, Gauss-Hermite of degree `--deg`), and both are compared with an independent
route: scipy's adaptive dblquad of E[phi(u) phi(v)] for the layer-2 NNGP of the first pairs.
Prints the largest differences and the time of an n x n kernel at depth 10 for both.

usage: python compare_kernel.py --neurodyn ../../.build/release/neurodyn [--n 1000] [--deg 25]
"""
import argparse
import json
import os
import subprocess
import tempfile
import time

import numpy as np

os.environ.setdefault("JAX_ENABLE_X64", "1")
import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402
from neural_tangents import stax  # noqa: E402

CLOSED = {"relu": stax.Relu(), "erf": stax.Erf(), "gelu": stax.Gelu(approximate=False), "sin": stax.Sin(),
          "leaky_relu:0.1": stax.LeakyRelu(0.1), "abs": stax.Abs()}
NUMERICAL = {"tanh": jnp.tanh, "swish": lambda x: x * jax.nn.sigmoid(x), "softplus": jax.nn.softplus}


def network(layer, w2, b2, depth):
    w, b = np.sqrt(w2), np.sqrt(b2)
    layers = [stax.Dense(1, W_std=w, b_std=b)]
    for _ in range(depth - 1):
        layers += [layer, stax.Dense(1, W_std=w, b_std=b)]
    return stax.serial(*layers)[2]


def neurodyn(binary, activation, w2, b2, depth, path):
    t0 = time.perf_counter()
    out = subprocess.run([binary, "meanfield", "kernel", "--activation", activation, "--sigma-w2", str(w2),
                          "--sigma-b2", str(b2), "--depth", str(depth), "--inputs", path, "--format", "json", "--quiet"],
                         check=True, capture_output=True, text=True).stdout
    elapsed = time.perf_counter() - t0
    data = json.loads(out)
    return np.array(data["nngp"]), np.array(data["ntk"]), elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--neurodyn", required=True)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--deg", type=int, default=25)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 5))
    x[1] = x[0] + 1e-6 * rng.standard_normal(5)  # nearly collinear
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "x.csv")
        np.savetxt(path, x, delimiter=",", fmt="%.17g")
        print("activation       sigma_w2 depth  |NNGP diff|/max  |NTK diff|/max")
        for name, layer in CLOSED.items():
            for w2, b2 in [(1.2, 0.05), (2.5, 0.1)]:
                for depth in [1, 2, 10, 50]:
                    nngp, ntk, _ = neurodyn(args.neurodyn, name, w2, b2, depth, path)
                    k = network(layer, w2, b2, depth)(x, None, ("nngp", "ntk"))
                    dn = np.abs(np.asarray(k.nngp) - nngp).max() / np.abs(nngp).max()
                    dt = np.abs(np.asarray(k.ntk) - ntk).max() / np.abs(ntk).max()
                    print(f"{name:16s} {w2:8.2f} {depth:5d}  {dn:15.2e}  {dt:14.2e}")
        from scipy import integrate
        print("\nnumerical in NT (Gauss-Hermite deg %d); layer-2 NNGP against scipy dblquad, pairs (0,j):" % args.deg)
        for name, f in NUMERICAL.items():
            w2, b2 = 1.5, 0.1
            nngp, _, _ = neurodyn(args.neurodyn, name, w2, b2, 2, path)
            k = network(stax.ElementwiseNumerical(f, deg=args.deg), w2, b2, 2)(x, None, "nngp")
            sigma1 = w2 * x @ x.T / x.shape[1] + b2
            g = lambda u: float(f(u))  # noqa: E731
            worst_nd = worst_nt = 0.0
            for j in [0, 1, 2, 3]:
                q1, q2, q12 = sigma1[0, 0], sigma1[j, j], sigma1[0, j]
                c = q12 / np.sqrt(q1 * q2)
                s = np.sqrt(max(1 - c * c, 0.0))

                def integrand(z2, z1):
                    u = np.sqrt(q1) * z1
                    v = np.sqrt(q2) * (c * z1 + s * z2)
                    return g(u) * g(v) * np.exp(-0.5 * (z1 * z1 + z2 * z2)) / (2 * np.pi)
                ref = w2 * integrate.dblquad(integrand, -12, 12, -12, 12, epsabs=1e-15, epsrel=1e-13)[0] + b2
                worst_nd = max(worst_nd, abs(nngp[0, j] - ref) / abs(ref))
                worst_nt = max(worst_nt, abs(float(k[0, j]) - ref) / abs(ref))
            print(f"{name:10s} neurodyn {worst_nd:.2e}   neural-tangents {worst_nt:.2e}")
        big = rng.standard_normal((args.n, 10))
        path = os.path.join(tmp, "big.csv")
        np.savetxt(path, big, delimiter=",", fmt="%.17g")
        print(f"\n{args.n} x {args.n} kernels at depth 10:")
        for name in ["relu", "erf", "tanh"]:
            _, _, t_nd = neurodyn(args.neurodyn, name, 1.5, 0.1, 10, path)
            layer = CLOSED.get(name) or stax.ElementwiseNumerical(NUMERICAL[name], deg=args.deg)
            fn = jax.jit(network(layer, 1.5, 0.1, 10), static_argnames="get")
            fn(big[:4], None, get=("nngp", "ntk"))
            t0 = time.perf_counter()
            kk = fn(big, None, get=("nngp", "ntk"))
            np.asarray(kk.ntk)
            t_nt = time.perf_counter() - t0
            print(f"{name:6s} neurodyn {t_nd:7.2f} s   neural-tangents {t_nt:7.2f} s   ratio {t_nt / t_nd:5.2f}")


if __name__ == "__main__":
    main()
