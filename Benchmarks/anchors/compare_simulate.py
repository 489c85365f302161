"""neurodyn simulate lengths against simulate_numpy.py on identical work, one run.

For each configuration (width N, depth L, batch B, networks T): wall time and peak resident
memory of each (via /usr/bin/time), the ratio, and the largest |difference| of the per-layer
mean q_hat in units of the combined standard error (both are Monte-Carlo estimates of the same
expectation from different generators, so |z| of a few is expected, nothing more).
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CONFIGS = [  # (width, depth, batch, trials)
    (1000, 10, 16, 40),     # RNG-bound: the weights cost more than the products
    (2048, 3, 1024, 4),     # dgemm-bound: B = 1024 columns per weight
    (32768, 3, 16, 2),      # wide: streamed weights in well under 1 GiB
]


def timed(command, env=None):
    out = subprocess.run(["/usr/bin/time", "-f", "%e %M"] + command, capture_output=True, text=True, env=env, check=True)
    seconds, kib = out.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(kib) / 1024, json.loads(out.stdout)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--neurodyn", required=True)
    p.add_argument("--skip-wide", action="store_true", help="leave out the N = 32768 configuration")
    a = p.parse_args()
    print(f"{'N':>6} {'L':>3} {'B':>5} {'T':>4}  {'neurodyn s':>10} {'MiB':>6}  {'numpy s':>8} {'MiB':>6}  {'ratio':>6}  max|z|")
    for width, depth, batch, trials in CONFIGS:
        if a.skip_wide and width > 10000:
            continue
        common = ["--activation", "tanh", "--sigma-w2", "1.69", "--sigma-b2", "0.09", "--q1", "1",
                  "--width", str(width), "--depth", str(depth), "--batch", str(batch), "--trials", str(trials), "--seed", "1"]
        ours = timed([a.neurodyn, "simulate", "lengths"] + common + ["--format", "json", "--quiet"])
        theirs = timed([sys.executable, os.path.join(HERE, "simulate_numpy.py")] + common)
        z = max(abs(x - y) / (sx * sx + sy * sy) ** 0.5 for x, y, sx, sy in
                zip(ours[2]["mean_q_hat"], theirs[2]["mean_q_hat"], ours[2]["stderr_mean"], theirs[2]["stderr_mean"]))
        print(f"{width:>6} {depth:>3} {batch:>5} {trials:>4}  {ours[0]:>10.2f} {ours[1]:>6.0f}  {theirs[0]:>8.2f} {theirs[1]:>6.0f}"
              f"  {theirs[0] / ours[0]:>6.2f}  {z:.2f}")


if __name__ == "__main__":
    main()
