import Activations
import MeanField
import RunOutput

/// The notebook written beside a finite-width boundary's boundary.csv.
enum BoundaryNotebook {
    static func document(activation: Activation) -> NotebookDocument {
        NotebookDocument(name: "boundary-\(activation.fileName)", cells: [
            .markdown("""
                # Order and chaos at finite width: \(activation.name)

                Data: `boundary.csv`, written by `neurodyn simulate boundary` (parameters and seed in
                `run.json`). For each (sigma_w^2, sigma_b^2) and width N, ensembles of random networks
                carry a tangent vector; `chi1_hat` is the mean one-layer growth E|Jv|^2/|v|^2 and
                `lyapunov` the mean of its logarithm, both after a burn-in. The mean-field chi_1 = 1
                line is drawn from `chi1_mean_field` on the same grid. Perturbations grow where
                lambda > 0: at finite N that boundary lies beyond chi_1 = 1 (Jensen: E ln g < ln E g).
                """),
            notebookPreamble,
            .code("""
                data = np.genfromtxt("boundary.csv", delimiter=",", names=True)
                w = np.unique(data["sigma_w2"]); b = np.unique(data["sigma_b2"]); widths = np.unique(data["width"]).astype(int)
                def grid(column, n):
                    rows = data[data["width"] == n]
                    return np.asarray(rows[column], dtype=float).reshape(len(b), len(w))
                print(f"{len(data)} rows: {len(w)} x {len(b)} grid, widths {list(widths)}")
                """),
            .code("""
                colors = plt.cm.plasma(np.linspace(0.1, 0.8, len(widths)))
                fig, axes = plt.subplots(1, 2, figsize=(12, 4.8), constrained_layout=True)
                if len(b) > 1 and len(w) > 1:
                    for ax, (column, level, title) in zip(axes, [("lyapunov", 0.0, "$\\\\lambda = E \\\\ln g = 0$"),
                                                                 ("chi1_hat", 1.0, "$\\\\hat\\\\chi_1 = E g = 1$")]):
                        ax.contour(w, b, grid("chi1_mean_field", widths[0]), levels=[1.0], colors="black", linewidths=2)
                        ax.plot([], [], color="black", lw=2, label="mean field $\\\\chi_1 = 1$")
                        for color, n in zip(colors, widths):
                            ax.contour(w, b, grid(column, n), levels=[level], colors=[color], linestyles="--")
                            ax.plot([], [], color=color, ls="--", label=f"N = {n}")
                        ax.set_xlabel("$\\\\sigma_w^2$"); ax.set_ylabel("$\\\\sigma_b^2$"); ax.set_title(title); ax.legend()
                else:
                    for color, n in zip(colors, widths):
                        rows = data[data["width"] == n]
                        axes[0].errorbar(rows["sigma_w2"], rows["lyapunov"], yerr=rows["lyapunov_stderr"], color=color, label=f"N = {n}")
                        axes[1].errorbar(rows["sigma_w2"], rows["chi1_hat"], yerr=rows["chi1_stderr"], color=color, label=f"N = {n}")
                    rows = data[data["width"] == widths[0]]
                    axes[0].plot(rows["sigma_w2"], np.log(rows["chi1_mean_field"]), "k-", label="mean field $\\\\ln \\\\chi_1$")
                    axes[1].plot(rows["sigma_w2"], rows["chi1_mean_field"], "k-", label="mean field $\\\\chi_1$")
                    axes[0].axhline(0, color="gray", lw=0.8); axes[1].axhline(1, color="gray", lw=0.8)
                    axes[0].set_ylabel("$\\\\lambda$ per layer"); axes[1].set_ylabel("$\\\\hat\\\\chi_1$")
                    for ax in axes: ax.set_xlabel("$\\\\sigma_w^2$"); ax.legend()
                fig.suptitle("Finite-width order/chaos boundary, \(activation.name)")
                save(fig, "boundary")
                """),
        ])
    }
}
