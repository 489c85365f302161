import RunOutput

/// The notebook written beside `embedding distances`' data: Amari's paradox in one figure.
enum DistancesNotebook {
    static func document(activation: String) -> NotebookDocument {
        NotebookDocument(name: "embedding-distances-\(activation)", cells: [
            .markdown("""
                # Curve length against chord distances across depth: \(activation)

                Data: `embedding-distances.csv` and `.json`, written by `neurodyn embedding distances`
                (parameters and seed in `run.json`). A closed curve (by default a great circle at q*)
                goes through ensembles of random networks of several widths N. Left: its length
                L^E/(2 pi sqrt N), growing like chi_1^{l/2} in the chaotic phase, against the polygon
                through the sample points, which saturates once neighbouring points decorrelate.
                Right: mean squared chords |h_p - h_{p+s}|^2/N for pairs s apart, tending to
                2 q*(1 - c*) for every s: the finite set of points becomes a regular simplex while the
                curve keeps growing and folding. Lines: mean-field theory; markers: measurement
                with standard errors.
                """),
            notebookPreamble,
            .code("""
                data = np.genfromtxt("embedding-distances.csv", delimiter=",", names=True)
                meta = json.load(open("embedding-distances.json"))
                widths = np.unique(data["width"]).astype(int)
                first = data[data["width"] == widths[0]]
                print(f"widths {list(widths)}, {len(first)} layers, separations {meta['separations']}, chord limit {meta['chord_limit']:.4g}")
                """),
            .code("""
                colors = plt.cm.viridis(np.linspace(0.1, 0.8, len(widths)))
                fig, axes = plt.subplots(1, 2, figsize=(12, 4.8), constrained_layout=True)
                ax = axes[0]
                if "theory_le" in data.dtype.names:
                    ax.plot(first["layer"], first["theory_le"], "k-", label="theory $L^E$")
                    ax.plot(first["layer"], first["theory_polygon"], "k--", label="theory polygon")
                    for color, n in zip(colors, widths):
                        rows = data[data["width"] == n]
                        ax.errorbar(rows["layer"], rows["le"], yerr=rows["le_stderr"], fmt="o", ms=3, color=color, label=f"$L^E$, N = {n}")
                        ax.errorbar(rows["layer"], rows["polygon"], yerr=rows["polygon_stderr"], fmt="s", ms=3, mfc="none", color=color,
                                    label=f"polygon, N = {n}")
                    ax.set_yscale("log")
                ax.set_xlabel("layer $l$"); ax.set_ylabel("length / $(2\\\\pi\\\\sqrt{N})$"); ax.set_title("curve length vs polygon through the points")
                ax.legend(fontsize=8)
                ax = axes[1]
                markers = "o^sDv<>p"
                for k, s in enumerate(meta["separations"]):
                    ax.plot(first["layer"], first[f"theory_chord_s{s}"], "-", color=f"C{k}", label=f"theory, s = {s}")
                    rows = data[data["width"] == widths[-1]]
                    ax.errorbar(rows["layer"], rows[f"chord_s{s}"], yerr=rows[f"chord_s{s}_stderr"], fmt=markers[k % 8], ms=3,
                                color=f"C{k}", mfc="none", label=f"N = {widths[-1]}, s = {s}")
                ax.axhline(meta["chord_limit"], color="gray", ls=":", label="$2q^*(1-c^*)$")
                ax.set_xlabel("layer $l$"); ax.set_ylabel("$|h_p - h_{p+s}|^2 / N$"); ax.set_title("chord distances")
                ax.legend(fontsize=8)
                fig.suptitle("Amari's paradox at finite width, \(activation)")
                save(fig, "embedding-distances")
                """),
        ])
    }
}
