import Activations
import Foundation
import GSLKit
import Hopfield
import RunOutput

extension Recipe {
    /// Two logistic units, W = [[0, w], [w, 0]], I = -w/2: the centre x = (1/2, 1/2) is a fixed
    /// point, a saddle exactly when lambda w/4 > 1/tau.
    static func twoNeurons(gain: Double, w: Double = 2) throws -> HopfieldModel {
        try HopfieldModel(weights: [0, w, w, 0], inputs: [-w / 2, -w / 2], activation: HopfieldActivation(.logistic, gain: gain))
    }

    static let hopfield = Recipe(
        name: "hopfield", title: "the Hopfield/Hessian core: flow and energy, gain sweep, geometry, compressibility, densities",
        run: { context in
            let model = try twoNeurons(gain: 3)
            try context.write(#"{"activation": "logistic", "W": [[0, 2], [2, 0]], "I": [-1, -1], "gain": 3, "tau": 1}"# + "\n", "model.json")
            // Trajectories with their energy, and the landscape.
            var paths = CSVTable(columns: ["start", "t", "x1", "x2", "energy"])
            let times = (0...160).map { Double($0) * 0.05 }
            for (k, u0) in [[0.05, -0.02], [-0.4, 0.9], [1.2, -1.1], [0.3, 0.25]].enumerated() {
                let path = try model.trajectory(u0: u0, times: times)
                for (i, t) in times.enumerated() {
                    paths.append([.int(k), .number(t), .number(path.x[2 * i]), .number(path.x[2 * i + 1]), .number(path.energy![i])])
                }
            }
            try context.write(paths.text, "trajectories.csv")
            var landscape = CSVTable(columns: ["x1", "x2", "energy", "kappa_u", "kappa_x", "kappa_g"])
            let grid = context.size(60, 120)
            for a in 0..<grid {
                for b in 0..<grid {
                    let x = [(Double(a) + 0.5) / Double(grid), (Double(b) + 0.5) / Double(grid)]
                    let c = try model.compressibility(u: x.map(model.activation.inverse))
                    let energy = try model.energy(x)
                    let row: [CSVTable.Cell] = [.number(x[0]), .number(x[1]), .number(energy), .number(c.kappaU), .number(c.kappaX), .number(c.kappaG)]
                    landscape.append(row)
                }
            }
            try context.write(landscape.text, "landscape.csv")
            // Gain sweep of the fixed points.
            var sweep = CSVTable(columns: ["gain", "x1", "x2", "energy", "stable", "index"])
            for k in 0...context.size(40, 120) {
                let gain = 0.5 + 3.5 * Double(k) / Double(context.size(40, 120))
                for p in try twoNeurons(gain: gain).fixedPoints(randomStarts: 50) {
                    sweep.append([.number(gain), .number(p.x[0]), .number(p.x[1]), .number(p.energy), .int(p.stable ? 1 : 0), .int(p.index)])
                }
            }
            try context.write(sweep.text, "gain-sweep.csv")
            // The flow, the natural-gradient flow in x and mirror descent (forward Euler in u).
            let u0: [Double] = [1.2, -1.1], horizon = 4.0
            let overlayTimes: [Double] = (0...80).map { Double($0) * horizon / 80 }
            let flow = try model.trajectory(u0: u0, times: overlayTimes)
            let natural = try model.naturalGradientFlow(x0: model.outputs(u0), times: overlayTimes)
            var overlay = CSVTable(columns: ["route", "t", "x1", "x2"])
            for (i, t) in overlayTimes.enumerated() {
                let flowRow: [CSVTable.Cell] = [.text("flow"), .number(t), .number(flow.x[2 * i]), .number(flow.x[2 * i + 1])]
                let naturalRow: [CSVTable.Cell] = [.text("natural-gradient"), .number(t), .number(natural[2 * i]), .number(natural[2 * i + 1])]
                overlay.append(flowRow)
                overlay.append(naturalRow)
            }
            for h in [0.4, 0.1] {
                let steps = Int(horizon / h)
                let md = try model.mirrorDescent(u0: u0, step: h, steps: steps)
                for k in 0...steps {
                    let x = model.outputs(Array(md[2 * k ..< 2 * k + 2]))
                    overlay.append([.text("mirror-descent-h\(h)"), .number(Double(k) * h), .number(x[0]), .number(x[1])])
                }
            }
            try context.write(overlay.text, "geometry.csv")
            // Liouville along trajectories.
            var liouville = CSVTable(columns: ["time", "log_det_flow", "integral_kappa_u", "log_volume_ratio", "integral_kappa_g"])
            for time in [0.5, 1, 2, 4, 8] {
                let c = try model.liouville(u0: [0.3, 0.1], time: time)
                liouville.append([.number(time), .number(c.logDetFlow), .number(c.integralKappaU), .number(c.logVolumeRatio), .number(c.integralKappaG)])
            }
            try context.write(liouville.text, "liouville.csv")
            // Gibbs reference at T = 0.2 on the grid, and the two stochastic routes.
            let stationary = try model.stationary(temperature: 0.2)
            var gibbs = CSVTable(columns: ["x1", "x2", "density"])
            for a in 0..<grid {
                for b in 0..<grid {
                    let x = [(Double(a) + 0.5) / Double(grid), (Double(b) + 0.5) / Double(grid)]
                    gibbs.append([.number(x[0]), .number(x[1]), .number(exp(-(try model.energy(x)) / 0.2 - stationary.logZ))])
                }
            }
            try context.write(gibbs.text, "gibbs.csv")
            try context.neurodyn(["hopfield", "density", "--model", context.directory.appendingPathComponent("model.json").path,
                                  "--temperature", "0.2", "--particles", context.size("2000", "20000"), "--points", context.size("200", "400"),
                                  "--steps", context.size("3000", "10000"), "--record-every", context.size("1000", "2500"),
                                  "--seed", "\(context.seed)", "--quiet", "--format", "json",
                                  "--out", context.directory.appendingPathComponent("density").path], creates: "density/density.json")
        },
        notebook: { _ in
            NotebookDocument(name: "hopfield", cells: [
                .markdown(#"""
                    # The continuous Hopfield network as a Hessian-geometric gradient flow

                    Two logistic units, W = [[0, 2], [2, 0]], I = [-1, -1], gain lambda = 3, tau = C = 1 (model.json).
                    1. Trajectories on the energy landscape E(x), and E falling along each.
                    2. Gain sweep: the centre is a saddle once lambda w/4 > 1/tau (lambda > 2), between two minima.
                    3. The flow, the natural-gradient flow dx/dt = -G(x)^{-1} grad E integrated on its own (on top of it),
                       and mirror descent (forward Euler in u = grad phi(x)) converging to it at O(h).
                    4. Compressibility kappa_u, kappa_g over the box, and the Liouville identities
                       log det DPhi_t = Int kappa_u dt, log vol_g ratio = Int kappa_g dt.
                    5. At T = 0.2: the diffusion machine's particles (histogram) and the proximal recursion's weighted
                       cloud relax toward the Gibbs density exp(-E/T)/Z (quadrature).
                    """#),
                notebookPreamble,
                .code(#"""
                    land = csv("landscape.csv"); n = int(round(np.sqrt(len(land))))
                    X1 = land["x1"].reshape(n, n); X2 = land["x2"].reshape(n, n); E = land["energy"].reshape(n, n)
                    paths = csv("trajectories.csv")
                    fig, axes = plt.subplots(1, 2, figsize=(12, 4.8), constrained_layout=True)
                    cs = axes[0].contourf(X1, X2, E, levels=30, cmap="viridis"); fig.colorbar(cs, ax=axes[0], label="energy $E(x)$")
                    for k in np.unique(paths["start"]):
                        p = paths[paths["start"] == k]
                        axes[0].plot(p["x1"], p["x2"], "w-", lw=1.5); axes[0].plot(p["x1"][0], p["x2"][0], "wo", ms=4)
                        axes[1].plot(p["t"], p["energy"], label=f"start {k}")
                    axes[0].set_xlabel("$x_1$ (output of unit 1)"); axes[0].set_ylabel("$x_2$"); axes[0].set_title("trajectories on the landscape")
                    axes[1].set_xlabel("time $t$ ($\\tau = 1$)"); axes[1].set_ylabel("$E(x(t))$"); axes[1].set_title("energy decreases"); axes[1].legend()
                    save(fig, "hopfield-flow")
                    """#),
                .code(#"""
                    s = csv("gain-sweep.csv")
                    fig, ax = plt.subplots(figsize=(7, 4.5), constrained_layout=True)
                    stable = s["stable"] == 1
                    ax.plot(s["gain"][stable], s["x1"][stable], "o", ms=3, color="tab:blue", label="stable (minimum)")
                    ax.plot(s["gain"][~stable], s["x1"][~stable], "x", ms=4, color="tab:red", label="saddle")
                    ax.axvline(2.0, color="gray", ls=":", label=r"$\lambda w/4 = 1/\tau$")
                    ax.set_xlabel(r"gain $\lambda$"); ax.set_ylabel("$x_1$ at the fixed point"); ax.set_title("pitchfork in the gain"); ax.legend()
                    save(fig, "hopfield-gain-sweep")
                    """#),
                .code(#"""
                    g = csv("geometry.csv")
                    fig, axes = plt.subplots(1, 2, figsize=(12, 4.6), constrained_layout=True)
                    axes[0].contour(X1, X2, E, levels=20, colors="lightgray", linewidths=0.8)
                    styles = {"flow": ("k-", 2.5), "natural-gradient": ("y--", 1.5), "mirror-descent-h0.4": ("rs-", 1), "mirror-descent-h0.1": ("bo-", 1)}
                    for route, (style, lw) in styles.items():
                        r = g[g["route"] == route]
                        axes[0].plot(r["x1"], r["x2"], style, lw=lw, ms=3, label=route)
                        if route != "flow":
                            f = g[g["route"] == "flow"]
                            t = r["t"]; x1 = np.interp(t, f["t"], f["x1"]); x2 = np.interp(t, f["t"], f["x2"])
                            axes[1].semilogy(t[1:], np.hypot(r["x1"] - x1, r["x2"] - x2)[1:] + 1e-16, style, lw=lw, ms=3, label=route)
                    axes[0].set_xlabel("$x_1$"); axes[0].set_ylabel("$x_2$"); axes[0].set_title("flow, natural gradient, mirror descent"); axes[0].legend(fontsize=8)
                    axes[1].set_xlabel("time $t$"); axes[1].set_ylabel("distance from the flow $|x - x_{flow}|$"); axes[1].set_title("mirror descent is O(h)"); axes[1].legend(fontsize=8)
                    save(fig, "hopfield-geometry")
                    """#),
                .code(#"""
                    L = csv("liouville.csv")
                    fig, axes = plt.subplots(1, 3, figsize=(17, 4.5), constrained_layout=True)
                    for ax, key, label in [(axes[0], "kappa_x", r"$\kappa_x = \mathrm{div}_x \dot x$ ($\kappa_u = -2$ everywhere: $W_{ii} = 0$)"),
                                           (axes[1], "kappa_g", r"$\kappa_g$ (Riemannian) $= -\Delta_g E$")]:
                        cs = ax.contourf(X1, X2, land[key].reshape(n, n), levels=30, cmap="coolwarm"); fig.colorbar(cs, ax=ax, label=label)
                        ax.set_xlabel("$x_1$"); ax.set_ylabel("$x_2$"); ax.set_title(label)
                    axes[2].plot(L["time"], L["log_det_flow"], "ko-", label=r"$\log\det D\Phi_t$ (variational equation)")
                    axes[2].plot(L["time"], L["integral_kappa_u"], "c--", label=r"$\int_0^t \kappa_u\,dt$")
                    axes[2].plot(L["time"], L["log_volume_ratio"], "ms-", label="log Riemannian volume ratio")
                    axes[2].plot(L["time"], L["integral_kappa_g"], "y--", label=r"$\int_0^t \kappa_g\,dt$")
                    axes[2].set_xlabel("time $t$"); axes[2].set_ylabel("log volume change"); axes[2].set_title("Liouville identities"); axes[2].legend(fontsize=8)
                    save(fig, "hopfield-compressibility")
                    """#),
                .code(#"""
                    gibbs = csv("gibbs.csv"); m = int(round(np.sqrt(len(gibbs))))
                    density = load("density/density.json")
                    machine = csv("density/density-machine.csv"); prox = csv("density/density-prox.csv")
                    times = np.unique(machine["t"])
                    fig, axes = plt.subplots(2, len(times), figsize=(4 * len(times), 7.5), constrained_layout=True)
                    for k, t in enumerate(times):
                        p = machine[machine["t"] == t]
                        axes[0, k].hist2d(p["x1"], p["x2"], bins=40, range=[[0, 1], [0, 1]], density=True, cmap="Blues")
                        axes[0, k].contour(gibbs["x1"].reshape(m, m), gibbs["x2"].reshape(m, m), gibbs["density"].reshape(m, m), levels=6, colors="k", linewidths=0.7)
                        axes[0, k].set_title(f"diffusion machine, t = {t:g}")
                        c = prox[np.isclose(prox["t"], t)]
                        axes[1, k].scatter(c["x1"], c["x2"], c=c["weight"], s=6, cmap="Reds")
                        axes[1, k].contour(gibbs["x1"].reshape(m, m), gibbs["x2"].reshape(m, m), gibbs["density"].reshape(m, m), levels=6, colors="k", linewidths=0.7)
                        axes[1, k].set_title(f"PROX-RECUR weights, t = {t:g}")
                        for ax in axes[:, k]: ax.set_xlim(0, 1); ax.set_ylim(0, 1); ax.set_xlabel("$x_1$"); ax.set_ylabel("$x_2$")
                    fig.suptitle("T = 0.2: particles and weighted cloud (colour) relaxing toward the Gibbs density (black contours)")
                    save(fig, "hopfield-density")
                    fig, ax = plt.subplots(figsize=(7, 4.5), constrained_layout=True)
                    model = load("model.json"); W = np.asarray(model["W"], float); I = np.asarray(model["I"], float); lam = model["gain"]
                    def energy(x):
                        x = np.clip(x, 1e-300, 1 - 1e-16)
                        phi = (x * np.log(x) + (1 - x) * np.log1p(-x)) / lam
                        return -0.5 * np.einsum("pi,ij,pj->p", x, W, x) - x @ I + phi.sum(1)
                    ax.errorbar(density["times"], density["machine_mean_energy"], yerr=density["machine_stderr_energy"], fmt="o-",
                                label="diffusion machine (particles)")
                    cloud = [energy(np.column_stack([prox[np.isclose(prox["t"], t)]["x1"], prox[np.isclose(prox["t"], t)]["x2"]])).mean() for t in times]
                    ax.plot(times, cloud, "s--", label="PROX-RECUR cloud (its points)")
                    ax.axhline(density["gibbs_mean_energy"], color="k", ls=":", label="Gibbs $E[E]$ (quadrature)")
                    ax.set_xlabel("time $t$"); ax.set_ylabel("mean energy $E[E(x)]$"); ax.set_title("relaxation toward the Gibbs density, T = 0.2"); ax.legend()
                    save(fig, "hopfield-relaxation")
                    """#),
            ])
        })
}
