#!/usr/bin/env bash
# Runs one list of commands with two neurodyn binaries and compares what they print on stdout
# and their exit status, byte for byte (timings removed): the proof that a restructuring left
# every output unchanged. Usage: scripts/compare-cli.sh OLD_BINARY NEW_BINARY
set -u
old=$1 new=$2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cat > "$work/logistic.json" <<'JSON'
{"activation": "logistic", "W": [[0, 1.5], [1.5, 0]], "I": [-0.75, -0.75], "gain": 4, "tau": 1}
JSON
cat > "$work/tanh.json" <<'JSON'
{"activation": "tanh", "W": [[0, 1.2], [1.2, 0]], "I": [0, 0], "gain": 2, "tau": 1, "C": [1, 2]}
JSON
printf '1,0\n0,1\n-1,0\n0,-1\n' > "$work/square.txt"
M="--sigma-w2 1.69 --sigma-b2 0.09"
commands=(
  "meanfield point --activation erf --sigma-w2 3 --sigma-b2 0.05 --format json"
  "meanfield point --activation relu --sigma-w2 2 --sigma-b2 0.1"
  "meanfield point --activation gelu --sigma-w2 2 --sigma-b2 0.1 --format csv"
  "meanfield point --activation tanh --sigma-w2 -1 --sigma-b2 0.1"
  "meanfield point --activation softsign --sigma-w2 1 --sigma-b2 0.1"
  "meanfield iterate --activation tanh $M --depth 5 --q0 star --c0 0.3 --format json"
  "meanfield iterate --activation sin $M --depth 4 --q0 2 --format csv"
  "meanfield iterate --activation tanh $M --depth 4 --q0 nope"
  "meanfield critical --activation tanh --sigma-b2 0.05 --format json"
  "meanfield critical --activation relu --sigma-b2 0.1"
  "meanfield phase --activation tanh --sigma-w2 0.5:4:6 --sigma-b2 0:0.3:3 --out OUT --quiet"
  "meanfield phase --activation tanh --sigma-w2 0.5:4 --sigma-b2 0:0.3:3 --out OUT"
  "meanfield finite-width --activation relu --sigma-w2 2 --sigma-b2 0 --q1 1 --depth 5 --format json"
  "simulate lengths --activation tanh $M --q1 1 --width 50 --depth 4 --trials 20 --seed 3 --format json"
  "simulate correlations --activation tanh $M --q1 1 --c1 0.5 --width 50 --depth 4 --trials 20 --seed 3 --format json"
  "simulate boundary --activation tanh --sigma-w2 1:3:3 --sigma-b2 0.05:0.05:1 --widths 20 --depth 12 --burn-in 4 --nets 4 --seed 1 --out OUT --quiet"
  "embedding theory --activation erf --sigma-w2 3 --sigma-b2 0.05 --k 1 --depth 4 --format json"
  "embedding theory --activation erf --sigma-w2 3 --sigma-b2 0.05 --k 2 --depth 3 --format csv"
  "embedding simulate --activation tanh $M --k 1 --width 40 --nets 3 --points 16 --depth 3 --seed 2 --format json --quiet"
  "embedding simulate --activation tanh $M --manifold ellipse:0.5 --width 40 --nets 3 --points 16 --depth 3 --seed 2 --format json --quiet"
  "embedding simulate --activation tanh $M --manifold data:$work/square.txt --width 40 --nets 2 --depth 2 --seed 2 --format json --quiet"
  "embedding simulate --activation tanh $M --manifold helix:1:2.5 --width 40 --nets 2 --depth 2 --seed 2"
  "embedding distances --activation tanh --sigma-w2 6.25 --sigma-b2 0.09 --widths 20,40 --depth 3 --nets 2 --points 12 --seed 4 --format json --quiet"
  "embedding conformality --activation tanh --sigma-w2 2 --sigma-b2 0.09 --width 30 --nets 2 --depth 3 --seed 5 --format json --quiet"
  "residual gradient --problem circles-anode3 --solver rk4:10 --method discrete --format json"
  "residual gradient --solver rk8pd --method adjoint --format json"
  "residual gradient --solver dopri5 --method checkpoint --rtol 1e-6 --atol 1e-8 --format json"
  "residual gradient --solver rk4:4 --knots 3 --format json"
  "residual gradient --solver dopri5 --knots 3 --format json"
  "residual metric --solver rk4:2 --knots 3 --steps 2 --points 2 --format json"
  "residual gradient --solver msbdf --method adjoint"
  "residual gradient --solver rk4:0"
  "residual gradient --solver rk4:3 --threads 0"
  "residual train --solver rk4:2 --steps 3 --format json --quiet"
  "residual train --problem two-moons --solver rk4:2 --optimizer sgd --momentum 0.9 --batch-size 50 --loss mse --steps 3 --format json --quiet"
  "residual train --solver dopri5 --rtol 0 --steps 3"
  "residual hamiltonian --rtol 1e-8 --atol 1e-8 --format json"
  "residual metric --solver rk4:2 --steps 2 --points 4 --format json"
  "residual near-identity --layers 16,32 --points 10 --format json"
  "hopfield trajectory --model $work/logistic.json --u0 0.1,-0.05 --times 0,0.5,1,5 --format json"
  "hopfield trajectory --model $work/tanh.json --u0 0.1,-0.05 --times 0,1 --stepper rk4imp --format csv"
  "hopfield trajectory --model $work/logistic.json --u0 0.1,-0.05 --times 0,1,5 --stepper msadams --format json"
  "hopfield fixed-points --model $work/logistic.json --format json"
  "hopfield compressibility --model $work/logistic.json --u 0.3,0.1 --format json"
  "hopfield compressibility --model $work/logistic.json --u 0.3,0.1 --numerical --format json"
  "hopfield distance --model $work/logistic.json --x 0.2,0.3 --y 0.5,0.9 --format json"
  "hopfield stationary --model $work/logistic.json --temperature 0.2 --format json"
  "hopfield stationary --model $work/tanh.json --temperature 1e-6 --format json"
  "hopfield liouville --model $work/logistic.json --u0 0.3,0.1 --time 2 --format json"
  "hopfield density --model $work/logistic.json --temperature 0.2 --particles 100 --points 50 --steps 20 --seed 7 --format json --quiet"
  "hopfield trajectory --model $work/logistic.json --u0 0.1 --times 0,1"
  "slurm --shards 4 --executable neurodyn -- meanfield phase --activation tanh --sigma-w2 0.5:4:6 --sigma-b2 0:0.3:3 --out /tmp/unused"
  "simulate boundary --activation tanh --sigma-w2 1:3:3 --sigma-b2 0.05:0.05:1 --widths 20 --depth 12 --burn-in 4 --nets 4 --seed 1 --out OUT --shard-index 1 --shard-count 2 --quiet"
  "hopfield density --model $work/logistic.json --temperature 0.2 --particles 100 --points 50 --steps 20 --seed 7 --out OUT --quiet"
  "reproduce nosuch --out /tmp/unused"
)
differ=0
for c in "${commands[@]}"; do
  rm -rf "$work/old-out" "$work/new-out"
  # shellcheck disable=SC2086
  a=$("$old" ${c//OUT/$work/old-out} 2>"$work/old.err"; echo "exit $?")
  # shellcheck disable=SC2086
  b=$("$new" ${c//OUT/$work/new-out} 2>"$work/new.err"; echo "exit $?")
  # Files written under --out, but for the run record (timings, dates) and the figures.
  for file in $( (cd "$work/old-out" 2>/dev/null && find . -type f ! -name run.json ! -name '*.png'; cd "$work/new-out" 2>/dev/null && find . -type f ! -name run.json ! -name '*.png') | sort -u); do
    if ! cmp -s <(sed -E '/_seconds"|ms_per_step/d; s#'"$work"'/(old|new)-out#OUT#g' "$work/old-out/$file" 2>&1) <(sed -E '/_seconds"|ms_per_step/d; s#'"$work"'/(old|new)-out#OUT#g' "$work/new-out/$file" 2>&1); then
      echo "DIFFERS: $file of neurodyn $c"; differ=$((differ + 1))
    fi
  done
  strip() { sed -E '/"(median_)?ms_per_step"|_seconds"|^seconds /d; s#'"$work"'/(old|new)-out#OUT#g'; }
  if [ "$(printf '%s' "$a" | strip)" != "$(printf '%s' "$b" | strip)" ]; then
    echo "DIFFERS: neurodyn $c"; diff <(printf '%s\n' "$a") <(printf '%s\n' "$b") | head -6; differ=$((differ + 1))
  fi
  [ -n "${VERBOSE:-}" ] && echo "$(printf '%s' "$b" | tail -1): neurodyn $c"
  if ! cmp -s "$work/old.err" "$work/new.err"; then
    echo "stderr changed: neurodyn $c"; echo "  old: $(head -c 300 "$work/old.err" | tr '\n' '|')"; echo "  new: $(head -c 300 "$work/new.err" | tr '\n' '|')"
  fi
done
echo "${#commands[@]} commands, $differ with different stdout or exit status"
[ "$differ" = 0 ]
