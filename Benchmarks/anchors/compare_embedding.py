"""neurodyn embedding simulate against embedding_numpy.py on identical work, one run.

The issue's benchmark: a great circle of 512 points through 20 tanh layers of width 2048
(sigma_w^2 = 6.25, sigma_b^2 = 0.09), 8 networks. Wall time and peak memory of each (via
/usr/bin/time), the ratio, and the largest |z| between the two per-layer means of g_bar and
kappa2_bar (independent generators: a few units at most is expected).
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def timed(command):
    out = subprocess.run(["/usr/bin/time", "-f", "%e %M"] + command, capture_output=True, text=True, check=True)
    seconds, kib = out.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(kib) / 1024, json.loads(out.stdout)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--neurodyn", required=True)
    p.add_argument("--width", type=int, default=2048)
    p.add_argument("--depth", type=int, default=20)
    p.add_argument("--points", type=int, default=512)
    p.add_argument("--nets", type=int, default=8)
    a = p.parse_args()
    sizes = ["--width", str(a.width), "--depth", str(a.depth), "--points", str(a.points), "--nets", str(a.nets)]
    ours = timed([a.neurodyn, "embedding", "simulate", "--activation", "tanh", "--sigma-w2", "6.25", "--sigma-b2", "0.09",
                  "--k", "1", "--seed", "1", "--format", "json", "--quiet"] + sizes)
    theirs = timed([sys.executable, os.path.join(HERE, "embedding_numpy.py"), "--sigma-w2", "6.25", "--sigma-b2", "0.09"] + sizes)
    z = {key: max(abs(x - y) / (sx * sx + sy * sy) ** 0.5
                  for x, y, sx, sy in zip(ours[2][key][1:], theirs[2][key][1:], ours[2][key + "_stderr"][1:], theirs[2][key + "_stderr"][1:]))
         for key in ("g_bar", "kappa2_bar")}
    print(f"{'':10} {'s':>7} {'MiB':>6}")
    print(f"{'neurodyn':10} {ours[0]:>7.2f} {ours[1]:>6.0f}")
    print(f"{'numpy':10} {theirs[0]:>7.2f} {theirs[1]:>6.0f}")
    print(f"ratio {theirs[0] / ours[0]:.2f}; max |z| g_bar {z['g_bar']:.2f}, kappa2_bar {z['kappa2_bar']:.2f}; "
          f"kappa2_bar at layer {a.depth}: {ours[2]['kappa2_bar'][-1]:.4f} vs {theirs[2]['kappa2_bar'][-1]:.4f}")


if __name__ == "__main__":
    main()
