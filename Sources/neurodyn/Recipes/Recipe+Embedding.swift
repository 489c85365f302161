import Foundation
import RunOutput

extension Recipe {
    static let greatCircle = Recipe(
        name: "great-circle", title: "Poole Figs. 3-4: a great circle through a chaotic tanh network",
        run: { context in
            let common = ["--activation", "tanh", "--sigma-w2", "4", "--sigma-b2", "0.3", "--depth", "10", "--seed", "\(context.seed)"]
            try context.neurodyn(["embedding", "simulate", "--k", "1", "--width", context.size("400", "1000"), "--nets", context.size("4", "16"),
                                  "--points", context.size("64", "256"), "--quiet", "--format", "json"] + common, stdout: "circle.json")
            try context.neurodyn(["embedding", "distances", "--widths", context.size("400", "1000"), "--nets", context.size("4", "16"),
                                  "--points", "64", "--separations", "1,2,4,8,16,32", "--quiet", "--format", "json"] + common,
                                 stdout: "chords.json")
        },
        notebook: { _ in
            NotebookDocument(name: "great-circle", cells: [
                .markdown(#"""
                    # Poole et al. (2016), Figs. 3-4: a great circle through a deep random network

                    tanh, sigma_w^2 = 4, sigma_b^2 = 0.3 (chaotic): the circle h^1(theta) = sqrt(N q*) (u cos theta + v sin theta)
                    through 10 layers. Measured over networks (markers, standard errors; `embedding simulate --k 1`)
                    against the mean-field recursions (lines): the metric g_bar = q* chi_1^{l-1}, the normalised
                    curvature kappa2_bar, the Grassmannian length L^G/(2 pi) and the Euclidean length
                    L^E/(2 pi sqrt N); and the autocorrelation c(Delta theta) = 1 - chord^2/(2 q*) along the circle,
                    decaying with depth toward c* (`embedding distances`).
                    """#),
                notebookPreamble,
                .code(#"""
                    d = load("circle.json")
                    layer = np.asarray(d["layer"])
                    fig, axes = plt.subplots(1, 4, figsize=(19, 4.2), constrained_layout=True)
                    panels = [("g_bar", r"$\bar g^l$ (metric)", True), ("kappa2_bar", r"$N \bar\kappa^2$ (curvature)", False),
                              ("lg_over_2pi", r"$L^G / 2\pi$", True), ("le_over_2pi_sqrt_n", r"$L^E / (2\pi\sqrt{N})$", True)]
                    for ax, (key, label, log) in zip(axes, panels):
                        ax.plot(layer, d["theory_" + key], "k-", label="mean-field theory")
                        ax.errorbar(layer, d[key], yerr=d[key + "_stderr"], fmt="o", ms=4, label=f"N = {d['width']}, {d['nets']} networks")
                        if log: ax.set_yscale("log")
                        ax.set_xlabel("layer $l$"); ax.set_ylabel(label); ax.legend(fontsize=8)
                    fig.suptitle(r"great circle through tanh, $\sigma_w^2 = 4$, $\sigma_b^2 = 0.3$")
                    save(fig, "great-circle")
                    """#),
                .code(#"""
                    c = load("chords.json")
                    run = c["runs"][0]; q = c["q_star"]
                    separations = c["separations"]; points = c["points"]
                    angles = 2 * np.pi * np.asarray(separations) / points
                    fig, ax = plt.subplots(figsize=(7, 4.5), constrained_layout=True)
                    for l in [0, 1, 2, 4, len(c["layer"]) - 1]:
                        theory = [1 - c[f"theory_chord_s{s}"][l] / (2 * q) for s in separations]
                        measured = [1 - run[f"chord_s{s}"][l] / (2 * q) for s in separations]
                        errors = [run[f"chord_s{s}_stderr"][l] / (2 * q) for s in separations]
                        line, = ax.plot(angles, theory, "-")
                        ax.errorbar(angles, measured, yerr=errors, fmt="o", ms=4, color=line.get_color(), label=f"layer {c['layer'][l]}")
                    ax.axhline(c["c_star"], color="gray", ls=":", label="$c^*$")
                    ax.set_xlabel(r"angle $\Delta\theta$ along the circle (rad)"); ax.set_ylabel(r"$c(\Delta\theta) = 1 - |h_\theta - h_{\theta+\Delta\theta}|^2 / (2 N q^*)$")
                    ax.set_title("autocorrelation along the circle (lines: theory)"); ax.legend(fontsize=8)
                    save(fig, "autocorrelation")
                    """#),
            ])
        })

    static let amari = Recipe(
        name: "amari", title: "Amari: distances, conformality, curvature of k = 1, 2 spheres in three phases",
        run: { context in
            try context.neurodyn(["embedding", "distances", "--activation", "tanh", "--sigma-w2", "6.25", "--sigma-b2", "0.09",
                                  "--depth", context.size("20", "30"), "--widths", context.size("100,500", "100,1000"),
                                  "--nets", context.size("4", "8"), "--points", "64", "--seed", "\(context.seed)", "--quiet",
                                  "--out", context.directory.appendingPathComponent("distances").path], creates: "distances/embedding-distances.csv")
            try context.neurodyn(["embedding", "conformality", "--activation", "tanh", "--sigma-w2", "2.5", "--sigma-b2", "0.05",
                                  "--manifold", "plane:1", "--q", "1.5", "--depth", "6", "--width", context.size("400", "1000"),
                                  "--nets", context.size("4", "16"), "--points", context.size("16", "64"), "--seed", "\(context.seed)",
                                  "--quiet", "--format", "json"], stdout: "conformality.json")
            // sigma_b^2 = 0.05: ordered 1.0, critical 1.7610 (meanfield critical), chaotic 4.0.
            for (phase, w) in [("ordered", "1.0"), ("critical", "1.760954639606741"), ("chaotic", "4.0")] {
                for k in [1, 2] {
                    try context.neurodyn(["embedding", "simulate", "--activation", "tanh", "--sigma-w2", w, "--sigma-b2", "0.05",
                                          "--k", "\(k)", "--depth", "8", "--width", context.size("300", "1000"),
                                          "--nets", context.size("4", "16"), "--points", context.size(k == 1 ? "32" : "8", k == 1 ? "128" : "16"),
                                          "--seed", "\(context.seed)", "--quiet", "--format", "json"], stdout: "sphere-k\(k)-\(phase).json")
                }
            }
        },
        notebook: { _ in
            NotebookDocument(name: "amari", cells: [
                .markdown(#"""
                    # Amari's geometry of deep random networks

                    1. Distances: the curve length L^E of a great circle grows like chi_1^{l/2} while the chords between
                       its sample points converge to 2 q* (1 - c*): the polygon through the points saturates
                       (`embedding distances`, tanh 6.25/0.09, data in distances/).
                    2. Conformality: on a plane patch (q varies across it) the metric is conformal only up to a
                       radial correction g' = chi_1(q) g + 1/2 chi_1'(q) dq dq^T; measured radial deviation against it.
                    3. Curvature of great 1- and 2-spheres across depth in the ordered, critical and chaotic phases
                       (sigma_b^2 = 0.05): the metric g_bar and the Gauss curvature R_bar (k = 2), measured vs theory.
                    """#),
                notebookPreamble,
                .code(#"""
                    data = np.genfromtxt("distances/embedding-distances.csv", delimiter=",", names=True)
                    meta = load("distances/embedding-distances.json")
                    widths = np.unique(data["width"]).astype(int); first = data[data["width"] == widths[0]]
                    fig, axes = plt.subplots(1, 2, figsize=(12, 4.8), constrained_layout=True)
                    ax = axes[0]
                    ax.plot(first["layer"], first["theory_le"], "k-", label="theory $L^E$")
                    ax.plot(first["layer"], first["theory_polygon"], "k--", label="theory polygon")
                    for n in widths:
                        rows = data[data["width"] == n]
                        ax.errorbar(rows["layer"], rows["le"], yerr=rows["le_stderr"], fmt="o", ms=3, label=f"$L^E$, N = {n}")
                        ax.errorbar(rows["layer"], rows["polygon"], yerr=rows["polygon_stderr"], fmt="s", ms=3, mfc="none", label=f"polygon, N = {n}")
                    ax.set_yscale("log"); ax.set_xlabel("layer $l$"); ax.set_ylabel(r"length / $(2\pi\sqrt{N})$")
                    ax.set_title("curve length vs polygon through 64 points"); ax.legend(fontsize=8)
                    ax = axes[1]
                    rows = data[data["width"] == widths[-1]]
                    for k, s in enumerate(meta["separations"]):
                        ax.plot(first["layer"], first[f"theory_chord_s{s}"], "-", color=f"C{k}")
                        ax.errorbar(rows["layer"], rows[f"chord_s{s}"], yerr=rows[f"chord_s{s}_stderr"], fmt="o", ms=3, color=f"C{k}", label=f"s = {s}")
                    ax.axhline(meta["chord_limit"], color="gray", ls=":", label=r"$2q^*(1-c^*)$")
                    ax.set_xlabel("layer $l$"); ax.set_ylabel(r"$|h_p - h_{p+s}|^2 / N$"); ax.set_title(f"chords, N = {widths[-1]} (lines: theory)")
                    ax.legend(fontsize=8)
                    save(fig, "amari-distances")
                    """#),
                .code(#"""
                    c = load("conformality.json")
                    layer = np.asarray(c["layer"])
                    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), constrained_layout=True)
                    axes[0].plot(layer, c["theory_conformal_factor"], "k-", label="theory")
                    axes[0].errorbar(layer, c["conformal_factor"], yerr=c["conformal_factor_stderr"], fmt="o", label=f"N = {c['width']}")
                    axes[0].set_yscale("log"); axes[0].set_ylabel("conformal factor (tangential metric eigenvalue)")
                    axes[1].plot(layer, c["theory_radial_deviation"], "k-", label=r"theory $\frac{1}{2}\chi_1'(q)\,dq\,dq^T$ correction")
                    axes[1].errorbar(layer, c["radial_deviation"], yerr=c["radial_deviation_stderr"], fmt="o", label=f"N = {c['width']}")
                    axes[1].axhline(0, color="gray", lw=0.8); axes[1].set_ylabel("radial deviation from conformality")
                    for ax in axes: ax.set_xlabel("layer $l$"); ax.legend(fontsize=8)
                    fig.suptitle(r"plane patch through tanh, $\sigma_w^2 = 2.5$, $\sigma_b^2 = 0.05$")
                    save(fig, "amari-conformality")
                    """#),
                .code(#"""
                    fig, axes = plt.subplots(1, 3, figsize=(17, 4.5), constrained_layout=True)
                    for phase, color in [("ordered", "tab:blue"), ("critical", "tab:green"), ("chaotic", "tab:red")]:
                        one = load(f"sphere-k1-{phase}.json"); two = load(f"sphere-k2-{phase}.json")
                        layer = np.asarray(one["layer"])
                        axes[0].plot(layer, one["theory_g_bar"], "-", color=color)
                        axes[0].errorbar(layer, one["g_bar"], yerr=one["g_bar_stderr"], fmt="o", ms=3, color=color, label=f"{phase}, k = 1")
                        axes[1].plot(layer, one["theory_kappa2_bar"], "-", color=color)
                        axes[1].errorbar(layer, one["kappa2_bar"], yerr=one["kappa2_bar_stderr"], fmt="o", ms=3, color=color, label=phase)
                        axes[2].plot(layer, two["theory_r_bar"], "-", color=color)
                        axes[2].errorbar(layer, two["r_bar"], yerr=two["r_bar_stderr"], fmt="s", ms=3, color=color, label=f"{phase}, k = 2")
                    axes[0].set_yscale("log"); axes[0].set_ylabel(r"$\bar g^l$ (metric)")
                    axes[1].set_yscale("log"); axes[1].set_ylabel(r"$N \bar\kappa^2$ (extrinsic, k = 1)")
                    axes[2].set_yscale("symlog", linthresh=1e-3); axes[2].set_ylabel(r"$\bar R$ (intrinsic Gauss curvature, k = 2)")
                    for ax in axes: ax.set_xlabel("layer $l$"); ax.legend(fontsize=8)
                    fig.suptitle(r"great spheres through tanh, $\sigma_b^2 = 0.05$: lines theory, markers measurement")
                    save(fig, "amari-curvature")
                    """#),
            ])
        })
}
