"""PROX-RECUR anchors: the proximal recursion of Caluya & Halder on the stochastic Hopfield network
in its flat chart, the same work `neurodyn hopfield density` does (DESIGN.md section 5).

Three implementations run on the SAME cloud and noise (numpy's PCG64 from --seed):
  numpy-exp   the paper's iteration with Gamma = exp(-C/(2 eps)) (underflows once C/(2 eps) > 745)
  numpy-log   the same iteration in the log domain (scipy.special.logsumexp), as DESIGN.md asks
  pot         ot.unbalanced.sinkhorn_unbalanced per step: reg = eps, reg_m = (inf, h/beta),
              M = C/2, a = rho_{k-1}, b = exp(-beta psi(x_k)), reg_type = 'entropy'
Prints one JSON line per implementation: seconds, mean iterations, mass drift, and the largest
relative difference of the final weights from numpy-log's.

Model: two logistic units, W = [[0, 2], [2, 0]], I = [-1, -1], gain 3, tau 1, C = 1 (the
two-neuron landscape of the headline experiments), temperature 0.2.
"""
import argparse
import json
import time

import numpy as np
from scipy.special import logsumexp

W = np.array([[0.0, 2.0], [2.0, 0.0]])
I = np.array([-1.0, -1.0])
GAIN, TAU = 3.0, 1.0


def outputs(theta):
    return np.sin(theta * np.sqrt(GAIN) / 2) ** 2


def energy(x):
    phi = (x * np.log(x) + (1 - x) * np.log1p(-x)) / GAIN
    return -0.5 * np.einsum("pi,ij,pj->p", x, W, x) - x @ I + phi.sum(1) / TAU


def psi_theta(theta, t):
    x = outputs(theta)
    return energy(x) - 0.5 * t * np.log(GAIN * x * (1 - x)).sum(1)


def drift(theta, t):
    x = outputs(theta)
    slope = GAIN * x * (1 - x)
    u = (np.log(x) - np.log1p(-x)) / GAIN
    gradient = u / TAU - (x @ W.T + I)
    return -np.sqrt(slope) * gradient + 0.5 * t * GAIN * (1 - 2 * x) / np.sqrt(slope)


def reflect(theta, lo, hi):
    width = hi - lo
    y = np.mod(theta - lo, 2 * width)
    y = np.where(y > width, 2 * width - y, y)
    margin = 1e-7 * width
    return lo + np.clip(y, margin, width - margin)


def step_exp(prev, new, rho, beta_psi, eps, h, beta, delta):
    c = ((prev[:, None, :] - new[None, :, :]) ** 2).sum(-1)
    k = np.exp(-c / (2 * eps))
    xi = np.exp(-beta_psi - 1)
    fi = 1 / (1 + beta * eps / h)
    y, z = np.ones(len(rho)), np.ones(len(beta_psi))
    for it in range(1, 10_001):
        z_new = (xi / (k.T @ y)) ** fi
        y_new = rho / (k @ z_new)
        change = max(np.abs(np.log(z_new / z)).max(), np.abs(np.log(y_new / y)).max())
        y, z = y_new, z_new
        if change < delta:
            break
    return z * (k.T @ y), it


def step_log(prev, new, rho, beta_psi, eps, h, beta, delta):
    c = ((prev[:, None, :] - new[None, :, :]) ** 2).sum(-1)
    log_k = -c / (2 * eps)
    log_xi = -beta_psi - 1
    log_rho = np.log(rho)
    fi = 1 / (1 + beta * eps / h)
    log_y, log_z = np.zeros(len(rho)), np.zeros(len(beta_psi))
    for it in range(1, 10_001):
        log_z_new = fi * (log_xi - logsumexp(log_k + log_y[:, None], axis=0))
        log_y_new = log_rho - logsumexp(log_k + log_z_new[None, :], axis=1)
        change = max(np.abs(log_z_new - log_z).max(), np.abs(log_y_new - log_y).max())
        log_y, log_z = log_y_new, log_z_new
        if change < delta:
            break
    return np.exp(log_z + logsumexp(log_k + log_y[:, None], axis=0)), it


