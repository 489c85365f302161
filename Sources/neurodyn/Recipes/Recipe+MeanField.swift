import Foundation
import MeanField
import RunOutput

extension Recipe {
    static let poole = Recipe(
        name: "poole", title: "Poole Fig. 1: the q-map, its iterates, q* and depth scales, finite N beside the theory",
        run: { context in
            let weights = [1.69, 6.25, 16]
            // V(q) on a grid, from the library (the q-map curves).
            var table = CSVTable(columns: ["sigma_w2", "q", "v"])
            for w in weights {
                let model = try MeanFieldModel(activation: .tanh, sigmaW2: w, sigmaB2: 0.09)
                let integrator = GaussianIntegrator(activation: .tanh)
                for k in 0...150 {
                    let q = 15 * Double(k) / 150
                    table.append([.number(w), .number(q), .number(model.lengthMap(q, using: integrator).value)])
                }
            }
            try context.write(table.text, "qmap.csv")
            for w in weights {
                for q0 in [0.5, 4, 12] {
                    try context.neurodyn(["meanfield", "iterate", "--activation", "tanh", "--sigma-w2", "\(w)", "--sigma-b2", "0.09",
                                          "--depth", "12", "--q0", "\(q0)", "--format", "json"], stdout: "iterate-\(w)-\(q0).json")
                }
                // Finite width beside the theory: N = 100 from q^1 = 12.
                try context.neurodyn(["simulate", "lengths", "--activation", "tanh", "--sigma-w2", "\(w)", "--sigma-b2", "0.09",
                                      "--q1", "12", "--width", "100", "--depth", "12", "--trials", context.size("100", "2000"),
                                      "--seed", "\(context.seed)", "--quiet", "--format", "json"], stdout: "finite-\(w).json")
            }
            let grid = context.size("60", "200")
            try context.neurodyn(["meanfield", "phase", "--activation", "tanh", "--sigma-w2", "0.5:16:\(grid)", "--sigma-b2", "0:0.3:\(grid)",
                                  "--quiet", "--out", context.directory.appendingPathComponent("phase").path], creates: "phase/phase.csv")
        },
        notebook: { _ in
            NotebookDocument(name: "poole", cells: [
                .markdown(#"""
                    # Poole et al. (2016), Fig. 1: the length map of a deep tanh network

                    q^{l} = V(q^{l-1}) = sigma_w^2 Int Dz tanh(sqrt(q^{l-1}) z)^2 + sigma_b^2 (variances; sigma_b^2 = 0.09).
                    Left: V(q) for sigma_w^2 = 1.69, 6.25, 16 with the diagonal; its crossing is q*.
                    Middle: iterates from q^0 = 0.5, 4, 12 (lines, mean field) and finite networks of width 100
                    started at q^1 = 12 (markers with standard errors, `simulate lengths`). Right: q* and the
                    depth scale xi_q = -1/ln V'(q*) over (sigma_w^2, sigma_b^2) from `meanfield phase`.
                    Data: qmap.csv, iterate-*.json, finite-*.json, phase/phase.csv.
                    """#),
                notebookPreamble,
                .code(#"""
                    qmap = csv("qmap.csv")
                    weights = [1.69, 6.25, 16.0]
                    colors = dict(zip(weights, ["tab:blue", "tab:orange", "tab:green"]))
                    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), constrained_layout=True)
                    ax = axes[0]
                    for w in weights:
                        rows = qmap[qmap["sigma_w2"] == w]
                        ax.plot(rows["q"], rows["v"], color=colors[w], label=rf"$\sigma_w^2 = {w}$")
                    ax.plot([0, 15], [0, 15], "k--", lw=1, label="$q^l = q^{l-1}$")
                    ax.set_xlabel("$q^{l-1}$ (length per neuron)"); ax.set_ylabel("$q^l = V(q^{l-1})$")
                    ax.set_title("q-map, tanh, $\\sigma_b^2 = 0.09$"); ax.legend()
                    ax = axes[1]
                    for w in weights:
                        for q0 in [0.5, 4.0, 12.0]:
                            q = load(f"iterate-{w}-{q0}.json")["q"]
                            ax.plot(range(len(q)), q, color=colors[w], lw=1.2)
                        f = load(f"finite-{w}.json")
                        # The simulated input has length q^1 = 12 at its first layer: drawn one layer left so that it
                        # starts with the mean-field iterate from q^0 = 12.
                        ax.errorbar(np.asarray(f["layer"]) - 1, f["mean_q_hat"], yerr=f["stderr_mean"], fmt="o", ms=3, color=colors[w],
                                    label=rf"N = 100 from 12, $\sigma_w^2 = {w}$")
                    ax.set_xlabel("layer $l$"); ax.set_ylabel("$q^l$")
                    ax.set_title("iterates: mean field (lines), width 100 (markers)"); ax.legend(fontsize=8)
                    save(fig, "poole-qmap")
                    """#),
                .code(#"""
                    phase = csv("phase/phase.csv")
                    w = np.unique(phase["sigma_w2"]); b = np.unique(phase["sigma_b2"])
                    grid = lambda c: np.asarray(phase[c], dtype=float).reshape(len(b), len(w))
                    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), constrained_layout=True)
                    from matplotlib.colors import LogNorm
                    for ax, (column, label) in zip(axes, [("q_star", "$q^*$"), ("xi_q", r"$\xi_q = -1/\ln V'(q^*)$ (layers, log scale)")]):
                        image = ax.imshow(grid(column), origin="lower", aspect="auto", extent=[w[0], w[-1], b[0], b[-1]], cmap="viridis",
                                          norm=LogNorm() if column == "xi_q" else None)
                        fig.colorbar(image, ax=ax, label=label)
                        ax.set_xlabel(r"$\sigma_w^2$ (weight variance)"); ax.set_ylabel(r"$\sigma_b^2$ (bias variance)")
                        ax.set_title(label)
                    save(fig, "poole-heatmaps")
                    """#),
            ])
        })

    static let phaseDiagrams = Recipe(
        name: "phase-diagrams", title: "phase diagrams of four activations, depth scales at sigma_b^2 = 0.05",
        run: { context in
            let grid = context.size("50", "200")
            for activation in ["tanh", "erf", "sigmoid", "relu"] {
                let range = activation == "sigmoid" ? "20:200:\(grid)" : "0.5:4:\(grid)"
                try context.neurodyn(["meanfield", "phase", "--activation", activation, "--sigma-w2", range, "--sigma-b2", "0:0.3:\(grid)",
                                      "--quiet", "--out", context.directory.appendingPathComponent(activation).path], creates: "\(activation)/phase.csv")
            }
            try context.neurodyn(["meanfield", "phase", "--activation", "tanh", "--sigma-w2", "0.5:4:\(context.size("200", "800"))",
                                  "--sigma-b2", "0.05:0.05:1", "--quiet", "--out", context.directory.appendingPathComponent("depth-scales").path],
                                 creates: "depth-scales/phase.csv")
        },
        notebook: { _ in
            NotebookDocument(name: "phase-diagrams", cells: [
                .markdown(#"""
                    # Order-to-chaos phase diagrams (Poole et al. 2016; Schoenholz et al. 2017)

                    Top: c* over (sigma_w^2, sigma_b^2) for tanh, erf, sigmoid and relu, with the critical line
                    chi_1 = 1 (white) from `meanfield phase` (each directory holds its phase.csv and run.json).
                    Bottom: the depth scales xi_q and xi_c against sigma_w^2 at sigma_b^2 = 0.05, and
                    6 xi_c, the depth up to which Schoenholz et al. found networks trainable.
                    """#),
                notebookPreamble,
                .code(#"""
                    fig, axes = plt.subplots(1, 4, figsize=(18, 4), constrained_layout=True)
                    for ax, activation in zip(axes, ["tanh", "erf", "sigmoid", "relu"]):
                        p = csv(f"{activation}/phase.csv")
                        w = np.unique(p["sigma_w2"]); b = np.unique(p["sigma_b2"])
                        grid = lambda c: np.asarray(p[c], dtype=float).reshape(len(b), len(w))
                        image = ax.imshow(grid("c_star"), origin="lower", aspect="auto", extent=[w[0], w[-1], b[0], b[-1]],
                                          cmap="magma", vmin=0, vmax=1)
                        ax.contour(w, b, grid("chi1"), levels=[1.0], colors="white", linewidths=1.5)
                        ax.set_xlabel(r"$\sigma_w^2$ (weight variance)"); ax.set_ylabel(r"$\sigma_b^2$ (bias variance)")
                        ax.set_title(f"{activation}: $c^*$, white $\\chi_1 = 1$")
                        if activation == "relu":
                            ax.text(3.0, 0.15, "no $q^*$:\nlengths grow\nwithout bound\n($\\sigma_w^2 > 2$)", ha="center", va="center")
                    fig.colorbar(image, ax=axes, label="$c^*$ (fixed-point correlation)")
                    save(fig, "phase-diagrams")
                    """#),
                .code(#"""
                    d = csv("depth-scales/phase.csv")
                    fig, ax = plt.subplots(figsize=(7, 4.5), constrained_layout=True)
                    ax.semilogy(d["sigma_w2"], d["xi_q"], label=r"$\xi_q$")
                    ax.semilogy(d["sigma_w2"], d["xi_c"], label=r"$\xi_c$")
                    ax.semilogy(d["sigma_w2"], 6 * np.asarray(d["xi_c"], dtype=float), "--", label=r"$6\,\xi_c$ (trainable depth)")
                    ax.set_xlabel(r"$\sigma_w^2$ (weight variance), $\sigma_b^2 = 0.05$"); ax.set_ylabel("depth scale (layers)")
                    ax.set_title("tanh depth scales"); ax.legend()
                    save(fig, "depth-scales")
                    """#),
            ])
        })

    static let finiteWidth = Recipe(
        name: "finite-width", title: "finite width against the 1/N theory, relu's variance, the finite-N boundary",
        run: { context in
            for width in [25, 100, 1000] {
                try context.neurodyn(["simulate", "lengths", "--activation", "tanh", "--sigma-w2", "1.69", "--sigma-b2", "0.09", "--q1", "1",
                                      "--width", "\(width)", "--depth", "10",
                                      "--trials", context.size(width == 1000 ? "200" : "1000", width == 1000 ? "2000" : "20000"),
                                      "--seed", "\(context.seed)", "--quiet", "--format", "json"], stdout: "tanh-\(width).json")
            }
            try context.neurodyn(["simulate", "lengths", "--activation", "relu", "--sigma-w2", "2", "--sigma-b2", "0", "--q1", "1",
                                  "--width", "64", "--depth", "12", "--trials", context.size("4000", "40000"),
                                  "--seed", "\(context.seed)", "--quiet", "--format", "json"], stdout: "relu-64.json")
            try context.neurodyn(["simulate", "boundary", "--activation", "tanh", "--sigma-w2", context.size("0.5:3:11", "0.5:3:26"),
                                  "--sigma-b2", context.size("0:0.3:4", "0:0.3:7"), "--widths", context.size("16,64", "16,64,256"),
                                  "--nets", context.size("8", "24"), "--seed", "\(context.seed)", "--quiet",
                                  "--out", context.directory.appendingPathComponent("boundary").path], creates: "boundary/boundary.csv")
        },
        notebook: { _ in
            NotebookDocument(name: "finite-width", cells: [
                .markdown(#"""
                    # Finite width against the 1/N theory

                    Mean and variance of q_hat = |h^l|^2/N over random tanh networks (sigma_w^2 = 1.69,
                    sigma_b^2 = 0.09, q^1 = 1) of width 25, 100 and 1000 (markers, standard errors) against the
                    1/N recursion (lines) and mean field; relu at criticality (sigma_w^2 = 2, N = 64) against
                    its exact law E q_hat^2 = q^2 (1 + 2/N)(1 + 5/N)^{l-1}, whose variance grows like (5l - 3) q^2/N;
                    the finite-N order/chaos boundary (`simulate boundary`, data in boundary/).
                    """#),
                notebookPreamble,
                .code(#"""
                    fig, axes = plt.subplots(1, 3, figsize=(17, 4.5), constrained_layout=True)
                    for width, color in [(25, "tab:red"), (100, "tab:orange"), (1000, "tab:blue")]:
                        d = load(f"tanh-{width}.json")
                        axes[0].errorbar(d["layer"], d["mean_q_hat"], yerr=d["stderr_mean"], fmt="o", ms=3, color=color, label=f"N = {width}")
                        axes[0].plot(d["layer"], d["theory_mean"], color=color, lw=1)
                        axes[1].errorbar(d["layer"], np.asarray(d["var_q_hat"]) * width, yerr=np.asarray(d["stderr_var"]) * width,
                                         fmt="o", ms=3, color=color, label=f"N = {width}")
                        axes[1].plot(d["layer"], np.asarray(d["theory_var"]) * width, color=color, lw=1)
                    axes[0].plot(d["layer"], d["mean_field_q"], "k--", lw=1, label="mean field")
                    axes[0].set_xlabel("layer $l$"); axes[0].set_ylabel(r"$E\,\hat q^l$"); axes[0].legend(); axes[0].set_title("mean (lines: 1/N theory)")
                    axes[1].set_xlabel("layer $l$"); axes[1].set_ylabel(r"$N\,\mathrm{Var}\,\hat q^l$"); axes[1].legend(); axes[1].set_title("variance x N")
                    r = load("relu-64.json")
                    l = np.asarray(r["layer"]); N = 64
                    exact = (1 + 2 / N) * (1 + 5 / N) ** (l - 1) - 1
                    axes[2].errorbar(l, r["var_q_hat"], yerr=r["stderr_var"], fmt="o", ms=3, label="measured, N = 64")
                    axes[2].plot(l, exact, label="exact: $(1+2/N)(1+5/N)^{l-1} - 1$")
                    axes[2].plot(l, (5 * l - 3) / N, "--", label="$(5l - 3)/N$")
                    axes[2].set_xlabel("layer $l$"); axes[2].set_ylabel(r"$\mathrm{Var}\,\hat q^l$ ($q = 1$)"); axes[2].legend(); axes[2].set_title("relu at criticality")
                    save(fig, "finite-width")
                    """#),
                .code(#"""
                    data = np.genfromtxt("boundary/boundary.csv", delimiter=",", names=True)
                    w = np.unique(data["sigma_w2"]); b = np.unique(data["sigma_b2"]); widths = np.unique(data["width"]).astype(int)
                    grid = lambda column, n: np.asarray(data[data["width"] == n][column], dtype=float).reshape(len(b), len(w))
                    colors = plt.cm.plasma(np.linspace(0.1, 0.8, len(widths)))
                    fig, ax = plt.subplots(figsize=(7, 4.8), constrained_layout=True)
                    ax.contour(w, b, grid("chi1_mean_field", widths[0]), levels=[1.0], colors="black", linewidths=2)
                    ax.plot([], [], color="black", lw=2, label=r"mean field $\chi_1 = 1$")
                    for color, n in zip(colors, widths):
                        ax.contour(w, b, grid("lyapunov", n), levels=[0.0], colors=[color], linestyles="--")
                        ax.plot([], [], color=color, ls="--", label=f"N = {n}: $\\lambda = E \\ln g = 0$")
                    ax.set_xlabel(r"$\sigma_w^2$ (weight variance)"); ax.set_ylabel(r"$\sigma_b^2$ (bias variance)")
                    ax.set_title("order/chaos boundary at finite width (tanh)"); ax.legend()
                    save(fig, "boundary")
                    """#),
            ])
        })
}
