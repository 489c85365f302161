#!/usr/bin/env bash
# A one-node Slurm cluster on this machine (Debian's slurm-wlm and munge, loopback only), then
# the issue's check: a sharded 200 x 200 tanh phase diagram submitted as a 4-task job array with
# its dependent merge job, compared byte for byte with the unsharded run.
# Run as root from the repository root after `swift build -c release`. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
NEURODYN="$PWD/.build/release/neurodyn"
[ -x "$NEURODYN" ] || { echo "build first: swift build -c release" >&2; exit 1; }
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
fi
HOST=$(hostname -s)
CPUS=$(nproc)
MEMORY=$(awk '/MemTotal/ { print int($2 / 1024 * 0.9) }' /proc/meminfo)
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge /var/lib/munge /var/log/munge
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=neurodyn
SlurmctldHost=$HOST(127.0.0.1)
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmdSpoolDir=/var/spool/slurmd
StateSaveLocation=/var/spool/slurmctld
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
SlurmUser=root
ReturnToService=2
MpiDefault=none
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEMORY State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF
# cgroup v1 hierarchies are mounted here (no systemd); slurmd needs a cgroup plugin to start.
printf "CgroupPlugin=cgroup/v1\nCgroupAutomount=yes\nConstrainCores=no\nConstrainRAMSpace=no\n" > /etc/slurm/cgroup.conf
[ -s /etc/munge/munge.key ] || { mkdir -p /etc/munge; dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none; }
chown -R munge:munge /etc/munge /var/lib/munge /var/log/munge /run/munge 2>/dev/null || true
chmod 400 /etc/munge/munge.key
pgrep -x munged >/dev/null || runuser -u munge -- /usr/sbin/munged 2>/dev/null || /usr/sbin/munged --force
pgrep -x slurmctld >/dev/null || slurmctld
pgrep -x slurmd >/dev/null || slurmd
for _ in $(seq 30); do sinfo -h -o %T 2>/dev/null | grep -qE 'idle|mixed' && break; sleep 1; done
scontrol update nodename="$HOST" state=resume 2>/dev/null || true
sinfo

OUT=${1:-/tmp/neurodyn-slurm}
rm -rf "$OUT" "$OUT-whole"
GRID=(meanfield phase --activation tanh --sigma-w2 0.5:4:200 --sigma-b2 0:0.3:200)
"$NEURODYN" slurm --shards 4 --cpus-per-task 1 --time 00:30:00 -- "${GRID[@]}" --out "$OUT" > "$OUT.sbatch.sh"
bash "$OUT.sbatch.sh"
while squeue -h | grep -q .; do sleep 1; done
"$NEURODYN" "${GRID[@]}" --out "$OUT-whole" --quiet > /dev/null
cmp "$OUT/phase.csv" "$OUT-whole/phase.csv"
echo "merged Slurm result equals the unsharded run: $OUT/phase.csv"
sacct -n -X -o JobID,JobName,State,Elapsed 2>/dev/null | tail -6 || true
