"""neurodyn's proximal recursion (hopfield density) against numpy and POT (prox_recur.py) on the
same work: the two-neuron stochastic Hopfield network in its flat chart, N points, S steps,
eps 0.05, h 1e-3, delta 1e-3, temperature 0.2, one thread each, same machine, same run.
Prints a markdown table: seconds, ms per step, mean iterations per step, mass drift, ratio.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = {"activation": "logistic", "W": [[0, 2], [2, 0]], "I": [-1, -1], "gain": 3, "tau": 1}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--neurodyn", required=True)
    p.add_argument("--points", type=int, default=400)
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--routes", default="numpy-exp,numpy-log,pot")
    a = p.parse_args()
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", PYTHONWARNINGS="ignore")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(MODEL, f)
    ours = json.loads(subprocess.run(
        [a.neurodyn, "hopfield", "density", "--model", f.name, "--temperature", "0.2", "--particles", "1",
         "--points", str(a.points), "--steps", str(a.steps), "--threads", "1", "--format", "json", "--quiet"],
        capture_output=True, text=True, check=True, env=env).stdout)
    iterations = ours["prox_iterations"]
    mass = ours["prox_mass"]
    rows = [("neurodyn", ours["prox_seconds"], sum(iterations) / len(iterations), abs(mass[-1] - mass[0]) / mass[0])]
    out = subprocess.run([sys.executable, os.path.join(HERE, "prox_recur.py"), "--points", str(a.points), "--steps", str(a.steps),
                          "--routes", a.routes], capture_output=True, text=True, check=True, env=env).stdout
    for line in out.splitlines():
        r = json.loads(line)
        rows.append((r["route"], r["seconds"], r["mean_iterations"], r["mass_drift"]))
    fastest_anchor = min(r[1] for r in rows[1:])
    print(f"N = {a.points}, {a.steps} steps, one thread each\n")
    print("| implementation | seconds | ms/step | iterations/step | mass drift | time / neurodyn |")
    print("|---|---|---|---|---|---|")
    for name, seconds, its, drift in rows:
        print(f"| {name} | {seconds:.3f} | {1e3 * seconds / a.steps:.3f} | {its:.2f} | {drift:.1e} | {seconds / rows[0][1]:.1f}x |")
    print(f"\nneurodyn is {fastest_anchor / rows[0][1]:.1f}x faster than the fastest anchor")


if __name__ == "__main__":
    main()
