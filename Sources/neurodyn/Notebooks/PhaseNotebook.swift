import Activations
import MeanField
import RunOutput

/// The notebook written beside a phase diagram's phase.csv.
enum PhaseNotebook {
    static func document(activation: Activation) -> NotebookDocument {
        NotebookDocument(name: "phase-\(activation.fileName)", cells: [
            .markdown("""
                # Mean-field phase diagram: \(activation.name)

                Data: `phase.csv` beside this notebook, written by `neurodyn meanfield phase`
                (parameters in `run.json`). sigma_w^2 and sigma_b^2 are variances. The line
                chi_1 = 1 separates the ordered phase (c* = 1) from the chaotic one (c* < 1);
                xi_c = -1/ln chi_c diverges on it (Schoenholz et al. 2017).
                """),
            notebookPreamble,
            .code("""
                data = np.genfromtxt("phase.csv", delimiter=",", names=True, dtype=None, encoding="utf-8")
                w = np.unique(data["sigma_w2"]); b = np.unique(data["sigma_b2"])
                def grid(column):
                    values = np.asarray(data[column], dtype=float)
                    return values.reshape(len(b), len(w))
                extent = [w[0], w[-1], b[0], b[-1]]
                print(f"{len(data)} points, statuses:", {s: int(np.sum(data['status'] == s)) for s in np.unique(data['status'])})
                """),
            .code("""
                fig, axes = plt.subplots(2, 2, figsize=(11, 8), constrained_layout=True)
                panels = [("q_star", "$q^*$", None), ("chi1", "$\\\\chi_1$", None),
                          ("c_star", "$c^*$", None), ("xi_c", "$\\\\xi_c$ (layers, log scale)", "log")]
                for ax, (column, label, scale) in zip(axes.flat, panels):
                    z = grid(column)
                    if scale == "log":
                        z = np.log10(np.where(z > 0, z, np.nan))
                        label = "$\\\\log_{10} \\\\xi_c$ (layers)"
                    image = ax.imshow(z, origin="lower", aspect="auto", extent=extent, cmap="viridis")
                    fig.colorbar(image, ax=ax, label=label)
                    if len(w) > 1 and len(b) > 1:
                        ax.contour(w, b, grid("chi1"), levels=[1.0], colors="white", linewidths=1.5)
                    ax.set_xlabel("$\\\\sigma_w^2$ (weight variance)")
                    ax.set_ylabel("$\\\\sigma_b^2$ (bias variance)")
                    ax.set_title(label + "  — white: $\\\\chi_1 = 1$")
                fig.suptitle("Mean-field phase diagram, \(activation.name)")
                save(fig, "phase")
                """),
        ])
    }
}
