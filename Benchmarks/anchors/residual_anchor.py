"""circles-anode3 training in diffrax (JAX) or torchdiffeq (PyTorch), single-threaded, float64:
the anchors of `neurodyn residual train` (DESIGN.md section 4).

Usage: residual_anchor.py diffrax|torchdiffeq ROUTE [--steps S] [--reference GRADIENT.json]
ROUTE: dopri5-backsolve, dopri5-checkpoint (diffrax's RecursiveCheckpointAdjoint; torchdiffeq's
odeint, i.e. backprop through the solver's operations), rk4 (10 steps of h = 0.1; diffrax: a
classic-RK4 Butcher tableau with discrete backprop; torchdiffeq: its 'rk4', the 3/8-rule
variant). Prints JSON: median ms per Adam step, forward NFE per step, final loss and accuracy,
and the relative max error of the gradient at the initial parameters against --reference.
"""
import argparse
import json
import os
import sys
import time

os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from circles_anode3 import data, parameters  # noqa: E402

SHAPES = [("W1", (32, 3)), ("b1", (32,)), ("W2", (3, 32)), ("b2", (3,)), ("Wr", (2, 3)), ("br", (2,))]


def split(flat):
    out, k = {}, 0
    for name, shape in SHAPES:
        n = int(np.prod(shape))
        out[name] = np.array(flat[k:k + n]).reshape(shape)
        k += n
    return out


def run_diffrax(route, steps, x0, y, init):
    import jax
    import jax.numpy as jnp
    import diffrax
    import optax
    jax.config.update("jax_enable_x64", True)

    class RK4(diffrax.AbstractERK):
        tableau = diffrax.ButcherTableau(
            c=np.array([0.5, 0.5, 1.0]), b_sol=np.array([1 / 6, 1 / 3, 1 / 3, 1 / 6]), b_error=np.zeros(4),
            a_lower=(np.array([0.5]), np.array([0.0, 0.5]), np.array([0.0, 0.0, 1.0])))
        interpolation_cls = diffrax.ThirdOrderHermitePolynomialInterpolation.from_k

        def order(self, terms):
            return 4

    def f(t, x, p):
        return jnp.tanh(x @ p["W1"].T + p["b1"]) @ p["W2"].T + p["b2"]

    term = diffrax.ODETerm(f)
    if route == "rk4":
        kwargs = dict(solver=RK4(), dt0=0.1, stepsize_controller=diffrax.ConstantStepSize(),
                      adjoint=diffrax.RecursiveCheckpointAdjoint())
    else:
        kwargs = dict(solver=diffrax.Dopri5(), dt0=None, stepsize_controller=diffrax.PIDController(rtol=1e-5, atol=1e-5),
                      adjoint=diffrax.BacksolveAdjoint() if route == "dopri5-backsolve" else diffrax.RecursiveCheckpointAdjoint())
    x0, y = jnp.array(x0), jnp.array(y)

    def loss(p):
        sol = diffrax.diffeqsolve(term, t0=0.0, t1=1.0, y0=x0, args=p, max_steps=100000, **kwargs)
        logits = sol.ys[-1] @ p["Wr"].T + p["br"]
        l = jnp.mean(jax.nn.logsumexp(logits, axis=1) - jnp.take_along_axis(logits, y[:, None], axis=1)[:, 0])
        return l, (jnp.mean(jnp.argmax(logits, axis=1) == y), sol.stats["num_steps"])

    grad = jax.jit(jax.value_and_grad(loss, has_aux=True))
    opt = optax.adam(1e-2, b1=0.9, b2=0.999, eps=1e-8)
    p = {k: jnp.array(v) for k, v in split(init).items()}
    state = opt.init(p)
    (l0, _), g0 = grad(p)
    g0 = np.concatenate([np.asarray(g0[name]).ravel() for name, _ in SHAPES])

    @jax.jit
    def update(p, state, g):
        u, state = opt.update(g, state, p)
        return optax.apply_updates(p, u), state

    times, nfe = [], []
    for _ in range(steps):
        start = time.perf_counter()
        (l, (acc, n)), g = grad(p)
        p, state = update(p, state, g)
        jax.block_until_ready(p)
        times.append(1e3 * (time.perf_counter() - start))
        nfe.append(int(n) * (4 if route == "rk4" else 6))
    (l, (acc, _)), _ = grad(p)
    return g0, float(l), float(acc), times, nfe


def run_torchdiffeq(route, steps, x0, y, init):
    import torch
    from torchdiffeq import odeint, odeint_adjoint
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float64)
    p = {k: torch.tensor(v, requires_grad=True) for k, v in split(init).items()}

    class Field(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.W1, self.b1, self.W2, self.b2 = (torch.nn.Parameter(p[k]) for k in ("W1", "b1", "W2", "b2"))
            self.nfe = 0

        def forward(self, t, x):
            self.nfe += 1
            return torch.tanh(x @ self.W1.T + self.b1) @ self.W2.T + self.b2

    field = Field()
    Wr, br = torch.nn.Parameter(p["Wr"]), torch.nn.Parameter(p["br"])
    params = [field.W1, field.b1, field.W2, field.b2, Wr, br]
    x0, y = torch.tensor(x0), torch.tensor(y)
    t = torch.tensor([0.0, 1.0])

    def loss():
        if route == "rk4":
            xs = odeint(field, x0, t, method="rk4", options=dict(step_size=0.1))
        elif route == "dopri5-backsolve":
            xs = odeint_adjoint(field, x0, t, method="dopri5", rtol=1e-5, atol=1e-5)
        else:
            xs = odeint(field, x0, t, method="dopri5", rtol=1e-5, atol=1e-5)
        logits = xs[-1] @ Wr.T + br
        return torch.nn.functional.cross_entropy(logits, y), (logits.argmax(1) == y).double().mean()

    opt = torch.optim.Adam(params, lr=1e-2, betas=(0.9, 0.999), eps=1e-8)
    l, _ = loss()
    g0 = torch.autograd.grad(l, params)
    g0 = np.concatenate([g.detach().numpy().ravel() for g in g0])
    times, nfe = [], []
    for _ in range(steps):
        start = time.perf_counter()
        opt.zero_grad()
        field.nfe = 0
        l, acc = loss()
        forward = field.nfe
        l.backward()
        opt.step()
        times.append(1e3 * (time.perf_counter() - start))
        nfe.append(forward)
    with torch.no_grad():
        l, acc = loss()
    return g0, float(l), float(acc), times, nfe


def main():
    a = argparse.ArgumentParser()
    a.add_argument("library", choices=["diffrax", "torchdiffeq"])
    a.add_argument("route", choices=["dopri5-backsolve", "dopri5-checkpoint", "rk4"])
    a.add_argument("--steps", type=int, default=200)
    a.add_argument("--reference")
    args = a.parse_args()
    points, labels = data()
    x0 = np.array(points)
    y = np.array(labels)
    init = parameters()
    run = run_diffrax if args.library == "diffrax" else run_torchdiffeq
    g0, loss, acc, times, nfe = run(args.route, args.steps, x0, y, init)
    out = {"library": args.library, "route": args.route, "median_ms_per_step": float(np.median(times)),
           "nfe_forward_per_step": float(np.mean(nfe)), "final_loss": loss, "final_accuracy": acc}
    if args.reference:
        ref = np.array(json.load(open(args.reference))["gradient"])
        out["gradient_error"] = float(np.max(np.abs(g0 - ref)) / np.max(np.abs(ref)))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