def step_pot(prev, new, rho, beta_psi, eps, h, beta, delta):
    import ot
    c = ((prev[:, None, :] - new[None, :, :]) ** 2).sum(-1)
    plan, log = ot.unbalanced.sinkhorn_unbalanced(rho, np.exp(-beta_psi), c / 2, eps, (float("inf"), h / beta),
                                                  reg_type="entropy", stopThr=delta, numItermax=10_000, log=True)
    return plan.sum(0), len(log["err"]) * 10


def propagate(step, args):
    rng = np.random.default_rng(args.seed)
    t = args.temperature
    beta = 1 / t
    lo, hi = 0.0, np.pi / np.sqrt(GAIN)  # the logistic chart: theta = (2/sqrt(gain)) asin(sqrt(x))
    centre = 2 / np.sqrt(GAIN) * np.arcsin(np.sqrt(0.5))
    z = rng.standard_normal((args.points, 2))
    theta = reflect(centre + args.spread * z, lo, hi)
    rho = np.prod(np.exp(-0.5 * z * z) / (args.spread * np.sqrt(2 * np.pi)), axis=1)
    noise = rng.standard_normal((args.steps, args.points, 2))
    mass0 = rho.sum()
    iterations = []
    start = time.perf_counter()
    for k in range(args.steps):
        new = reflect(theta + args.dt * drift(theta, t) + np.sqrt(2 * args.dt * t) * noise[k], lo, hi)
        rho, it = step(theta, new, rho, beta * psi_theta(new, t), args.eps, args.dt, beta, args.delta)
        theta = new
        iterations.append(it)
    seconds = time.perf_counter() - start
    return rho, seconds, float(np.mean(iterations)), abs(rho.sum() - mass0) / mass0


def check_step(args):
    """One step from the initial cloud, every route converged far (delta 1e-13, POT stopThr 1e-13):
    the recursion and POT's unbalanced Sinkhorn solve the same problem, so the weights agree."""
    rng = np.random.default_rng(args.seed)
    t = args.temperature
    lo, hi = 0.0, np.pi / np.sqrt(GAIN)
    centre = 2 / np.sqrt(GAIN) * np.arcsin(np.sqrt(0.5))
    z = rng.standard_normal((args.points, 2))
    theta = reflect(centre + args.spread * z, lo, hi)
    rho = np.prod(np.exp(-0.5 * z * z) / (args.spread * np.sqrt(2 * np.pi)), axis=1)
    new = reflect(theta + args.dt * drift(theta, t) + np.sqrt(2 * args.dt * t) * rng.standard_normal((args.points, 2)), lo, hi)
    beta_psi = psi_theta(new, t) / t
    results = {name: step(theta, new, rho, beta_psi, args.eps, args.dt, 1 / t, 1e-13)[0]
               for name, step in [("numpy-exp", step_exp), ("numpy-log", step_log), ("pot", step_pot)]}
    for name, w in results.items():
        print(json.dumps({"route": name, "max_rel_diff_from_numpy_log": float(np.max(np.abs(w - results["numpy-log"]) / results["numpy-log"])),
                          "mass_drift": float(abs(w.sum() - rho.sum()) / rho.sum())}))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--points", type=int, default=400)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--dt", type=float, default=1e-3)
    parser.add_argument("--eps", type=float, default=0.05)
    parser.add_argument("--delta", type=float, default=1e-3)
    parser.add_argument("--temperature", type=float, default=0.2)
    parser.add_argument("--spread", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--routes", default="numpy-exp,numpy-log,pot")
    parser.add_argument("--check-step", action="store_true",
                        help="only compare one step of the three routes at tight tolerances (the equivalence with POT)")
    args = parser.parse_args()
    if args.check_step:
        check_step(args)
        return
    steps = {"numpy-exp": step_exp, "numpy-log": step_log, "pot": step_pot}
    results = {name: propagate(steps[name], args) for name in args.routes.split(",")}
    reference = results.get("numpy-log", next(iter(results.values())))[0]
    for name, (rho, seconds, iterations, drift_) in results.items():
        print(json.dumps({"route": name, "seconds": seconds, "ms_per_step": 1e3 * seconds / args.steps,
                          "mean_iterations": iterations, "mass_drift": drift_,
                          "max_rel_diff_from_numpy_log": float(np.max(np.abs(rho - reference) / reference))}))


if __name__ == "__main__":
    main()
