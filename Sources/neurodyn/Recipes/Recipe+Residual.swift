import Foundation
import RunOutput

extension Recipe {
    static let residual = Recipe(
        name: "residual", title: "residual networks as ODEs on circles-anode3: training, gradient error, H drift",
        run: { context in
            let steps = context.size("30", "200")
            for (name, route) in [("rk4", ["--solver", "rk4:10", "--method", "discrete"]),
                                  ("euler", ["--solver", "euler:10", "--method", "discrete"]),
                                  ("dopri5-adjoint", ["--solver", "dopri5", "--method", "adjoint"]),
                                  ("dopri5-checkpoint", ["--solver", "dopri5", "--method", "checkpoint"])] {
                try context.neurodyn(["residual", "train", "--problem", "circles-anode3", "--steps", steps, "--quiet", "--format", "json"] + route,
                                     stdout: "train-\(name).json")
            }
            try context.neurodyn(["residual", "gradient", "--solver", "dopri5", "--rtol", "1e-12", "--atol", "1e-12", "--method", "adjoint",
                                  "--format", "json"], stdout: "gradient-reference.json")
            for tolerance in ["1e-3", "1e-5", "1e-7", "1e-9"] {
                for method in ["adjoint", "checkpoint"] {
                    try context.neurodyn(["residual", "gradient", "--solver", "dopri5", "--rtol", tolerance, "--atol", tolerance,
                                          "--method", method, "--format", "json"], stdout: "gradient-\(method)-\(tolerance).json")
                }
                try context.neurodyn(["residual", "hamiltonian", "--rtol", tolerance, "--atol", tolerance, "--format", "json"],
                                     stdout: "hamiltonian-\(tolerance).json")
            }
            for n in [5, 10, 20, 40] {
                try context.neurodyn(["residual", "gradient", "--solver", "rk4:\(n)", "--method", "discrete", "--format", "json"],
                                     stdout: "gradient-rk4-\(n).json")
            }
            // A residual net x_{k+1} = x_k + eps f(x_k) with N = 1/eps layers is Euler's scheme: its gradient
            // converges to the ODE's as eps -> 0.
            for n in [5, 10, 20, 40, 80, 160] {
                try context.neurodyn(["residual", "gradient", "--solver", "euler:\(n)", "--method", "discrete", "--format", "json"],
                                     stdout: "gradient-euler-\(n).json")
            }
            // The near-identity feedforward net sigma(W x + b), W = I + eps A(t), converges to dx/dt = A x + c + g(x).
            try context.neurodyn(["residual", "near-identity", "--format", "json"], stdout: "near-identity.json")
            for (name, steps) in [("initial", "0"), ("trained", steps)] {
                try context.neurodyn(["residual", "metric", "--solver", "rk4:10", "--steps", steps, "--points", context.size("50", "200"),
                                      "--format", "json"], stdout: "metric-\(name).json")
            }
        },
        notebook: { _ in
            NotebookDocument(name: "residual", cells: [
                .markdown(#"""
                    # Residual networks as ODEs: circles-anode3

                    1000 points on two circles flow through dx/dt = W2 tanh(W1 x + b1) + b2, t in [0, 1], then a softmax
                    readout (the benchmark of torchdiffeq's and diffrax's anchors). Left: Adam training curves for fixed-step schemes with their
                    discrete adjoint and Dopri5 (1e-5) with the continuous adjoint, by backsolve and on the stored
                    forward solution. Middle: gradient error at the initial parameters against the continuous adjoint
                    at 1e-12, as the tolerance (Dopri5) or the step count (RK4, discrete: the gradient of the scheme,
                    whose distance from the ODE's gradient falls as h^4) changes. Right: the drift of the Hamiltonian
                    H = p . f along the adjoint backsolve, which the exact flow conserves.
                    """#),
                notebookPreamble,
                .code(#"""
                    reference = np.asarray(load("gradient-reference.json")["gradient"])
                    error = lambda name: np.linalg.norm(np.asarray(load(name)["gradient"]) - reference) / np.linalg.norm(reference)
                    fig, axes = plt.subplots(1, 3, figsize=(18, 4.6), constrained_layout=True)
                    for name in ["rk4", "euler", "dopri5-adjoint", "dopri5-checkpoint"]:
                        t = load(f"train-{name}.json")
                        axes[0].semilogy(range(1, len(t["losses"]) + 1), t["losses"], label=f"{name} ({t['median_ms_per_step']:.0f} ms/step)")
                    axes[0].set_xlabel("Adam step"); axes[0].set_ylabel("cross-entropy loss"); axes[0].set_title("training"); axes[0].legend(fontsize=8)
                    tolerances = ["1e-3", "1e-5", "1e-7", "1e-9"]
                    for method in ["adjoint", "checkpoint"]:
                        nfe = [load(f"gradient-{method}-{tol}.json")["nfe_forward"] + load(f"gradient-{method}-{tol}.json")["nfe_backward"] for tol in tolerances]
                        axes[1].loglog(nfe, [error(f"gradient-{method}-{tol}.json") for tol in tolerances], "o-", label=f"dopri5, {method} (rtol 1e-3..1e-9)")
                    steps = [5, 10, 20, 40]
                    axes[1].loglog([8 * n for n in steps], [error(f"gradient-rk4-{n}.json") for n in steps], "s-", label="rk4, discrete (5..40 steps)")
                    axes[1].set_xlabel("function evaluations (forward + backward)"); axes[1].set_ylabel("relative gradient error")
                    axes[1].set_title("gradient error vs cost"); axes[1].legend(fontsize=8)
                    drift = [load(f"hamiltonian-{tol}.json")["hamiltonian_drift"] for tol in tolerances]
                    axes[2].loglog([float(t) for t in tolerances], drift, "o-", label="max |H(t) - H(1)| / |H(1)|")
                    axes[2].loglog([1e-9, 1e-3], [1e-9, 1e-3], "k--", lw=1, label="= tolerance")
                    axes[2].set_xlabel("rtol = atol"); axes[2].set_ylabel("relative drift of H = p . f"); axes[2].set_title("Hamiltonian drift")
                    axes[2].legend(fontsize=8)
                    save(fig, "residual")
                    """#),
                .markdown(#"""
                    Left: a residual net x_{k+1} = x_k + eps f(x_k) with N = 1/eps layers is Euler's scheme for the ODE;
                    its exact (backprop) gradient converges to the ODE's as eps -> 0 at O(eps), RK4's at O(eps^4).
                    Middle: a near-identity feedforward net x_{n+1} = sigma(W_n x_n + b_n) with W_n = I + eps A(t_n),
                    b_n = eps c(t_n), sigma(z) = z + eps g(z) (tanh), against its ODE dx/dt = A(t) x + c(t) + g(x) with
                    time-dependent weights (5 knots): the output, the backprop gradient in (A, c) and dL/dx(0) (the
                    momentum p(0) of dp/dt = -(A^T + diag g'(x)) p) all converge at O(eps).
                    Right: the pulled-back metric G(x0) = DPhi^T DPhi of the flow map at the initial and the trained parameters
                    (eigenvalues per input point; squared stretches), with det DPhi = exp Int tr(df/dx) dt checked per point.
                    """#),
                .code(#"""
                    fig, axes = plt.subplots(1, 3, figsize=(19, 4.6), constrained_layout=True)
                    n = np.array([5, 10, 20, 40, 80, 160])
                    e = np.array([error(f"gradient-euler-{k}.json") for k in n])
                    axes[0].loglog(1 / n, e, "o-", label="residual net x + eps f(x) (Euler), exact backprop")
                    axes[0].loglog(1 / n, e[0] * (n[0] / n), "k--", lw=1, label="slope 1")
                    m = np.array([5, 10, 20, 40])
                    axes[0].loglog(1 / m, [error(f"gradient-rk4-{k}.json") for k in m], "s-", label="RK4 blocks")
                    axes[0].set_xlabel(r"$\varepsilon = 1/N$ (step, N layers)"); axes[0].set_ylabel("relative gradient error vs the ODE")
                    axes[0].set_title(r"residual nets converge to the ODE as $\varepsilon \to 0$"); axes[0].legend(fontsize=8)
                    ni = load("near-identity.json")
                    rows = {k: np.array([r[k] for r in ni["rows"]]) for k in ni["rows"][0]}
                    for key, marker, label in [("state_error", "o", "output x(1), max error"), ("gradient_error", "s", "gradient in A, c (relative)"),
                                               ("momentum_error", "^", "dL/dx(0) = p(0) (relative)")]:
                        axes[1].loglog(rows["eps"], rows[key], marker + "-", label=label)
                    axes[1].loglog(rows["eps"], rows["gradient_error"][0] * rows["eps"] / rows["eps"][0], "k--", lw=1, label="slope 1")
                    axes[1].set_xlabel(r"$\varepsilon = 1/N$ (N layers)"); axes[1].set_ylabel("error vs the ODE")
                    axes[1].set_title(r"near-identity feedforward net $\sigma(Wx + b)$ vs $\dot x = A(t)x + c(t) + g(x)$")
                    axes[1].legend(fontsize=8)
                    print(f"reference (RK4, 4096 steps) against 2048 steps: {ni['reference_check']:.1e}")
                    for name, marker in [("initial", "o"), ("trained", "s")]:
                        mt = load(f"metric-{name}.json")
                        ev = np.array([p["metric_eigenvalues"] for p in mt["points"]])
                        for k in range(3):
                            axes[2].semilogy(np.arange(len(ev)), ev[:, k], marker, ms=3, color=f"C{k}", alpha=0.8 if name == "trained" else 0.4,
                                             label=f"{name}, eigenvalue {k + 1}" )
                        print(f"{name} ({mt['trained_steps']} Adam steps): max |log det DPhi - Int tr J| = {mt['max_liouville_error']:.2e}")
                    axes[2].set_xlabel("input point"); axes[2].set_ylabel(r"eigenvalues of $G = D\Phi^T D\Phi$")
                    axes[2].set_title("pulled-back metric of the flow map"); axes[2].legend(fontsize=7, ncol=2)
                    save(fig, "residual-geometry")
                    """#),
            ])
        })
}
