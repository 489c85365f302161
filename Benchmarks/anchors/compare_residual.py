"""neurodyn residual train against diffrax and torchdiffeq (residual_anchor.py) on circles-anode3,
same machine, same run, single-threaded (neurodyn's fixed-step route also on two threads): median ms per Adam step over 200 steps, forward NFE per
step, final loss and accuracy, and each route's gradient error at the initial parameters against
neurodyn's continuous adjoint at rtol = atol = 1e-12 (which equals 2000 RK4 steps' discrete
gradient to 1e-13).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROUTES = {"dopri5-backsolve": ["--solver", "dopri5", "--method", "adjoint"],
          "dopri5-checkpoint": ["--solver", "dopri5", "--method", "checkpoint"],
          "rk4": ["--solver", "rk4:10", "--method", "discrete"]}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--neurodyn", required=True)
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--skip-torch", action="store_true")
    a = p.parse_args()
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    run = lambda cmd: json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True, env=env).stdout)
    reference = run([a.neurodyn, "residual", "gradient", "--solver", "dopri5", "--rtol", "1e-12", "--atol", "1e-12",
                     "--method", "adjoint", "--format", "json", "--threads", "1"])
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(reference, f)
    ref = reference["gradient"]
    scale = max(abs(x) for x in ref)
    print(f"{'route':18} {'library':12} {'ms/step':>8} {'NFE fwd':>8} {'loss':>10} {'acc':>5} {'grad err':>9}")
    for route, options in ROUTES.items():
        grad = run([a.neurodyn, "residual", "gradient"] + options + ["--format", "json", "--threads", "1"])
        err = max(abs(x - y) for x, y in zip(grad["gradient"], ref)) / scale
        # One thread, as the anchors; fixed-step routes also on both cores (blocks of rows, same bits).
        for threads in ["1", "2"] if route == "rk4" else ["1"]:
            ours = run([a.neurodyn, "residual", "train"] + options + ["--steps", str(a.steps), "--format", "json", "--quiet",
                                                                       "--threads", threads])
            label = "neurodyn" if threads == "1" else "neurodyn x2"
            print(f"{route:18} {label:12} {ours['median_ms_per_step']:>8.1f} {ours['nfe_forward'] / a.steps:>8.1f} "
                  f"{ours['final_loss']:>10.3e} {ours['final_accuracy']:>5.3f} {err:>9.1e}")
        for library in ["diffrax"] + ([] if a.skip_torch else ["torchdiffeq"]):
            r = run([sys.executable, os.path.join(HERE, "residual_anchor.py"), library, route, "--steps", str(a.steps),
                     "--reference", f.name])
            print(f"{'':18} {library:12} {r['median_ms_per_step']:>8.1f} {r['nfe_forward_per_step']:>8.1f} "
                  f"{r['final_loss']:>10.3e} {r['final_accuracy']:>5.3f} {r['gradient_error']:>9.1e}")


if __name__ == "__main__":
    main()
